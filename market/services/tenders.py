"""Writes of tenders, lots, procurement rounds, bids and awards.

A bid's weighted total (quality x quality weight + price x price weight, out of 100) and its rank are stored
and recomputed for the whole round whenever a bid is recorded or the tender's weighting changes. Only bids that
could be awarded are ranked: compliant ones at or above the tender's quality threshold; equal totals share a
rank (1, 1, 3).

A lot's status moves only along TRANSITIONS, and every move is written to its status history, in the order the
moves were made (each one starts from the status the last one left). A move caused by a round or an award is
dated by that round's or award's own date (the lot became vacant on the day its round closed, even when that is
recorded later); a move made by hand is dated when it is made. A lot that is awarded, mobilising or live has a
current award, and a vacant or ended one has none. A vacant lot that is re-procured stays vacant while its new
round runs (nobody delivers there yet); its rounds show the re-procurement.
"""

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import User
from contracts.models import CareType, Contract
from core import present
from core.errors import Conflict, DomainError
from core.writes import UNCHANGED, given
from geo.models import Locality, LocalityKind
from market.models import (
    Award,
    Bid,
    Lot,
    LotCapacity,
    LotService,
    LotStatus,
    LotStatusChange,
    Procedure,
    ProcurementRound,
    RoundInvitation,
    RoundOutcome,
    StageName,
    Tender,
    TenderStage,
    TenderStatus,
)
from market.signals import risk_changed_send
from providers.models import Provider

HUNDRED = Decimal("100")
CENT = Decimal("0.01")

S = LotStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.IN_PROCUREMENT, S.ENDED}),
    S.IN_PROCUREMENT: frozenset({S.AWARDED, S.VACANT, S.ENDED}),
    S.AWARDED: frozenset({S.MOBILISING, S.LIVE, S.VACANT, S.IN_CONTINGENCY, S.ENDED}),
    S.MOBILISING: frozenset({S.LIVE, S.VACANT, S.IN_CONTINGENCY, S.ENDED}),
    S.LIVE: frozenset({S.IN_CONTINGENCY, S.VACANT, S.IN_PROCUREMENT, S.ENDED}),
    S.VACANT: frozenset({S.IN_PROCUREMENT, S.IN_CONTINGENCY, S.AWARDED, S.ENDED}),
    S.IN_CONTINGENCY: frozenset({S.IN_PROCUREMENT, S.AWARDED, S.MOBILISING, S.LIVE, S.VACANT, S.ENDED}),
    S.ENDED: frozenset(),
}
# A lot in one of these has a lead provider: its current award.
NEEDS_AWARD = frozenset({S.AWARDED, S.MOBILISING, S.LIVE})


class NotAwardable(DomainError):
    code = "not_awardable"


class TransitionRefused(Conflict):
    code = "transition_refused"


def _choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise DomainError(
            f"Unknown {field.replace('_', ' ')} {value!r}; choose from {', '.join(choices.values)}.", field=field
        )


def _score(value, field: str) -> Decimal:
    value = Decimal(value)
    if not Decimal("0") <= value <= HUNDRED:
        raise DomainError(f"The {field.replace('_', ' ')} must be between 0 and 100.", field=field)
    return value


def _day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def weighted_total(*, tender: Tender, quality_score: Decimal, price_score: Decimal) -> Decimal:
    total = (quality_score * tender.quality_weight + price_score * tender.price_weight) / HUNDRED
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


# --- tenders ----------------------------------------------------------------------------------------------


def _tender_validate(tender: Tender) -> None:
    if not (tender.reference or "").strip():
        raise DomainError("A tender needs a reference.", field="reference")
    if not (tender.title or "").strip():
        raise DomainError("A tender needs a title.", field="title")
    _choice(tender.service, LotService, "service")
    _choice(tender.procedure, Procedure, "procedure")
    _choice(tender.status, TenderStatus, "status")
    tender.quality_threshold = _score(tender.quality_threshold, "quality_threshold")
    tender.quality_weight = _score(tender.quality_weight, "quality_weight")
    tender.price_weight = _score(tender.price_weight, "price_weight")
    if tender.quality_weight + tender.price_weight != HUNDRED:
        raise DomainError("The quality and price weights must add up to 100.", field="price_weight")
    if Tender.objects.filter(reference=tender.reference).exclude(pk=tender.pk).exists():
        raise Conflict(f"There is already a tender {tender.reference}.", field="reference")


@transaction.atomic
def tender_create(
    *,
    reference: str,
    title: str,
    service: str = LotService.HOMECARE_HOURS,
    procedure: str = Procedure.OPEN,
    quality_threshold: Decimal = Decimal("0"),
    quality_weight: Decimal = Decimal("60"),
    price_weight: Decimal = Decimal("40"),
    status: str = TenderStatus.PLANNED,
    notes: str = "",
    by: User | None = None,
) -> Tender:
    tender = Tender(
        reference=reference.strip(),
        title=title.strip(),
        service=service,
        procedure=procedure,
        quality_threshold=quality_threshold,
        quality_weight=quality_weight,
        price_weight=price_weight,
        status=status,
        notes=notes,
    )
    _tender_validate(tender)
    tender._history_user = by
    tender.save()
    return tender


@transaction.atomic
def tender_update(
    *,
    tender: Tender,
    by: User | None = None,
    reference: str = UNCHANGED,
    title: str = UNCHANGED,
    service: str = UNCHANGED,
    procedure: str = UNCHANGED,
    quality_threshold: Decimal = UNCHANGED,
    quality_weight: Decimal = UNCHANGED,
    price_weight: Decimal = UNCHANGED,
    status: str = UNCHANGED,
    notes: str = UNCHANGED,
) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    before = (tender.quality_threshold, tender.quality_weight, tender.price_weight)
    changes = given(
        reference=reference,
        title=title,
        service=service,
        procedure=procedure,
        quality_threshold=quality_threshold,
        quality_weight=quality_weight,
        price_weight=price_weight,
        status=status,
        notes=notes,
    )
    for name, value in changes.items():
        setattr(tender, name, value.strip() if name in ("reference", "title") else value)
    _tender_validate(tender)
    tender._history_user = by
    tender.save()
    if (tender.quality_threshold, tender.quality_weight, tender.price_weight) != before:
        # A new weighting or threshold changes every total and rank the tender's rounds have.
        for round_ in ProcurementRound.objects.filter(tender=tender):
            _round_rank(round_, tender=tender, by=by)
    return tender


@transaction.atomic
def tender_stage_record(
    *,
    tender: Tender,
    stage: str,
    planned_date: date | None = UNCHANGED,
    actual_date: date | None = UNCHANGED,
    notes: str = UNCHANGED,
    by: User | None = None,
) -> TenderStage:
    """Set the planned and/or actual date of one stage of a tender (the stage is added the first time)."""
    _choice(stage, StageName, "stage")
    row = TenderStage.objects.select_for_update().filter(tender=tender, stage=stage).first()
    if row is None:
        row = TenderStage(tender=tender, stage=stage)
    for name, value in given(planned_date=planned_date, actual_date=actual_date, notes=notes).items():
        setattr(row, name, value)
    row._history_user = by
    row.save()
    return row


# --- lots -------------------------------------------------------------------------------------------------


def _lot_validate(lot: Lot) -> None:
    if not (lot.code or "").strip():
        raise DomainError("A lot needs a code.", field="code")
    if not (lot.name or "").strip():
        raise DomainError("A lot needs a name.", field="name")
    _choice(lot.service, LotService, "service")
    if lot.area.kind != LocalityKind.LOT_AREA:
        raise DomainError(f"{lot.area} is a {lot.area.get_kind_display().lower()}, not a lot area.", field="area")
    if lot.hours_per_week is not None and Decimal(lot.hours_per_week) < 0:
        raise DomainError("Hours a week cannot be negative.", field="hours_per_week")
    if Lot.objects.filter(code=lot.code).exclude(pk=lot.pk).exists():
        raise Conflict(f"There is already a lot {lot.code}.", field="code")


def _capacities_set(lot: Lot, capacities: dict[str, int], by: User | None) -> None:
    for care_type, beds in capacities.items():
        _choice(care_type, CareType, "capacities")
        if int(beds) < 0:
            raise DomainError("Beds sought cannot be negative.", field="capacities")
    for row in lot.capacities.all():
        if row.care_type not in capacities or not capacities[row.care_type]:
            row._history_user = by
            row.delete()
    for care_type, beds in capacities.items():
        if beds:
            row = LotCapacity.objects.filter(lot=lot, care_type=care_type).first() or LotCapacity(
                lot=lot, care_type=care_type
            )
            row.beds = int(beds)
            row._history_user = by
            row.save()


def _status_change(lot: Lot, *, to: str, by: User | None, reason: str, at=None) -> None:
    at = at or timezone.now()
    LotStatusChange.objects.create(
        lot=lot, from_status=lot.status if lot.pk else "", to_status=to, changed_at=at, changed_by=by, reason=reason
    )
    lot.status = to
    lot.status_changed_at = at


@transaction.atomic
def lot_create(
    *,
    tender: Tender,
    code: str,
    name: str,
    area: Locality,
    service: str | None = None,
    hours_per_week: Decimal | None = None,
    capacities: dict[str, int] | None = None,
    notes: str = "",
    at: datetime | None = None,
    by: User | None = None,
) -> Lot:
    """A new lot, planned. Its status then moves with its rounds and awards (lot_status_set). `at` dates its
    first status (now if not given)."""
    lot = Lot(
        tender=tender,
        code=code.strip(),
        name=name.strip(),
        area=area,
        service=service or tender.service,
        hours_per_week=hours_per_week,
        notes=notes,
    )
    _lot_validate(lot)
    lot._history_user = by
    lot.status_changed_at = at or timezone.now()
    lot.save()
    LotStatusChange.objects.create(
        lot=lot,
        from_status="",
        to_status=lot.status,
        changed_at=lot.status_changed_at,
        changed_by=by,
        reason="Lot created",
    )
    if capacities:
        _capacities_set(lot, capacities, by)
    return lot


@transaction.atomic
def lot_update(
    *,
    lot: Lot,
    by: User | None = None,
    code: str = UNCHANGED,
    name: str = UNCHANGED,
    area: Locality = UNCHANGED,
    service: str = UNCHANGED,
    hours_per_week: Decimal | None = UNCHANGED,
    capacities: dict[str, int] = UNCHANGED,
    notes: str = UNCHANGED,
) -> Lot:
    """Change what a lot is; its status changes only through lot_status_set."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    for field, value in given(
        code=code, name=name, area=area, service=service, hours_per_week=hours_per_week, notes=notes
    ).items():
        setattr(lot, field, value.strip() if field in ("code", "name") else value)
    _lot_validate(lot)
    lot._history_user = by
    lot.save()
    if capacities is not UNCHANGED:
        _capacities_set(lot, capacities or {}, by)
    return lot


def _current_award(lot: Lot) -> Award | None:
    return Award.objects.filter(lot=lot, ended_on__isnull=True).select_related("bid__provider").first()


@transaction.atomic
def lot_status_set(
    *, lot: Lot, status: str, by: User | None = None, reason: str = "", at: datetime | None = None
) -> Lot:
    """Move a lot to `status` if TRANSITIONS allow it, and write the move to the lot's status history."""
    _choice(status, LotStatus, "status")
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if status == lot.status:
        return lot
    if status not in TRANSITIONS[lot.status]:
        allowed = (
            ", ".join(sorted(LotStatus(next_status).label.lower() for next_status in TRANSITIONS[lot.status]))
            or "none (the lot has ended)"
        )
        raise TransitionRefused(
            f"A lot cannot go from {LotStatus(lot.status).label.lower()} to {LotStatus(status).label.lower()}; "
            f"from here it may go to: {allowed}.",
            field="status",
        )
    current = _current_award(lot)
    if status in NEEDS_AWARD and current is None:
        raise TransitionRefused(
            f"A lot is {LotStatus(status).label.lower()} only with a current award; make the award first.",
            field="status",
        )
    if status in (LotStatus.VACANT, LotStatus.ENDED) and current is not None:
        raise TransitionRefused(
            f"{lot.code} still has a current award to {current.bid.provider.name}; end the award (it then leaves "
            f"the lot {LotStatus(status).label.lower()}).",
            field="status",
        )
    _status_change(lot, to=status, by=by, reason=reason, at=at)
    lot._history_user = by
    lot.save(update_fields=["status", "status_changed_at", "updated_at"])
    risk_changed_send("lot")
    return lot


# --- rounds and bids --------------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    lot: Lot,
    opened_on: date,
    procedure: str | None = None,
    tender: Tender | None = None,
    closes_on: date | None = None,
    organisations_invited: int | None = None,
    services_due_on: date | None = None,
    notes: str = "",
    by: User | None = None,
) -> ProcurementRound:
    """The next procurement round of a lot: its first, or a re-procurement of a lot left vacant (the same lot,
    under its own tender or a new one, with its own procedure). One round runs at a time."""
    lot = Lot.objects.select_for_update().select_related("tender").get(pk=lot.pk)
    tender = tender or lot.tender
    procedure = procedure or tender.procedure
    _choice(procedure, Procedure, "procedure")
    if lot.status == LotStatus.ENDED:
        raise Conflict("The lot has ended; it is not procured again.", field="lot")
    if lot.rounds.filter(closed_on__isnull=True).exists():
        raise Conflict("The lot already has a round under way; close it first.", field="lot")
    if closes_on and closes_on < opened_on:
        raise DomainError("The round closes before it opens.", field="closes_on")
    if _current_award(lot) is not None:
        raise Conflict("The lot has a current award; end it before procuring the lot again.", field="lot")
    number = (lot.rounds.aggregate(highest=Max("number"))["highest"] or 0) + 1
    round_ = ProcurementRound(
        lot=lot,
        tender=tender,
        number=number,
        procedure=procedure,
        opened_on=opened_on,
        closes_on=closes_on,
        organisations_invited=organisations_invited,
        services_due_on=services_due_on,
        notes=notes,
    )
    round_._history_user = by
    round_.save()
    if lot.status == LotStatus.PLANNED:
        lot_status_set(
            lot=lot, status=LotStatus.IN_PROCUREMENT, by=by, reason=f"Round {number} opened", at=_day(opened_on)
        )
    return round_


@transaction.atomic
def round_update(
    *,
    round: ProcurementRound,  # noqa: A002 - the domain word
    organisations_invited: int | None = UNCHANGED,
    services_due_on: date | None = UNCHANGED,
    closes_on: date | None = UNCHANGED,
    notes: str = UNCHANGED,
    by: User | None = None,
) -> ProcurementRound:
    """Record who a round under way takes in (the number of organisations invited, such as those meeting the
    selection criteria), when new services are due to start, its submission deadline or its notes."""
    round_ = _open_round(round)
    if organisations_invited not in (UNCHANGED, None) and organisations_invited < 0:
        raise DomainError("The number of organisations invited cannot be negative.", field="organisations_invited")
    named = round_.invitations.count()
    if organisations_invited is not UNCHANGED and named and (organisations_invited or 0) < named:
        raise DomainError(
            f"{present.number(named)} organisation{'s are' if named != 1 else ' is'} named as invited to the round; "
            "the number invited cannot be fewer.",
            field="organisations_invited",
        )
    if closes_on not in (UNCHANGED, None) and closes_on < round_.opened_on:
        raise DomainError("The round closes before it opens.", field="closes_on")
    if services_due_on not in (UNCHANGED, None) and services_due_on < round_.opened_on:
        raise DomainError("Services are due before the round opened.", field="services_due_on")
    changes = given(
        organisations_invited=organisations_invited, services_due_on=services_due_on, closes_on=closes_on, notes=notes
    )
    for name, value in changes.items():
        setattr(round_, name, value)
    round_._history_user = by
    round_.save()
    return round_


NAME_MAX = RoundInvitation._meta.get_field("name").max_length


def _organisation_name(text: str) -> str:
    return " ".join(str(text).split())


def _register_match(name: str) -> Provider | None:
    """The register's provider named `name` (or with that CQC provider ID) when exactly one is."""
    found = list(Provider.objects.filter(Q(name__iexact=name) | Q(cqc_provider_id__iexact=name))[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def round_invite(
    *,
    round: ProcurementRound,  # noqa: A002 - the domain word
    organisations: Sequence[str],
    invited_on: date | None = None,
    by: User | None = None,
) -> list[RoundInvitation]:
    """Name the organisations a round under way takes in, and return those newly invited. A name the register
    has (or a CQC provider ID) is linked to that provider and recorded as the register spells it. Names are
    compared without regard to case or spacing: one given twice, or already invited, is recorded once.

    The round's `organisations_invited` stays the number taken in: it is raised to the number of names when
    fewer were recorded, and kept when it is higher (a round may have taken in organisations never named here,
    such as a count recorded before names were kept)."""
    round_ = _open_round(round)
    invited_on = invited_on or timezone.localdate()
    if invited_on < round_.opened_on:
        raise DomainError(
            f"Organisations are invited before the round opened ({present.day(round_.opened_on)}).",
            field="invited_on",
        )
    names = [_organisation_name(text) for text in organisations]
    names = [name for name in names if name]
    if not names:
        raise DomainError("Name at least one organisation invited.", field="organisations")
    for name in names:
        if len(name) > NAME_MAX:
            raise DomainError(
                f"{name[:40]}… is longer than {NAME_MAX} characters; give the organisation's name.",
                field="organisations",
            )
    taken = {invitation.name.casefold() for invitation in round_.invitations.all()}
    created = []
    for name in names:
        provider = _register_match(name)
        if provider is not None:
            name = provider.name
        if name.casefold() in taken:
            continue
        taken.add(name.casefold())
        created.append(
            RoundInvitation.objects.create(
                round=round_, name=name, provider=provider, invited_on=invited_on, invited_by=by
            )
        )
    if (round_.organisations_invited or 0) < len(taken):
        round_.organisations_invited = len(taken)
        round_._history_user = by
        round_.save(update_fields=["organisations_invited"])
    return created


def _open_round(round_: ProcurementRound) -> ProcurementRound:
    round_ = ProcurementRound.objects.select_for_update().select_related("tender", "lot").get(pk=round_.pk)
    if round_.closed_on is not None:
        raise Conflict(
            f"Round {round_.number} of {round_.lot.code} closed on {present.day(round_.closed_on)} "
            f"({round_.get_outcome_display().lower()}).",
            field="round",
        )
    return round_


def _awardable(bid: Bid, tender: Tender) -> bool:
    return bid.compliant and bid.quality_score >= tender.quality_threshold


def _round_rank(round_: ProcurementRound, *, tender: Tender, by: User | None) -> None:
    bids = list(Bid.objects.filter(round=round_))
    stored = {bid.pk: (bid.weighted_total, bid.rank) for bid in bids}
    for bid in bids:
        bid.weighted_total = weighted_total(tender=tender, quality_score=bid.quality_score, price_score=bid.price_score)
    ranked = sorted((bid for bid in bids if _awardable(bid, tender)), key=lambda bid: bid.weighted_total, reverse=True)
    ranks: dict[int, int] = {}
    for position, bid in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        ranks[bid.pk] = ranks[previous.pk] if previous and previous.weighted_total == bid.weighted_total else position
    for bid in bids:
        bid.rank = ranks.get(bid.pk)
        if stored[bid.pk] != (bid.weighted_total, bid.rank):
            bid._history_user = by
            bid.save(update_fields=["weighted_total", "rank", "updated_at"])


@transaction.atomic
def bid_record(
    *,
    round: ProcurementRound,  # noqa: A002 - the domain word
    provider: Provider,
    quality_score: Decimal,
    price_score: Decimal,
    compliant: bool = True,
    non_compliance_reason: str = "",
    submitted_on: date | None = None,
    by: User | None = None,
) -> Bid:
    """Record a provider's bid in a round that is under way (again: the provider's bid is replaced), then
    recompute the weighted totals and ranks of the whole round."""
    round_ = _open_round(round)
    quality_score = _score(quality_score, "quality_score")
    price_score = _score(price_score, "price_score")
    non_compliance_reason = (non_compliance_reason or "").strip()
    if not compliant and not non_compliance_reason:
        raise DomainError("Say why the bid is not compliant.", field="non_compliance_reason")
    if compliant:
        non_compliance_reason = ""
    bid = Bid.objects.filter(round=round_, provider=provider).first() or Bid(round=round_, provider=provider)
    bid.quality_score = quality_score
    bid.price_score = price_score
    bid.compliant = compliant
    bid.non_compliance_reason = non_compliance_reason
    bid.submitted_on = submitted_on
    bid.weighted_total = weighted_total(tender=round_.tender, quality_score=quality_score, price_score=price_score)
    bid._history_user = by
    bid.save()
    _round_rank(round_, tender=round_.tender, by=by)
    bid.refresh_from_db()
    return bid


@transaction.atomic
def round_close(
    *,
    round: ProcurementRound,
    outcome: str,
    closed_on: date,
    notes: str = UNCHANGED,
    by: User | None = None,  # noqa: A002
) -> ProcurementRound:
    """Close a round that ended without an award (no compliant bid, no bids, abandoned): the lot is vacant.
    A round is closed as awarded by award_make."""
    round_ = _open_round(round)
    _choice(outcome, RoundOutcome, "outcome")
    if outcome in (RoundOutcome.AWARDED, RoundOutcome.PENDING):
        raise DomainError("A round is closed as awarded by making the award.", field="outcome")
    if closed_on < round_.opened_on:
        raise DomainError("The round closes before it opened.", field="closed_on")
    bids = Bid.objects.filter(round=round_)
    if outcome == RoundOutcome.NO_BIDS and bids.exists():
        raise DomainError("The round has bids; its outcome cannot be 'no bids'.", field="outcome")
    if outcome == RoundOutcome.NO_COMPLIANT_BID and bids.filter(rank__isnull=False).exists():
        raise DomainError(
            "The round has a compliant bid at or above the quality threshold; award it or abandon the round.",
            field="outcome",
        )
    round_.outcome = outcome
    round_.closed_on = closed_on
    if notes is not UNCHANGED:
        round_.notes = notes
    round_._history_user = by
    round_.save()
    lot = round_.lot
    if lot.status in (LotStatus.PLANNED, LotStatus.IN_PROCUREMENT):
        lot_status_set(
            lot=lot,
            status=LotStatus.VACANT,
            by=by,
            reason=f"Round {round_.number}: {round_.get_outcome_display()}",
            at=_day(closed_on),
        )
    return round_


# --- awards -----------------------------------------------------------------------------------------------


@transaction.atomic
def award_make(
    *,
    bid: Bid,
    awarded_on: date,
    go_live_on: date,
    contract: Contract | None = None,
    by: User | None = None,
) -> Award:
    """Award a lot to a bid: the round closes as awarded, the bid's provider becomes the lot's lead provider
    and the lot goes to awarded. Refused for a bid that is not compliant or is below the quality threshold."""
    bid = Bid.objects.select_related("round", "provider").get(pk=bid.pk)
    round_ = _open_round(bid.round)
    tender = round_.tender
    if not bid.compliant:
        raise NotAwardable(
            f"The bid is not compliant ({bid.non_compliance_reason}); it cannot be awarded.", field="bid"
        )
    if bid.quality_score < tender.quality_threshold:
        raise NotAwardable(
            f"The bid's quality score {bid.quality_score} is below the tender's threshold {tender.quality_threshold}.",
            field="bid",
        )
    if go_live_on < awarded_on:
        raise DomainError("The go-live date is before the award.", field="go_live_on")
    if awarded_on < round_.opened_on:
        raise DomainError("The award is dated before its round opened.", field="awarded_on")
    if contract is not None and contract.provider_id != bid.provider_id:
        raise DomainError("The contract is with another provider than the winning bid's.", field="contract")
    lot = Lot.objects.select_for_update().get(pk=round_.lot_id)
    if _current_award(lot) is not None:
        raise Conflict(f"{lot.code} already has a current award; end it first.", field="bid")
    award = Award(lot=lot, bid=bid, contract=contract, awarded_on=awarded_on, go_live_on=go_live_on, awarded_by=by)
    award._history_user = by
    award.save()
    round_.outcome = RoundOutcome.AWARDED
    round_.closed_on = awarded_on
    round_._history_user = by
    round_.save()
    lot_status_set(
        lot=lot, status=LotStatus.AWARDED, by=by, reason=f"Awarded to {bid.provider.name}", at=_day(awarded_on)
    )
    risk_changed_send("lot")
    return award


@transaction.atomic
def award_update(
    *, award: Award, by: User | None = None, contract: Contract | None = UNCHANGED, go_live_on: date = UNCHANGED
) -> Award:
    """Link the contract an award produced, or move its planned go-live."""
    award = Award.objects.select_for_update().select_related("bid").get(pk=award.pk)
    if contract is not UNCHANGED:
        if contract is not None and contract.provider_id != award.bid.provider_id:
            raise DomainError("The contract is with another provider than the award's.", field="contract")
        award.contract = contract
    if go_live_on is not UNCHANGED:
        if go_live_on < award.awarded_on:
            raise DomainError("The go-live date is before the award.", field="go_live_on")
        award.go_live_on = go_live_on
    award._history_user = by
    award.save()
    risk_changed_send("lot")
    return award


@transaction.atomic
def award_end(
    *, award: Award, ended_on: date, reason: str, lot_status: str = LotStatus.VACANT, by: User | None = None
) -> Award:
    """End an award (the provider withdrew or failed, or the lot ended): the lot has no lead provider from
    then and moves to `lot_status` (vacant by default, or in contingency, or ended)."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.ended_on is not None:
        raise Conflict(f"The award ended on {award.ended_on}.", field="award")
    if ended_on < award.awarded_on:
        raise DomainError("The award cannot end before it was made.", field="ended_on")
    if not (reason or "").strip():
        raise DomainError("Say why the award ends.", field="end_reason")
    if lot_status in NEEDS_AWARD:
        raise DomainError("A lot without a current award cannot be awarded, mobilising or live.", field="lot_status")
    award.ended_on = ended_on
    award.end_reason = reason.strip()
    award._history_user = by
    award.save()
    lot_status_set(lot=award.lot, status=lot_status, by=by, reason=reason.strip(), at=_day(ended_on))
    risk_changed_send("lot")
    return award
