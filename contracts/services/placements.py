"""Closures, placements and holds. Races for the last bed are settled by locking the BedLine row
(select_for_update) before counting what is left on it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import (
    BED_LINE_KINDS,
    LIVE_STATUSES,
    BedLine,
    CareType,
    Closure,
    Hold,
    HoldStatus,
    PersonReference,
    Placement,
    PlacementEndReason,
    PlacementKind,
    PlacementService,
    PlacementSource,
)
from contracts.selectors import block_beds_free_near, least_level_between, rate_on
from contracts.services.checks import (
    UNCHANGED,
    AlreadyPlaced,
    BlockBedsFree,
    HoldNotActive,
    NoVoidBed,
    dates_ordered,
    given,
    reference_validate,
    require_may_act,
)
from contracts.services.free_beds import free_bed_state_refresh
from contracts.signals import risk_changed_send
from core.errors import DomainError
from geo.models import Locality, LocalityKind
from providers.models import Location, Provider

# --- closures ---------------------------------------------------------------------------------------------


@transaction.atomic
def closure_create(
    *,
    bed_line: BedLine,
    start_date: date,
    end_date: date,
    reason: str,
    beds: int | None = None,
    by=None,
) -> Closure:
    require_may_act(by, bed_line.location.provider_id)
    line = BedLine.objects.select_for_update().get(pk=bed_line.pk)
    beds = line.beds if beds is None else beds
    closure = Closure(bed_line=line, beds=beds, start_date=start_date, end_date=end_date, reason=reason, created_by=by)
    _closure_validate(closure)
    closure._history_user = by
    closure.save()
    free_bed_state_refresh(lines=[closure.bed_line_id])
    risk_changed_send("closure")
    return closure


@transaction.atomic
def location_close(*, location: Location, start_date: date, end_date: date, reason: str, by=None) -> list[Closure]:
    """Close every block bed at a home (e.g. a 28-day closure after an outbreak)."""
    require_may_act(by, location.provider_id)
    lines = BedLine.objects.filter(location=location, activation_date__lte=end_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    closures = [  # by id, the order every service and the free-bed rebuild lock lines in
        closure_create(bed_line=line, start_date=start_date, end_date=end_date, reason=reason, by=by)
        for line in lines.select_related("location").order_by("pk")
    ]
    if not closures:
        raise DomainError("The home has no block beds in that period.", field="location")
    return closures


@transaction.atomic
def closure_update(
    *,
    closure: Closure,
    beds: int = UNCHANGED,
    start_date: date = UNCHANGED,
    end_date: date = UNCHANGED,
    reason: str = UNCHANGED,
    by=None,
) -> Closure:
    require_may_act(by, closure.bed_line.location.provider_id)
    BedLine.objects.select_for_update().get(pk=closure.bed_line_id)
    closure = Closure.objects.select_related("bed_line").get(pk=closure.pk)
    for name, value in given(beds=beds, start_date=start_date, end_date=end_date, reason=reason).items():
        setattr(closure, name, value)
    _closure_validate(closure)
    closure._history_user = by
    closure.save()
    free_bed_state_refresh(lines=[closure.bed_line_id])
    risk_changed_send("closure")
    return closure


@transaction.atomic
def closure_delete(*, closure: Closure, by=None) -> None:
    """Withdraw a closure recorded in error or called off: its beds count as open again (history keeps it)."""
    require_may_act(by, closure.bed_line.location.provider_id)
    BedLine.objects.select_for_update().get(pk=closure.bed_line_id)
    closure = Closure.objects.get(pk=closure.pk)
    closure._history_user = by
    closure.delete()
    risk_changed_send("closure")


def _closure_validate(closure: Closure) -> None:
    dates_ordered(closure.start_date, closure.end_date, start_name="closure start")
    if closure.beds is None or not 1 <= closure.beds <= closure.bed_line.beds:
        raise DomainError(f"Between 1 and {closure.bed_line.beds} beds of this line can be closed.", field="beds")
    if not (closure.reason or "").strip():
        raise DomainError("Say why the beds are closed.", field="reason")


# --- placements and holds ---------------------------------------------------------------------------------


def _person_lock(reference: str) -> None:
    """Lock the person's row before looking at their other placements: two brokers placing one person at
    once (on two lines, whose row locks do not meet) are then settled one after the other, and the second
    sees the first one's placement. On PostgreSQL the UPDATE locks the row until commit (as select_for_update
    would, and also when get_or_create has just inserted it); SQLite has no row locks, but the embedded
    database begins every transaction IMMEDIATE (config/settings.py), so writers queue for its one write lock
    and the check runs alone. Every service takes this lock before any BedLine lock, so the two kinds of lock
    are always taken in one order and cannot deadlock."""
    PersonReference.objects.get_or_create(reference=reference)
    PersonReference.objects.filter(reference=reference).update(last_written_at=timezone.now())


def _stay_text(placement: Placement) -> str:
    where = f"bed line {placement.bed_line_id}" if placement.bed_line_id else placement.get_service_display().lower()
    until = f"until {placement.end_date}" if placement.end_date else "ongoing"
    kind = placement.get_kind_display().lower()
    return f"placement {placement.pk} ({kind}, {where}, from {placement.start_date}, {until})"


def _overlap_refuse(
    *, reference: str, start: date, end: date | None, field: str, exclude: Placement | None = None
) -> None:
    """A person is in one placement at a time. A stay that starts on the day another ends (a move) fits;
    a stay that starts before another ends, and ends after that one starts, does not. Call under _person_lock."""
    others = Placement.objects.filter(reference=reference).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=start) | Q(start_date=start)
    )
    if end is not None:
        others = others.filter(Q(start_date__lt=end) | Q(start_date=start))
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.order_by("start_date", "pk").first()
    if other is not None:
        raise AlreadyPlaced(f"{reference} is already in {_stay_text(other)}; end that placement first.", field=field)


def _active_holds(line: BedLine, *, exclude: Hold | None = None) -> int:
    holds = Hold.objects.filter(bed_line=line, status=HoldStatus.HELD, expires_at__gt=timezone.now())
    if exclude is not None:
        holds = holds.exclude(pk=exclude.pk)
    return holds.count()


def _room_on_line(line: BedLine, *, start: date, end: date | None, exclude_hold: Hold | None = None) -> int:
    """Beds left for one more person from `start` to `end`: the fewest void beds on any day of the stay,
    less other brokers' unexpired holds. Call with the line row locked."""
    if start < line.activation_date or (line.end_date and start > line.end_date):
        return 0
    least = least_level_between(line=line, start=start, end=end)
    return least - _active_holds(line, exclude=exclude_hold)


def _full_line_message(line: BedLine, start: date) -> str:
    closed = Closure.objects.filter(bed_line=line, start_date__lte=start, end_date__gte=start).exists()
    why = "beds on it are closed" if closed else "it has no void bed left"
    return f"No bed on this line from {start}: {why} (someone may have just taken the last one)."


@transaction.atomic
def placement_create(
    *,
    reference: str,
    kind: str,
    start_date: date,
    end_date: date | None = None,
    bed_line: BedLine | None = None,
    location: Location | None = None,
    provider: Provider | None = None,
    care_type: str = "",
    weekly_cost: Decimal | None = None,
    hours_per_week: Decimal | None = None,
    service: str | None = None,
    source: str = PlacementSource.COMMUNITY,
    hold: Hold | None = None,
    home_ward: Locality | None = None,
    spot_reason: str = "",
    by=None,
) -> Placement:
    """Place a person. A spot bed at a home is bought only after the voids: while a block bed of its care type is
    free within AVOIDABLE_SPOT_RADIUS_KM of the home on its first day, it needs `spot_reason` (else BlockBedsFree,
    naming those beds), and the placement keeps the reason and the nearest free block bed's rate."""
    reference = reference_validate(reference)
    if home_ward is not None and home_ward.kind != LocalityKind.WARD:
        kind_name = home_ward.get_kind_display().lower()
        raise DomainError(f"{home_ward.code} is a {kind_name}, not a ward.", field="home_ward")
    dates_ordered(start_date, end_date, start_name="start date")
    if kind not in PlacementKind.values:
        raise DomainError(f"Unknown placement kind {kind!r}.", field="kind")
    if source not in PlacementSource.values:
        raise DomainError(f"Unknown source {source!r}.", field="source")
    if care_type and care_type not in CareType.values:
        raise DomainError(f"Unknown care type {care_type!r}.", field="care_type")
    _person_lock(reference)
    _overlap_refuse(reference=reference, start=start_date, end=end_date, field="reference")
    placement = Placement(
        reference=reference,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        source=source,
        care_type=care_type,
        weekly_cost=weekly_cost,
        hours_per_week=hours_per_week,
        home_ward=home_ward,
        created_by=by,
    )
    if kind in BED_LINE_KINDS:
        if bed_line is None:
            raise DomainError(f"A {kind} placement is on a block bed line.", field="bed_line")
        # The last-bed race is settled here: whoever locks the line first takes the bed. Only the line's row
        # is locked (of=self): locking its home too would queue behind bed_line_update, which locks the home
        # before the line, in the opposite order.
        line = (
            BedLine.objects.select_for_update(of=("self",)).select_related("location", "contract").get(pk=bed_line.pk)
        )
        if hold is not None and (hold.bed_line_id != line.pk or hold.reference != reference):
            raise DomainError("A hold becomes a placement of its own person on its own line.", field="hold")
        if line.contract.status not in LIVE_STATUSES:  # the beds the bed finder offers
            raise DomainError("The line's contract is not live.", field="bed_line")
        if _room_on_line(line, start=start_date, end=end_date, exclude_hold=hold) < 1:
            raise NoVoidBed(_full_line_message(line, start_date), field="bed_line")
        placement.bed_line, placement.location = line, line.location
        placement.provider_id, placement.care_type = line.location.provider_id, line.care_type
        placement.service = PlacementService.CARE_HOME
        if placement.weekly_cost is None:
            placement.weekly_cost = rate_on(bed_line=line, on=start_date)
    elif kind == PlacementKind.DIRECT_PAYMENT:
        placement.service = PlacementService.DIRECT_PAYMENT
        placement.provider = provider
    elif service == PlacementService.HOMECARE or kind == PlacementKind.LEAD_PROVIDER or hours_per_week is not None:
        if kind not in (PlacementKind.LEAD_PROVIDER, PlacementKind.CONTINGENCY, PlacementKind.SPOT):
            raise DomainError("Homecare is from a lead provider, a contingency provider or spot.", field="kind")
        if provider is None:
            raise DomainError("A homecare package needs its provider.", field="provider")
        if hours_per_week is None or Decimal(hours_per_week) <= 0:
            raise DomainError("A homecare package needs its hours per week.", field="hours_per_week")
        placement.service, placement.provider = PlacementService.HOMECARE, provider
    else:
        # A spot (or contingency) bed at a home, outside any block.
        if location is None:
            raise DomainError("A spot placement is at a location.", field="location")
        if not care_type:
            raise DomainError("Say which care type the spot bed is.", field="care_type")
        placement.service, placement.location, placement.provider_id = (
            PlacementService.CARE_HOME,
            location,
            location.provider_id,
        )
        if kind == PlacementKind.SPOT:
            _spot_after_voids(placement, reason=spot_reason)
    placement._history_user = by
    placement.save()
    free_bed_state_refresh(lines=[placement.bed_line_id])
    risk_changed_send("placement")
    return placement


def _spot_after_voids(placement: Placement, *, reason: str) -> None:
    """Use voids before buying spot: a spot bed bought while block beds of its care type are free near the home
    on its first day needs a reason; the placement keeps it and the nearest free block bed's weekly rate."""
    free = block_beds_free_near(location=placement.location, care_type=placement.care_type, on=placement.start_date)
    if not free:
        return
    reason = (reason or "").strip()
    if not reason:
        beds = sum(row["free_beds"] for row in free)
        homes = len({row["location_id"] for row in free})
        raise BlockBedsFree(
            f"{beds} block bed{'' if beds == 1 else 's'} of this care type "
            f"{'is' if beds == 1 else 'are'} free on that day at {homes} home{'' if homes == 1 else 's'} within "
            f"{settings.AVOIDABLE_SPOT_RADIUS_KM:g} km. Use one, or say why a spot bed is needed instead.",
            field="spot_reason",
            beds=free,
        )
    placement.spot_reason = reason
    placement.block_rate_passed_over = free[0]["weekly_rate"]


@transaction.atomic
def placement_update(
    *,
    placement: Placement,
    end_date: date | None = UNCHANGED,
    weekly_cost: Decimal | None = UNCHANGED,
    hours_per_week: Decimal | None = UNCHANGED,
    source: str = UNCHANGED,
    end_reason: str = UNCHANGED,
    by=None,
) -> Placement:
    """Change what may change on a placement once made: its end date (ending or extending the stay) and why it
    ended, its cost, its hours and where the person came from. Who, where and from when stay as placed."""
    changes = given(
        end_date=end_date, weekly_cost=weekly_cost, hours_per_week=hours_per_week, source=source, end_reason=end_reason
    )
    _person_lock(placement.reference)  # a reference never changes, so the unlocked copy names the right row
    if placement.bed_line_id:
        BedLine.objects.select_for_update().get(pk=placement.bed_line_id)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    old_end = placement.end_date
    for name, value in changes.items():
        setattr(placement, name, value)
    dates_ordered(placement.start_date, placement.end_date, start_name="start date")
    if placement.source not in PlacementSource.values:
        raise DomainError(f"Unknown source {placement.source!r}.", field="source")
    if placement.end_reason and placement.end_reason not in PlacementEndReason.values:
        raise DomainError(f"Unknown reason {placement.end_reason!r}.", field="end_reason")
    if placement.end_date is None:
        placement.end_reason = ""  # a stay that goes on again has not ended for any reason
    for name in ("weekly_cost", "hours_per_week"):
        if getattr(placement, name) is not None and Decimal(getattr(placement, name)) < 0:
            raise DomainError(f"The {name.replace('_', ' ')} cannot be negative.", field=name)
    _overlap_refuse(
        reference=placement.reference,
        start=placement.start_date,
        end=placement.end_date,
        field="end_date",
        exclude=placement,
    )
    placement._history_user = by
    placement.save()
    extended = placement.end_date is None or (old_end is not None and placement.end_date > old_end)
    if placement.bed_line_id and old_end is not None and extended:
        line = placement.bed_line
        if least_level_between(line=line, start=old_end + timedelta(days=1), end=placement.end_date) < 0:
            raise NoVoidBed("The bed is taken after the current end date; the stay cannot go on.", field="end_date")
    free_bed_state_refresh(lines=[placement.bed_line_id])
    risk_changed_send("placement")
    return placement


def placement_end(*, placement: Placement, end_date: date, reason: str = "", by=None) -> Placement:
    """End a stay on `end_date` (its last day), with why: moved, died, went home or went into hospital."""
    return placement_update(placement=placement, end_date=end_date, end_reason=reason or UNCHANGED, by=by)


@transaction.atomic
def placement_move(
    *,
    placement: Placement,
    on: date,
    kind: str,
    bed_line: BedLine | None = None,
    location: Location | None = None,
    care_type: str = "",
    weekly_cost: Decimal | None = None,
    spot_reason: str = "",
    by=None,
) -> Placement:
    """Move a person: their placement ends on `on` (moved) and the next starts that day, in one transaction, so a
    refused next placement (no bed left, voids free for a spot bed) leaves the first as it was."""
    _person_lock(placement.reference)
    # Both lines now, in one order (by id), before either is counted: locked as the two steps reach them (the line
    # left, then the line joined), two people moved the other way between the same two lines at once each held one
    # line and waited for the other's, a deadlock PostgreSQL breaks by failing one move. The daily rebuild of the
    # free-bed state and free_bed_state_refresh lock lines by id too. (A placement's line never changes, so the
    # caller's copy names the right one.)
    lines = {placement.bed_line_id, bed_line.pk if bed_line is not None else None} - {None}
    list(BedLine.objects.select_for_update().filter(pk__in=lines).order_by("pk").values_list("pk", flat=True))
    current = Placement.objects.select_for_update().get(pk=placement.pk)
    if on < current.start_date:
        raise DomainError(
            f"The move cannot be before the placement started ({current.start_date:%-d %B %Y}).", field="on"
        )
    if current.end_date is not None and current.end_date < on:
        raise DomainError(f"The placement ended on {current.end_date:%-d %B %Y}, before the move.", field="on")
    placement_update(placement=current, end_date=on, end_reason=PlacementEndReason.MOVED, by=by)
    return placement_create(
        reference=current.reference,
        kind=kind,
        start_date=on,
        bed_line=bed_line,
        location=location,
        care_type=care_type or current.care_type,
        weekly_cost=weekly_cost,
        source=current.source,
        spot_reason=spot_reason,
        by=by,
    )


@transaction.atomic
def hold_place(*, bed_line: BedLine, reference: str, start_date: date, by=None) -> Hold:
    reference = reference_validate(reference)
    # Someone already placed is held a bed only for a move: their stay must end by the day the new one starts.
    _person_lock(reference)
    _overlap_refuse(reference=reference, start=start_date, end=start_date + timedelta(days=1), field="reference")
    # The last-bed race is settled here: the second broker waits for the lock and then sees the first hold.
    line = BedLine.objects.select_for_update(of=("self",)).select_related("location", "contract").get(pk=bed_line.pk)
    if line.contract.status not in LIVE_STATUSES:  # the beds the bed finder offers
        raise DomainError("The line's contract is not live.", field="bed_line")
    if _room_on_line(line, start=start_date, end=None) < 1:
        raise NoVoidBed(_full_line_message(line, start_date), field="bed_line")
    # A hold counts only while expires_at is in the future; a periodic sweep tidies expired ones.
    # (No 48-hour countdown task: with Redis, an ETA beyond the visibility timeout is delivered again and again.)
    hold = Hold(
        bed_line=line,
        reference=reference,
        start_date=start_date,
        created_by=by,
        expires_at=timezone.now() + settings.HOLD_DURATION,
    )
    hold._history_user = by
    hold.save()
    free_bed_state_refresh(lines=[line])
    return hold


@transaction.atomic
def hold_convert(
    *,
    hold: Hold,
    kind: str = PlacementKind.BLOCK,
    end_date: date | None = None,
    source: str = PlacementSource.COMMUNITY,
    by=None,
) -> Placement:
    _person_lock(hold.reference)  # before the line, as placement_create locks them
    BedLine.objects.select_for_update().get(pk=hold.bed_line_id)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active():
        raise HoldNotActive(f"The hold is {hold.get_status_display().lower()} or has expired; place again.")
    if kind not in BED_LINE_KINDS:
        raise DomainError("A hold becomes a block, respite or emergency placement.", field="kind")
    placement = placement_create(
        reference=hold.reference,
        kind=kind,
        start_date=hold.start_date,
        end_date=end_date,
        bed_line=hold.bed_line,
        source=source,
        hold=hold,
        by=by,
    )
    hold.status, hold.placement = HoldStatus.CONVERTED, placement
    hold._history_user = by
    hold.save(update_fields=["status", "placement", "updated_at"])
    free_bed_state_refresh(lines=[hold.bed_line_id])
    return placement


@transaction.atomic
def hold_release(*, hold: Hold, by=None) -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.status != HoldStatus.HELD:
        raise HoldNotActive(f"The hold is already {hold.get_status_display().lower()}.")
    hold.status = HoldStatus.RELEASED
    hold._history_user = by
    hold.save(update_fields=["status", "updated_at"])
    free_bed_state_refresh(lines=[hold.bed_line_id])
    return hold


@transaction.atomic
def holds_expire(*, now: datetime | None = None) -> int:
    """Mark lapsed holds expired (they stopped counting at expires_at already; this keeps the list tidy, and the
    free-bed state's count of holds, which the bed finder recounts for a line once its first hold has lapsed)."""
    now = now or timezone.now()
    lapsed = Hold.objects.filter(status=HoldStatus.HELD, expires_at__lte=now)
    lines = set(lapsed.values_list("bed_line_id", flat=True))
    expired = lapsed.update(status=HoldStatus.EXPIRED, updated_at=now)
    free_bed_state_refresh(lines=lines, now=now)
    return expired
