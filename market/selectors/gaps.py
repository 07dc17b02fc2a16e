"""Capacity gaps: demand + people waiting − supply, per locality and care type, on a day and as a trend.

- Demand on a day is the need whose period covers it. A figure a commissioner entered wins over a forecast for
  the same locality and care type; a district's demand is its own figure, or, if it has none, the sum of its
  wards' figures (so need recorded by ward is not counted twice when the district has a figure too).
- People waiting on a day: pending arrangements begun by then and not ended by then (the day a wait ends it
  no longer counts). A person waiting for a bed needs one bed; one waiting for homecare needs their hours a
  week. Waits longer than PENDING_WAIT_LONG_DAYS are counted too (shown, not added again).
- Supply: market.selectors.supply.

Gaps are in beds, or hours a week for homecare; a negative gap is spare capacity. Largest gaps first. A
fixed number of queries whatever the number of localities (a trend: that number for each point)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.replica import replica_reads
from geo.models import Locality, LocalityKind
from market.models import Demand, DemandCareType, DemandSource, PendingArrangement
from market.models.demand import HOMECARE_HOURS, unit_of
from market.selectors.contingency import series_dates
from market.selectors.supply import SUPPLY_COMPONENTS, Tally, supply_on, supply_total
from providers.models import Provider

TENTH = Decimal("0.1")
ZERO = Decimal(0)
CARE_TYPE_ORDER = {value: position for position, value in enumerate(DemandCareType.values)}
STEPS = ("month", "quarter")


@dataclass
class Gap:
    locality_id: int
    locality_code: str
    locality_name: str
    locality_kind: str
    district_code: str | None
    care_type: str
    unit: str
    demand: Decimal
    waiting: int
    waiting_long: int
    waiting_need: Decimal  # beds (one per person) or hours a week the people waiting need
    block_beds: Decimal
    void_beds: Decimal
    spot_vacancies: Decimal
    homecare_hours: Decimal
    micro_enterprise_hours: Decimal
    supply: Decimal
    gap: Decimal

    @property
    def care_type_label(self) -> str:
        return DemandCareType(self.care_type).label


def _place(locality_id: int, kind: str, parent_id: int | None) -> tuple[int | None, int | None]:
    """(district id, ward id) of a district or a ward."""
    if kind == LocalityKind.WARD:
        return parent_id, locality_id
    return locality_id, None


def demand_on(*, on: date) -> dict[tuple[int, str], Decimal]:
    """Demand on `on` for every district and ward that has any (one query)."""
    rows = Demand.objects.filter(period_start__lte=on, period_end__gte=on).values_list(
        "locality_id", "locality__kind", "locality__parent_id", "care_type", "source", "quantity"
    )
    by_source: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    places: dict[int, tuple[int | None, int | None]] = {}
    for locality_id, kind, parent_id, care_type, source, quantity in rows:
        figures = by_source[(locality_id, care_type)]
        figures[source] = figures.get(source, ZERO) + quantity
        places[locality_id] = _place(locality_id, kind, parent_id)
    own: dict[tuple[int, str], Decimal] = {}
    for key, figures in by_source.items():
        own[key] = figures.get(DemandSource.ENTERED, figures.get(DemandSource.FORECAST, ZERO))
    found = dict(own)
    from_wards: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for (locality_id, care_type), quantity in own.items():
        district_id, ward_id = places[locality_id]
        if ward_id is not None and district_id is not None:
            from_wards[(district_id, care_type)] += quantity
    for key, quantity in from_wards.items():
        found.setdefault(key, quantity)  # the district's own figure, when it has one, stands
    return found


def waiting_on(*, on: date, long_days: int | None = None) -> Tally:
    """People waiting on `on` (people, long waits, hours a week needed) by district and ward (one query)."""
    long_days = settings.PENDING_WAIT_LONG_DAYS if long_days is None else long_days
    long_before = on - timedelta(days=long_days)
    rows = (
        PendingArrangement.objects.filter(waiting_since__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .order_by()
        .values_list("locality_id", "locality__kind", "locality__parent_id", "care_type")
        .annotate(
            people=Count("id"),
            long=Count("id", filter=Q(waiting_since__lt=long_before)),
            hours=Sum("hours_per_week"),
        )
    )
    tally = Tally()
    for locality_id, kind, parent_id, care_type, people, long, hours in rows:
        district_id, ward_id = _place(locality_id, kind, parent_id)
        need = (hours or ZERO) if care_type == HOMECARE_HOURS else people
        for name, value in (("waiting", people), ("waiting_long", long), ("waiting_need", need)):
            tally.add(district_id=district_id, ward_id=ward_id, care_type=care_type, name=name, value=value)
    return tally


def _tenth(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TENTH)


def gap_figures(
    *, on: date, locality_ids: list[int], care_types: list[str] | None = None, leave_out: Provider | None = None
) -> dict[tuple[int, str], dict]:
    """The figures of every locality and care type with anything to show on `on` (a fixed number of queries);
    with `leave_out`, the supply is counted without that provider (supply_on)."""
    care_types = care_types or list(DemandCareType.values)
    demand, waiting, supply = demand_on(on=on), waiting_on(on=on), supply_on(on=on, leave_out=leave_out)
    found = {}
    for locality_id in locality_ids:
        for care_type in care_types:
            needed = demand.get((locality_id, care_type), ZERO)
            waits = waiting.get(locality_id, care_type)
            supplied = supply.get(locality_id, care_type)
            if not (needed or waits or any(supplied.values())):
                continue
            total = supply_total(supplied)
            waiting_need = waits.get("waiting_need", ZERO)
            found[(locality_id, care_type)] = {
                "demand": _tenth(needed),
                "waiting": int(waits.get("waiting", 0)),
                "waiting_long": int(waits.get("waiting_long", 0)),
                "waiting_need": _tenth(waiting_need),
                **{name: _tenth(supplied.get(name, ZERO)) for name in SUPPLY_COMPONENTS},
                "supply": _tenth(total),
                "gap": _tenth(needed + waiting_need - total),
            }
    return found


def districts_all() -> list[Locality]:
    return list(Locality.objects.filter(kind=LocalityKind.DISTRICT).select_related("parent").order_by("name"))


@replica_reads
def capacity_gaps(
    *,
    on: date,
    localities: list[Locality] | None = None,
    care_types: list[str] | None = None,
    leave_out: Provider | None = None,
) -> list[Gap]:
    """Gaps on `on` for the districts and wards given (every district if none), largest first; with `leave_out`,
    as they would be without that provider."""
    localities = localities or districts_all()
    by_id = {locality.pk: locality for locality in localities}
    figures = gap_figures(on=on, locality_ids=list(by_id), care_types=care_types, leave_out=leave_out)
    gaps = []
    for (locality_id, care_type), values in figures.items():
        locality = by_id[locality_id]
        parent = locality.parent if locality.kind == LocalityKind.WARD and locality.parent_id else None
        gaps.append(
            Gap(
                locality_id=locality_id,
                locality_code=locality.code,
                locality_name=locality.name,
                locality_kind=locality.kind,
                district_code=parent.code if parent else (locality.code if locality.kind == "district" else None),
                care_type=care_type,
                unit=unit_of(care_type),
                **values,
            )
        )
    gaps.sort(key=lambda gap: (-gap.gap, gap.locality_name, gap.locality_code, CARE_TYPE_ORDER[gap.care_type]))
    return gaps


def trend_dates(*, start: date, end: date, step: str) -> list[date]:
    """The start, each month's (or quarter's) last day between, and the end."""
    points = series_dates(start=start, end=end, step="month")
    if step == "quarter":
        points = [
            point
            for point in points
            if point in (start, end)
            or (point.month % 3 == 0 and point.day == calendar.monthrange(point.year, point.month)[1])
        ]
    return points


@dataclass
class GapSeries:
    locality_code: str
    locality_name: str
    locality_kind: str
    care_type: str
    unit: str
    points: list[dict]


@replica_reads
def capacity_gap_trend(
    *,
    start: date,
    end: date,
    step: str = "month",
    localities: list[Locality] | None = None,
    care_types: list[str] | None = None,
) -> list[GapSeries]:
    """Demand, waiting, supply and gap at each point for each locality and care type with anything to show,
    the largest gap at the last point first."""
    localities = localities or districts_all()
    by_id = {locality.pk: locality for locality in localities}
    series: dict[tuple[int, str], list[dict]] = defaultdict(list)
    points = trend_dates(start=start, end=end, step=step)
    for point in points:
        figures = gap_figures(on=point, locality_ids=list(by_id), care_types=care_types)
        for key, values in figures.items():
            series[key].append(
                {"on": point, **{name: values[name] for name in ("demand", "waiting", "waiting_need", "supply", "gap")}}
            )
    found = []
    for (locality_id, care_type), rows in series.items():
        # A point where nothing was there reads as zero, so every series has every point.
        seen = {row["on"]: row for row in rows}
        filled = [
            seen.get(point)
            or {"on": point, "demand": ZERO, "waiting": 0, "waiting_need": ZERO, "supply": ZERO, "gap": ZERO}
            for point in points
        ]
        locality = by_id[locality_id]
        found.append(
            GapSeries(
                locality_code=locality.code,
                locality_name=locality.name,
                locality_kind=locality.kind,
                care_type=care_type,
                unit=unit_of(care_type),
                points=filled,
            )
        )
    found.sort(key=lambda s: (-s.points[-1]["gap"], s.locality_name, CARE_TYPE_ORDER[s.care_type]))
    return found


# --- the map ------------------------------------------------------------------------------------------------


def capacity_gap_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    """`?properties=capacity_gap` on the district and ward layers: today's gap per care type (beds, or hours a
    week for homecare); care types with nothing to show are left out."""
    ids = [locality.id for locality in localities if locality.kind in (LocalityKind.DISTRICT, LocalityKind.WARD)]
    if not ids:
        return {}
    figures = gap_figures(on=timezone.localdate(), locality_ids=ids)
    found: dict[int, dict] = {locality_id: {"capacity_gap": {}} for locality_id in ids}
    for (locality_id, care_type), values in figures.items():
        found[locality_id]["capacity_gap"][care_type] = float(values["gap"])
    return found
