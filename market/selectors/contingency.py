"""Contingency reads: people in a lot's area by arrangement on a day, their trend, and progress against the
transfer plan, all computed from contracts' placements.

Which placements belong to a lot: homecare packages and direct payments (contracts.Placement of service
homecare or direct_payment, kinds lead_provider, contingency and direct_payment) whose person lives in a ward
of the lot's area (`Placement.home_ward`). The ward is used, not the provider's office: a homecare agency's
registered location is often outside the lot it serves, and a direct payment has no provider at all. The
wards of a lot's area are the wards it covers (geo.selectors.locality_parts, as on the map).

A move is an end and a start (contracts): a person is transferred when their contingency placement in the lot
ends and their next placement, with the lead provider or on a direct payment, starts on that day or the next.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from contracts.models import Placement, PlacementKind, PlacementService
from geo.models import Locality
from geo.selectors import locality_parts, wards_by_area
from market.models import ContingencyArrangement, TransferDestination

KINDS = (PlacementKind.LEAD_PROVIDER, PlacementKind.CONTINGENCY, PlacementKind.DIRECT_PAYMENT)
SERVICES = (PlacementService.HOMECARE, PlacementService.DIRECT_PAYMENT)


def _active(on: date) -> Q:
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def _placements(ward_ids) -> Q:
    return Q(home_ward_id__in=list(ward_ids), kind__in=KINDS, service__in=SERVICES)


def _zero() -> dict[str, int]:
    return {kind.value: 0 for kind in KINDS}


def people_by_area(*, area_ids, on: date) -> dict[int, dict[str, int]]:
    """People with the lead provider, with contingency providers and on a direct payment on `on`, for each
    area: one query over placements (grouped by ward and kind) whatever the number of areas."""
    return people_by_wards(wards=wards_by_area(area_ids), area_ids=area_ids, on=on)


def people_by_wards(*, wards: dict[int, set[int]], area_ids, on: date) -> dict[int, dict[str, int]]:
    """As people_by_area, for areas whose wards are already known (`wards`: area id -> ward ids)."""
    by_ward: dict[int, list[int]] = defaultdict(list)
    for area_id, ward_ids in wards.items():
        for ward_id in ward_ids:
            by_ward[ward_id].append(area_id)
    counts = {area_id: _zero() for area_id in area_ids}
    if not by_ward:
        return counts
    rows = (
        Placement.objects.filter(_placements(by_ward), _active(on))
        .order_by()
        .values_list("home_ward_id", "kind")
        .annotate(people=Count("reference", distinct=True))
    )
    for ward_id, kind, people in rows:
        for area_id in by_ward[ward_id]:
            counts[area_id][kind] += people
    return counts


def people_in_area(*, area: Locality, on: date) -> dict[str, int]:
    return people_by_area(area_ids=[area.pk], on=on)[area.pk]


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def series_dates(*, start: date, end: date, step: str) -> list[date]:
    """`start`, then every 7 days (week) or each month's last day (month) before `end`, and `end` itself."""
    if end < start:
        return []
    points = [start]
    if step == "week":
        day = start
        while (end - day).days > 7:  # (never stepping past the calendar's last day)
            day += timedelta(days=7)
            points.append(day)
    else:
        day = _month_end(start)
        while day < end:
            if day > start:
                points.append(day)
            if day == date.max:
                break
            day = _month_end(day + timedelta(days=1))
    points.append(end)
    return sorted(set(points))


def people_trend(*, area: Locality, start: date, end: date, step: str = "month") -> list[dict]:
    """People by arrangement on each day of the series: the placements that touch the period are read once
    (one query) and counted for each point in Python."""
    points = series_dates(start=start, end=end, step=step)
    ward_ids = locality_parts([area])[area.pk].wards
    if not points or not ward_ids:
        return [{"on": point, **_zero()} for point in points]
    rows = list(
        Placement.objects.filter(_placements(ward_ids), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values_list("reference", "kind", "start_date", "end_date")
    )
    series = []
    for point in points:
        seen: dict[str, set[str]] = {kind.value: set() for kind in KINDS}
        for reference, kind, began, ended in rows:
            if began <= point and (ended is None or ended >= point):
                seen[kind].add(reference)
        series.append({"on": point, **{kind: len(references) for kind, references in seen.items()}})
    return series


@dataclass(frozen=True)
class TransferProgress:
    on: date
    transfer_start: date
    to_move: int  # people with contingency providers when transfers began
    planned: int  # people the plan says should have moved by `on`
    moved: int
    moved_to_lead_provider: int
    moved_to_direct_payment: int
    difference: int  # moved - planned
    status: str  # ahead, behind, on_plan, no_plan
    still_in_contingency: int


def _destinations(transfer_to: str) -> list[str]:
    if transfer_to == TransferDestination.LEAD_PROVIDER:
        return [PlacementKind.LEAD_PROVIDER]
    if transfer_to == TransferDestination.DIRECT_PAYMENT:
        return [PlacementKind.DIRECT_PAYMENT]
    return [PlacementKind.LEAD_PROVIDER, PlacementKind.DIRECT_PAYMENT]


def planned_moves(arrangement: ContingencyArrangement, *, to_move: int, on: date) -> int | None:
    """People the plan has moved by `on`: people_per_week for each whole week since transfers began, or, with
    a target date and no weekly figure, a straight line to everyone by the target; never more than to_move."""
    start = arrangement.transfer_start or arrangement.start_date
    if on < start:
        return 0
    weeks = (on - start).days // 7
    if arrangement.people_per_week:
        planned = arrangement.people_per_week * weeks
    elif arrangement.transfer_target_date:
        span = max((arrangement.transfer_target_date - start).days, 1)
        planned = to_move * min((on - start).days, span) // span
    else:
        return None
    if arrangement.transfer_target_date and on >= arrangement.transfer_target_date:
        planned = to_move
    return min(planned, to_move)


def transfer_progress(*, arrangement: ContingencyArrangement, on: date) -> TransferProgress:
    """Moved vs planned on `on` for one arrangement (as transfers_progress)."""
    return transfers_progress(arrangements=[arrangement], on=on)[arrangement.pk]


def transfers_progress(*, arrangements: list[ContingencyArrangement], on: date) -> dict[int, TransferProgress]:
    """Moved vs planned on `on` for each arrangement (by id), in six queries whatever their number: the areas'
    wards (two), people on `on` in every area (one), contingency placements around the transfer starts (one), and
    the moves: placements with the lead provider or on a direct payment that began since the earliest transfer
    start (one) with the contingency stays of the same people that ended the day before or that day (one). Each
    arrangement counts only a stay and a move both in its own area's wards."""
    if not arrangements:
        return {}
    starts = {item.pk: item.transfer_start or item.start_date for item in arrangements}
    area_ids = {item.lot.area_id for item in arrangements}
    wards = wards_by_area(area_ids)
    every_ward = set().union(*wards.values()) if wards else set()
    counts_now = people_by_wards(wards=wards, area_ids=area_ids, on=on)
    first, last = min(starts.values()), max(starts.values())
    stays = list(
        Placement.objects.filter(_placements(every_ward), kind=PlacementKind.CONTINGENCY, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("home_ward_id", "reference", "start_date", "end_date")
    )
    moves = Placement.objects.filter(
        _placements(every_ward),
        kind__in=[PlacementKind.LEAD_PROVIDER, PlacementKind.DIRECT_PAYMENT],
        start_date__gte=first,
        start_date__lte=on,
    )
    movers = list(moves.values_list("home_ward_id", "reference", "kind", "start_date"))
    left: dict[str, list[tuple[int, date]]] = defaultdict(list)  # reference -> (ward, end date) of its stays
    if movers:
        for ward_id, reference, ended in Placement.objects.filter(
            _placements(every_ward),
            kind=PlacementKind.CONTINGENCY,
            reference__in=moves.values("reference"),
            end_date__gte=first - timedelta(days=1),
            end_date__lte=on,
        ).values_list("home_ward_id", "reference", "end_date"):
            left[reference].append((ward_id, ended))
    progress = {}
    for arrangement in arrangements:
        start, area_wards = starts[arrangement.pk], wards.get(arrangement.lot.area_id, set())
        then: dict[int, set[str]] = defaultdict(set)
        for ward_id, reference, began, ended in stays:
            if ward_id in area_wards and began <= start and (ended is None or ended >= start):
                then[ward_id].add(reference)
        destinations = _destinations(arrangement.transfer_to)
        moved_by_kind: dict[str, set[str]] = defaultdict(set)
        for ward_id, reference, kind, began in movers:
            if ward_id not in area_wards or kind not in destinations or not start <= began <= on:
                continue
            if any(
                stay_ward in area_wards and began - timedelta(days=1) <= ended <= began
                for stay_ward, ended in left.get(reference, ())
            ):
                moved_by_kind[kind].add(reference)
        progress[arrangement.pk] = _progress(
            arrangement,
            on=on,
            start=start,
            to_move=sum(len(references) for references in then.values()),
            moves={kind: len(references) for kind, references in moved_by_kind.items()},
            still_in_contingency=counts_now[arrangement.lot.area_id][PlacementKind.CONTINGENCY],
        )
    return progress


def _progress(
    arrangement: ContingencyArrangement, *, on: date, start: date, to_move: int, moves: dict, still_in_contingency: int
) -> TransferProgress:
    moved = sum(moves.values())
    planned = planned_moves(arrangement, to_move=to_move, on=on)
    if planned is None:
        status = "no_plan"
    elif moved > planned:
        status = "ahead"
    elif moved < planned:
        status = "behind"
    else:
        status = "on_plan"
    return TransferProgress(
        on=on,
        transfer_start=start,
        to_move=to_move,
        planned=planned or 0,
        moved=moved,
        moved_to_lead_provider=moves.get(PlacementKind.LEAD_PROVIDER, 0),
        moved_to_direct_payment=moves.get(PlacementKind.DIRECT_PAYMENT, 0),
        difference=moved - (planned or 0),
        status=status,
        still_in_contingency=still_in_contingency,
    )


def people_in_contingency(*, lot, on: date) -> list[Placement]:
    """The contingency placements in the lot's area on `on` (one per person, oldest first): the people who may be
    transferred to the lead provider or a direct payment."""
    ward_ids = locality_parts([lot.area])[lot.area_id].wards
    if not ward_ids:
        return []
    return list(
        Placement.objects.filter(_placements(ward_ids), _active(on), kind=PlacementKind.CONTINGENCY)
        .select_related("provider", "home_ward")
        .order_by("start_date", "reference")
    )
