"""If a provider fails tonight (Care Act 2014 s48): who is affected, where they could go, what it costs, what is short
and what the market looks like after, for a provider, one of its homes, or its homes in an area, on a day.

- **Affected**: the council-arranged people in the failing homes' beds on the day (any kind: block, spot, respite,
  emergency, contingency), by care type and district; the people it gives homecare to (as lead, contingency or
  spot provider) with their hours a week by ward, and the other providers delivering homecare in those wards now;
  and an *estimate* of the other residents (self-funders and other councils' placements, whom s48 covers too):
  each home's registered beds − council placements there − its latest fresh reported vacancies, never below 0.
- **Where they could go**: every bed free on the day at another provider's registered home (free block beds of
  live contracts as the bed finder counts them: contracted − placed − closed − held; then each home's latest fresh
  reported spot vacancies), of the person's care type, within FAILURE_RADIUS_KM of the home the person is in now.
  Inadequate and no-admissions homes are left out unless asked. A home's reported vacancies of a care type are
  taken to include its free block beds of that care type (a provider reports its empty beds, whoever pays for
  them), so only the vacancies beyond those are added as spot beds: one empty bed is never offered twice.
- **The plan** is an optimal assignment: each free bed is one column, each person one row, an edge where the bed
  is of the person's care type and within the radius, weighted by the distance; each person also has a column of
  their own, "not placed", weighted more than any set of real moves. The minimum-weight full matching of that
  sparse bipartite graph (scipy.sparse.csgraph.min_weight_full_bipartite_matching, the LAPJVsp algorithm) first
  places as many people as can be placed within the radius and, among those plans, moves people the least total
  distance; no bed is given twice because a column is matched once. SciPy is used rather than OR-Tools or a
  hand-written min-cost flow: it is already the scientific stack's foundation (numpy, pandas), it is one wheel,
  and its sparse solver works on only the edges within the radius, so a national estate (thousands of beds,
  thousands of people) stays a few million edges rather than a dense people × beds matrix. At equal distance a
  block bed wins over a spot bed (a spot edge weighs a metre more): the block bed is already paid for.
- **Cost**: today's weekly cost (what each placement costs now) against the plan's (the block bed's rate on the
  day, or the council's latest spot price of the care type on or before the day), and the spot beds to buy.
- **The market after**: capacity gaps and concentration by the existing selectors with the provider left out.

Everything is read in a fixed number of queries whatever the number of people or beds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

from contracts.models import (
    BedLine,
    CareType,
    FreeBedState,
    Hold,
    HoldStatus,
    Placement,
    PlacementKind,
    PlacementService,
    VacancyReport,
    live_contract,
)
from contracts.selectors import active_on, bed_lines_with_voids, void_and_free
from contracts.selectors.bed_finder import free_bed_state_ready
from geo.models import Locality
from geo.selectors import bounding_box, locality_parts
from market.models import FailureResponse, FailureResponsePerson, OversightEntry, PersonStatus, SpotPrice
from market.selectors.contingency import planned_moves
from market.selectors.gaps import capacity_gaps
from market.selectors.market_shape import market_shape
from market.selectors.supply import fresh_after
from providers.models import Condition, Location, Provider, RatingValue, RegistrationStatus

EARTH_RADIUS_KM = 6371.0088
SPOT_TIE_KM = 0.001  # a metre: a block bed wins over a spot bed at the same distance
BED_KINDS = (
    PlacementKind.BLOCK,
    PlacementKind.SPOT,
    PlacementKind.RESPITE,
    PlacementKind.EMERGENCY,
    PlacementKind.CONTINGENCY,
)
HOMECARE_KINDS = (PlacementKind.LEAD_PROVIDER, PlacementKind.CONTINGENCY, PlacementKind.SPOT)
NO_CARE_TYPE = ""


@dataclass
class Person:
    placement_id: int
    reference: str
    kind: str
    care_type: str
    location_id: int
    location: str
    latitude: float | None
    longitude: float | None
    district: str
    weekly_cost: Decimal | None


@dataclass
class Bed:
    """One free bed: a block line's (bed_line_id) or a home's reported vacancy (spot)."""

    group: str  # block or spot
    location_id: int
    location: str
    provider: str
    district: str
    care_type: str
    latitude: float
    longitude: float
    bed_line_id: int | None
    weekly_rate: Decimal | None


@dataclass
class Move:
    person: Person
    bed: Bed | None
    distance_km: float | None
    weekly_cost_after: Decimal | None = None  # the block rate or the council's spot price, once costed

    @property
    def placed(self) -> bool:
        return self.bed is not None


@dataclass
class HomecareWard:
    ward_id: int | None
    ward: str
    district: str
    people: int
    hours_per_week: Decimal
    others: list[dict] = field(default_factory=list)  # [{"provider": name, "hours_per_week": Decimal}]


@dataclass
class OtherResidents:
    location_id: int
    location: str
    registered_beds: int | None
    council_people: int
    reported_vacancies: int
    estimate: int | None  # None when the home's registered beds are unknown


OTHER_RESIDENTS_METHOD = (
    "Registered beds at each home, less the council's placements there on the day, less the home's latest fresh "
    "reported vacancies; never below 0. An estimate: homes do not report who pays for the rest."
)


@dataclass
class WhatIf:
    provider: Provider
    on: date
    radius_km: float
    include_restricted: bool
    homes: list[dict]
    moves: list[Move]
    homecare: list[HomecareWard]
    other_residents: list[OtherResidents]
    cost_today: Decimal
    cost_plan: Decimal
    unpriced: int  # people whose cost today or in the plan is not known
    spot_beds_to_buy: int
    gaps_before: list = field(default_factory=list)
    gaps_after: list = field(default_factory=list)
    concentration: list[dict] = field(default_factory=list)
    location: Location | None = None
    area: Locality | None = None
    market_after: bool = False  # whether gaps_after and concentration were worked out

    @property
    def people(self) -> int:
        return len(self.moves)

    @property
    def placed(self) -> list[Move]:
        return [move for move in self.moves if move.placed]

    @property
    def short(self) -> list[Move]:
        return [move for move in self.moves if not move.placed]

    @property
    def total_distance_km(self) -> float:
        return round(sum(move.distance_km or 0 for move in self.placed), 2)

    @property
    def affected_by_care_type_and_district(self) -> list[dict]:
        return _by_care_type_and_district(self.moves)

    @property
    def shortfall(self) -> list[dict]:
        """People who cannot be placed within the radius, by care type and district, most first."""
        return _by_care_type_and_district(self.short)

    @property
    def homecare_people(self) -> int:
        return sum(ward.people for ward in self.homecare)

    @property
    def homecare_hours(self) -> Decimal:
        return sum((ward.hours_per_week for ward in self.homecare), Decimal(0))

    @property
    def other_residents_estimate(self) -> int:
        return sum(row.estimate or 0 for row in self.other_residents)

    @property
    def cost_difference(self) -> Decimal:
        return self.cost_plan - self.cost_today

    @property
    def headline(self) -> str:
        """ "143 people in 6 homes; 22 nursing dementia places short in Fenland"."""
        homes = len(self.homes)
        people = f"{self.people:,} {'person' if self.people == 1 else 'people'} in {homes:,} {_homes(homes)}"
        if self.homecare_people:
            people += f" and {self.homecare_people:,} receiving homecare"
        shortfall = self.shortfall
        if not shortfall:
            return f"{people}; every one can be placed within {self.radius_km:g} km"
        worst = shortfall[0]
        care_type = worst["care_type_label"].lower()
        places = "place" if worst["people"] == 1 else "places"
        return f"{people}; {worst['people']:,} {care_type} {places} short in {worst['district']}"


def _homes(count: int) -> str:
    return "home" if count == 1 else "homes"


def _care_type_label(care_type: str) -> str:
    return CareType(care_type).label if care_type in CareType.values else "Care type not recorded"


def _by_care_type_and_district(moves: list[Move]) -> list[dict]:
    counts = Counter((move.person.care_type, move.person.district) for move in moves)
    rows = [
        {"care_type": care_type, "care_type_label": _care_type_label(care_type), "district": district, "people": n}
        for (care_type, district), n in counts.items()
    ]
    rows.sort(key=lambda row: (-row["people"], row["district"], row["care_type_label"]))
    return rows


# --- the affected homes and people ----------------------------------------------------------------------------


def failing_homes(*, provider: Provider, location: Location | None = None, area: Locality | None = None) -> list:
    """The provider's homes that fail: one home, its homes in an area (the wards and districts the area covers),
    or all its care homes and homes with people placed."""
    homes = Location.objects.filter(provider=provider)
    if location is not None:
        homes = homes.filter(pk=location.pk)
    else:
        homes = homes.filter(Q(care_home=True) | Q(placements__isnull=False)).distinct()
        if area is not None:
            parts = locality_parts([area])[area.pk]
            homes = homes.filter(Q(ward_id__in=parts.wards) | Q(district_id__in=parts.districts))
    return list(
        homes.select_related("district").only(
            "id", "name", "latitude", "longitude", "registered_beds", "district__name", "postcode", "care_home"
        )
    )


def people_in_homes(*, home_ids: list[int], on: date) -> list[Person]:
    """The council's people in beds at these homes on `on` (one query)."""
    found = (
        Placement.objects.filter(
            active_on(on), location_id__in=home_ids, service=PlacementService.CARE_HOME, kind__in=BED_KINDS
        )
        .order_by("location__name", "reference", "id")
        .values_list(
            "id",
            "reference",
            "kind",
            "care_type",
            "location_id",
            "location__name",
            "location__latitude",
            "location__longitude",
            "location__district__name",
            "weekly_cost",
        )
    )
    return [
        Person(
            placement_id=pk,
            reference=reference,
            kind=kind,
            care_type=care_type or NO_CARE_TYPE,
            location_id=location_id,
            location=name,
            latitude=latitude,
            longitude=longitude,
            district=district or "(no district)",
            weekly_cost=weekly_cost,
        )
        for pk, reference, kind, care_type, location_id, name, latitude, longitude, district, weekly_cost in found
    ]


def homecare_by_ward(*, provider: Provider, on: date, area: Locality | None = None) -> list[HomecareWard]:
    """The provider's homecare people on `on` with their hours a week by ward (in the area, when given), and the
    other providers delivering homecare in those wards now with their hours (two queries)."""
    packages = Placement.objects.filter(
        active_on(on), provider=provider, service=PlacementService.HOMECARE, kind__in=HOMECARE_KINDS
    )
    if area is not None:
        packages = packages.filter(home_ward_id__in=locality_parts([area])[area.pk].wards)
    rows = list(
        packages.order_by()
        .values_list("home_ward_id", "home_ward__name", "home_ward__parent__name")
        .annotate(hours=Sum("hours_per_week"))
        .values_list("home_ward_id", "home_ward__name", "home_ward__parent__name", "hours")
    )
    people = dict(
        packages.order_by()
        .values_list("home_ward_id")
        .annotate(n=Count("reference", distinct=True))
        .values_list("home_ward_id", "n")
    )
    wards = {
        ward_id: HomecareWard(
            ward_id=ward_id,
            ward=name or "(ward not recorded)",
            district=district or "(no district)",
            people=people.get(ward_id, 0),
            hours_per_week=hours or Decimal(0),
        )
        for ward_id, name, district, hours in rows
    }
    ward_ids = [ward_id for ward_id in wards if ward_id is not None]
    if ward_ids:
        others = (
            Placement.objects.filter(
                active_on(on), home_ward_id__in=ward_ids, service=PlacementService.HOMECARE, kind__in=HOMECARE_KINDS
            )
            .exclude(provider=provider)
            .order_by()
            .values_list("home_ward_id", "provider__name")
            .annotate(hours=Sum("hours_per_week"))
            .values_list("home_ward_id", "provider__name", "hours")
        )
        for ward_id, name, hours in others:
            wards[ward_id].others.append({"provider": name or "(no provider)", "hours_per_week": hours or Decimal(0)})
    for ward in wards.values():
        ward.others.sort(key=lambda other: (-other["hours_per_week"], other["provider"]))
    return sorted(wards.values(), key=lambda ward: (-ward.hours_per_week, ward.district, ward.ward))


def _latest_fresh_reports(on: date) -> Subquery:
    return Subquery(
        VacancyReport.objects.filter(
            location=OuterRef("location"), care_type=OuterRef("care_type"), report_date__lte=on
        )
        .order_by("-report_date", "-id")
        .values("id")[:1]
    )


def _fresh_reports(on: date):
    """Each home's latest report of each care type by `on`, if fresh (the supply's staleness rule) and accepting."""
    return VacancyReport.objects.filter(
        report_date__lte=on,
        report_date__gte=fresh_after(on),
        id=_latest_fresh_reports(on),
        vacant_beds__gt=0,
        accepting_admissions=True,
    )


def other_residents(*, homes: list[Location], people: list[Person], on: date) -> list[OtherResidents]:
    """The estimate of the people the council did not place (OTHER_RESIDENTS_METHOD), per home (one query)."""
    placed = Counter(person.location_id for person in people)
    reported = dict(
        _fresh_reports(on)
        .filter(location_id__in=[home.pk for home in homes])
        .order_by()
        .values_list("location_id")
        .annotate(n=Sum("vacant_beds"))
        .values_list("location_id", "n")
    )
    rows = []
    for home in homes:
        council, vacant = placed.get(home.pk, 0), reported.get(home.pk, 0) or 0
        estimate = None if home.registered_beds is None else max(home.registered_beds - council - vacant, 0)
        rows.append(
            OtherResidents(
                location_id=home.pk,
                location=home.name,
                registered_beds=home.registered_beds,
                council_people=council,
                reported_vacancies=vacant,
                estimate=estimate,
            )
        )
    return rows


# --- the free beds ------------------------------------------------------------------------------------------


def _restricted(on: date) -> Q:
    no_admissions = Condition.objects.filter(
        location=OuterRef("location_id"), stops_admissions=True, imposed_on__lte=on
    ).filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
    return Q(location__current_rating__overall=RatingValue.INADEQUATE) | Q(Exists(no_admissions))


def _reach(people: list[Person], radius_km: float) -> Q:
    """The bounding box around every affected home, widened by the radius: an indexed prefilter of the beds."""
    placed = [(p.latitude, p.longitude) for p in people if p.latitude is not None and p.longitude is not None]
    if not placed:
        return Q(pk__in=[])
    boxes = [bounding_box(lat, lon, radius_km) for lat, lon in set(placed)]
    return Q(
        location__latitude__gte=min(box[0] for box in boxes),
        location__latitude__lte=max(box[1] for box in boxes),
        location__longitude__gte=min(box[2] for box in boxes),
        location__longitude__lte=max(box[3] for box in boxes),
    )


_EVERYWHERE = Q()


def _others(queryset, provider: Provider | None):
    return queryset if provider is None else queryset.exclude(location__provider=provider)


def _lines_counted(where: Q, *, provider: Provider | None, on: date):
    """Active lines of live contracts with their beds counted on `on` (bed_lines_with_voids)."""
    return bed_lines_with_voids(
        _others(
            BedLine.objects.filter(where, active_on(on, start="activation_date"), live_contract("contract__")), provider
        ),
        on=on,
    ).annotate(held_now=F("held_beds"))


def _lines_from_state(where: Q, *, provider: Provider | None, on: date, now: datetime | None = None):
    """The same lines and counts from the free-bed state of today (only lines active in a live contract have a
    row). Holds are recounted only on a line whose first hold has lapsed since its state was written, as the bed
    finder does."""
    now = now or timezone.now()
    recount = (
        Hold.objects.filter(bed_line=OuterRef("bed_line_id"), status=HoldStatus.HELD, expires_at__gt=now)
        .order_by()
        .values("bed_line")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        _others(FreeBedState.objects.filter(where, on=on), provider)
        .annotate(
            held_now=Case(
                When(Q(holds_expire_first__isnull=True) | Q(holds_expire_first__gt=now), then=F("held_beds")),
                default=Coalesce(Subquery(recount, output_field=IntegerField()), 0),
                output_field=IntegerField(),
            ),
        )
        .filter(void_beds__gt=F("held_now"))
    )


def _within(rows: list[dict], near: tuple[np.ndarray, float] | None) -> list[dict]:
    """The rows whose home is within the radius of one of the points (all of them when `near` is None)."""
    if near is None or not rows:
        return rows
    points, radius_km = near
    homes = sorted({(row["location_id"], row["location__latitude"], row["location__longitude"]) for row in rows})
    coordinates = np.array([(lat, lon) for _, lat, lon in homes], dtype=float).reshape(-1, 2)
    _, reached = near_pairs(points, coordinates, radius_km=radius_km)
    kept = {homes[index][0] for index in set(reached.tolist())}
    return [row for row in rows if row["location_id"] in kept]


def _near(people: list[Person], radius_km: float) -> tuple[np.ndarray, float]:
    """The affected homes' (lat, lon) and the radius: free_beds keeps only the homes within it of one of them."""
    points = {(p.latitude, p.longitude) for p in people if p.latitude is not None and p.longitude is not None}
    return np.array(sorted(points), dtype=float).reshape(-1, 2), radius_km


def free_beds(
    *,
    provider: Provider,
    care_types: set[str],
    on: date,
    reach: Q,
    include_restricted: bool,
    most: Counter,
    near: tuple[np.ndarray, float] | None = None,
    candidates: FreeBedRows | None = None,
) -> list[Bed]:
    """Every free bed of these care types at other providers' registered homes within `reach` on `on`: free block
    beds, then reported spot vacancies beyond the home's free block beds of the care type (two queries). A line
    or home offers no more beds of a care type than there are people of that care type (`most`): the rest could
    never be used. `near` (the affected homes' (lat, lon) and the radius) keeps only the homes within the radius
    of one of them: the others could never take anyone. `candidates` (FreeBedRows read once for the whole estate)
    is read instead of the database.

    On today, once the free-bed state is rebuilt for it (contracts.selectors.bed_finder.free_bed_state_ready), the
    block lines' beds are read from the state (contracts.models.FreeBedState) as the bed finder reads them; on any
    other day they are counted (contracts.selectors.bed_lines_with_voids). Both give the same beds."""
    if candidates is None:
        lines, reports = free_bed_rows(provider=provider, care_types=care_types, on=on, reach=reach)
        lines, reports = _within(lines, near), _within(reports, near)
    else:
        lines, reports = candidates.near(provider=provider, care_types=care_types, near=near)
    beds: list[Bed] = []
    block_free: Counter = Counter()
    for line in lines:
        if line["restricted"] and not include_restricted:
            continue
        free = void_and_free(
            contracted=line["contracted_beds"],
            placed=line["placed_beds"],
            closed=line["closed_beds"],
            held=line["held_now"],
        )[1]
        block_free[(line["location_id"], line["care_type"])] += free
        beds.extend(
            [_bed("block", line, bed_line_id=line["pk"], rate=line["weekly_rate"])] * min(free, most[line["care_type"]])
        )
    for report in reports:
        if report["restricted"] and not include_restricted:
            continue
        beyond_block = report["vacant_beds"] - block_free[(report["location_id"], report["care_type"])]
        if beyond_block > 0:
            beds.extend(
                [_bed("spot", report, bed_line_id=None, rate=None)] * min(beyond_block, most[report["care_type"]])
            )
    return beds


HOME_VALUES = (
    "location_id",
    "location__name",
    "location__provider_id",
    "location__provider__name",
    "location__district__name",
    "location__latitude",
    "location__longitude",
)


def free_bed_rows(
    *, provider: Provider | None, care_types: set[str], on: date, reach: Q = _EVERYWHERE
) -> tuple[list[dict], list[dict]]:
    """The free block lines and fresh reports of these care types at registered, located homes within `reach`, of
    every provider but `provider` (of every provider when None), restricted or not (two queries)."""
    where = Q(care_type__in=care_types, location__registration_status=RegistrationStatus.REGISTERED) & reach
    restricted = _restricted(on)
    lines = (
        _lines_from_state(where, provider=provider, on=on)
        if free_bed_state_ready(on)
        else _lines_counted(where, provider=provider, on=on)
    )
    lines = (
        lines.annotate(restricted=Q(restricted))
        .filter(location__latitude__isnull=False, location__longitude__isnull=False)
        .order_by("location__name", "pk")
        .values(
            "pk",
            "care_type",
            *HOME_VALUES,
            "contracted_beds",
            "placed_beds",
            "closed_beds",
            "held_now",
            "weekly_rate",
            "restricted",
        )
    )
    reports = _fresh_reports(on).filter(where)
    if provider is not None:
        reports = reports.exclude(location__provider=provider)
    reports = (
        reports.annotate(restricted=Q(restricted))
        .filter(location__latitude__isnull=False, location__longitude__isnull=False)
        .order_by("location__name", "id")
        .values("care_type", "vacant_beds", *HOME_VALUES, "restricted")
    )
    return list(lines), list(reports)


class FreeBedRows:
    """Every provider's free bed rows of some care types on a day, read once, with a k-d tree of their homes: the
    nightly rule asks for the beds near each provider's homes without reading the estate again. `near` gives what
    free_bed_rows(provider=...) and _within give for that provider (a test compares the two)."""

    def __init__(self, *, care_types: set[str], on: date):
        self.care_types = set(care_types)
        self.lines, self.reports = free_bed_rows(provider=None, care_types=self.care_types, on=on)
        homes = sorted(
            {(row["location_id"], row["location__latitude"], row["location__longitude"]) for row in self.lines}
            | {(row["location_id"], row["location__latitude"], row["location__longitude"]) for row in self.reports}
        )
        self.home_ids = [home[0] for home in homes]
        self.points = np.array([(lat, lon) for _, lat, lon in homes], dtype=float).reshape(-1, 2)
        self.tree = cKDTree(_unit_vectors(self.points)) if homes else None
        self.lines_at: dict[int, list[int]] = defaultdict(list)
        self.reports_at: dict[int, list[int]] = defaultdict(list)
        for index, row in enumerate(self.lines):
            self.lines_at[row["location_id"]].append(index)
        for index, row in enumerate(self.reports):
            self.reports_at[row["location_id"]].append(index)

    def near(
        self, *, provider: Provider, care_types: set[str], near: tuple[np.ndarray, float] | None
    ) -> tuple[list[dict], list[dict]]:
        if not care_types <= self.care_types:
            raise ValueError(f"FreeBedRows holds {sorted(self.care_types)}, not {sorted(care_types)}")
        if self.tree is None or near is None or not len(near[0]):
            return [], []
        points, radius_km = near
        chord = 2 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2) * (1 + 1e-9) + 1e-12
        found = set()
        for hits in self.tree.query_ball_point(_unit_vectors(points), chord):
            found.update(hits)
        candidates = sorted(found)
        _, reached = near_pairs(points, self.points[candidates], radius_km=radius_km)
        homes = {self.home_ids[candidates[index]] for index in set(reached.tolist())}
        line_indexes = sorted(index for home in homes for index in self.lines_at.get(home, ()))
        report_indexes = sorted(index for home in homes for index in self.reports_at.get(home, ()))
        keep = lambda row: row["care_type"] in care_types and row["location__provider_id"] != provider.pk  # noqa: E731
        return (
            [row for row in (self.lines[index] for index in line_indexes) if keep(row)],
            [row for row in (self.reports[index] for index in report_indexes) if keep(row)],
        )


def _bed(group: str, row: dict, *, bed_line_id: int | None, rate: Decimal | None) -> Bed:
    return Bed(
        group=group,
        location_id=row["location_id"],
        location=row["location__name"],
        provider=row["location__provider__name"],
        district=row["location__district__name"] or "(no district)",
        care_type=row["care_type"],
        latitude=row["location__latitude"],
        longitude=row["location__longitude"],
        bed_line_id=bed_line_id,
        weekly_rate=rate,
    )


# --- the plan -----------------------------------------------------------------------------------------------


def distances_km(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Great-circle distances (haversine) between every origin and every destination, (lat, lon) in degrees."""
    if not len(origins) or not len(destinations):
        return np.zeros((len(origins), len(destinations)))
    lat1, lon1 = np.radians(origins[:, 0])[:, None], np.radians(origins[:, 1])[:, None]
    lat2, lon2 = np.radians(destinations[:, 0])[None, :], np.radians(destinations[:, 1])[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


@dataclass
class _Homes:
    """People (or beds) sorted by the home they are at, and each home's first index and count: distances are
    worked out between homes, never between every person and every bed."""

    items: list
    starts: np.ndarray
    counts: np.ndarray
    points: np.ndarray  # (lat, lon) of each home


def _by_home(items: list, key) -> _Homes:
    keys = [key(item) for item in items]
    order = sorted(range(len(items)), key=keys.__getitem__)  # stable, as sorted(items, key=key)
    ordered = [items[index] for index in order]
    starts, points = [], []
    previous = object()
    for position, index in enumerate(order):
        if keys[index] != previous:
            previous = keys[index]
            starts.append(position)
            points.append((ordered[position].latitude, ordered[position].longitude))
    starts_array = np.array(starts, dtype=np.int64)
    return _Homes(
        items=ordered,
        starts=starts_array,
        counts=np.diff(np.append(starts_array, len(ordered))).astype(np.int64),
        points=np.array(points, dtype=float).reshape(-1, 2),
    )


def _unit_vectors(points: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def near_pairs(origins: np.ndarray, destinations: np.ndarray, *, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Each (origin, destination) index pair whose great-circle distance is at most the radius, in the order
    np.nonzero(distances_km(origins, destinations) <= radius_km) gives them, without the full matrix: a k-d tree
    of the points on the unit sphere finds the candidates by the chord (a slightly wider reach), and the exact
    distance (the same haversine, pair by pair) keeps those within the radius."""
    empty = np.zeros(0, dtype=np.int64)
    if not len(origins) or not len(destinations):
        return empty, empty
    chord = 2 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2) * (1 + 1e-9) + 1e-12
    found = cKDTree(_unit_vectors(destinations)).query_ball_point(_unit_vectors(origins), chord)
    sizes = np.array([len(hits) for hits in found], dtype=np.int64)
    if not sizes.sum():
        return empty, empty
    origin = np.repeat(np.arange(len(origins), dtype=np.int64), sizes)
    target = np.concatenate([np.asarray(hits, dtype=np.int64) for hits in found if hits])
    order = np.lexsort((target, origin))
    origin, target = origin[order], target[order]
    keep = _pair_distances_km(origins[origin], destinations[target]) <= radius_km
    return origin[keep], target[keep]


def _pair_distances_km(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """distances_km of each start with its own end (pair by pair, the same formula)."""
    lat1, lon1 = np.radians(start[:, 0]), np.radians(start[:, 1])
    lat2, lon2 = np.radians(end[:, 0]), np.radians(end[:, 1])
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _edges(people: _Homes, beds: _Homes, *, radius_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (person, bed, distance) within the radius, built from the homes within the radius of each other
    (near_pairs): each near pair of homes gives every person of the one with every bed of the other (vectorised)."""
    origin, target = near_pairs(people.points, beds.points, radius_km=radius_km)
    sizes = people.counts[origin] * beds.counts[target]
    total = int(sizes.sum())
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    distance = _pair_distances_km(people.points[origin], beds.points[target])
    pair = np.repeat(np.arange(len(origin)), sizes)
    offset = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = beds.counts[target][pair]
    rows = people.starts[origin][pair] + offset // width
    cols = beds.starts[target][pair] + offset % width
    return rows, cols, distance[pair]


def optimal_plan(people: list[Person], beds: list[Bed], *, radius_km: float) -> list[Move]:
    """The assignment that places the most people within the radius and, among those, moves them the least total
    distance (see the module's docstring). Solved for each care type apart: a bed takes only its own care type."""
    moves: dict[int, Move] = {}
    beds_of: dict[str, list[Bed]] = defaultdict(list)
    for bed in beds:
        beds_of[bed.care_type].append(bed)
    for care_type, group in _groups(people).items():
        for person in group:
            moves[person.placement_id] = Move(person=person, bed=None, distance_km=None)
        located = [person for person in group if person.latitude is not None and person.longitude is not None]
        slots = beds_of.get(care_type, [])
        if not located or not slots:
            continue
        origins = _by_home(located, key=lambda person: person.location_id)
        targets = _by_home(slots, key=lambda bed: (bed.location_id, bed.group, bed.bed_line_id or 0))
        rows, cols, distance = _edges(origins, targets, radius_km=radius_km)
        n, m = len(origins.items), len(targets.items)
        spot = np.array([bed.group == "spot" for bed in targets.items])
        weights = distance + SPOT_TIE_KM * spot[cols]
        # Weights are shifted by 1 km so that a distance of 0 stays an edge (an explicit 0 is no edge to the
        # solver); the shift is the same for every placed person, so it changes nothing among plans that place
        # as many. "Not placed" outweighs any n real moves: the most people are placed first.
        not_placed = (n + 1) * (radius_km + 1 + SPOT_TIE_KM) + 1
        matrix = csr_matrix(
            (
                np.concatenate([weights + 1, np.full(n, not_placed)]),
                (np.concatenate([rows, np.arange(n)]), np.concatenate([cols, m + np.arange(n)])),
            ),
            shape=(n, m + n),
        )
        row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
        placed = col_ind < m
        chosen = {(int(row), int(col)) for row, col in zip(row_ind[placed], col_ind[placed], strict=True)}
        found = _distances_of(chosen, origins, targets)
        for (row, col), km in found.items():
            person = origins.items[row]
            moves[person.placement_id] = Move(person=person, bed=targets.items[col], distance_km=round(km, 2))
    return [moves[person.placement_id] for person in people]


def _distances_of(chosen: set[tuple[int, int]], origins: _Homes, targets: _Homes) -> dict[tuple[int, int], float]:
    """The distance of each chosen (person, bed), from their homes' coordinates."""
    if not chosen:
        return {}
    pairs = sorted(chosen)
    start = np.array([(origins.items[row].latitude, origins.items[row].longitude) for row, _ in pairs], dtype=float)
    end = np.array([(targets.items[col].latitude, targets.items[col].longitude) for _, col in pairs], dtype=float)
    lat1, lon1, lat2, lon2 = (np.radians(values) for values in (start[:, 0], start[:, 1], end[:, 0], end[:, 1]))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return {pair: float(value) for pair, value in zip(pairs, km, strict=True)}


def greedy_plan(people: list[Person], beds: list[Bed], *, radius_km: float) -> list[Move]:
    """Each person in turn takes the nearest bed still free within the radius: what a broker working down a list
    does, and what the optimal plan is measured against."""
    moves = []
    located = [person for person in people if person.latitude is not None and person.longitude is not None]
    if not located or not beds:
        return [Move(person=person, bed=None, distance_km=None) for person in people]
    origins = _by_home(located, key=lambda person: person.location_id)
    targets = _by_home(beds, key=lambda bed: (bed.location_id, bed.care_type, bed.group, bed.bed_line_id or 0))
    home_of = {}
    for index, start in enumerate(origins.starts):
        home_of[origins.items[start].location_id] = index
    distance = distances_km(origins.points, targets.points)
    order = np.argsort(distance, axis=1, kind="stable")
    taken = np.zeros(len(targets.starts), dtype=np.int64)
    for person in people:
        if person.location_id not in home_of or person.latitude is None:
            moves.append(Move(person=person, bed=None, distance_km=None))
            continue
        row = home_of[person.location_id]
        best = None
        for target in order[row]:
            if distance[row, target] > radius_km:
                break
            bed = targets.items[targets.starts[target]]
            if bed.care_type == person.care_type and taken[target] < targets.counts[target]:
                best = target
                break
        if best is None:
            moves.append(Move(person=person, bed=None, distance_km=None))
        else:
            taken[best] += 1
            bed = targets.items[targets.starts[best] + taken[best] - 1]
            moves.append(Move(person=person, bed=bed, distance_km=round(float(distance[row, best]), 2)))
    return moves


def _groups(people: list[Person]) -> dict[str, list[Person]]:
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        groups[person.care_type].append(person)
    return groups


# --- cost -----------------------------------------------------------------------------------------------------


def spot_prices_on(on: date) -> dict[str, Decimal]:
    """The council's latest spot price of each care type on or before `on` (one query)."""
    prices: dict[str, Decimal] = {}
    for care_type, price in (
        SpotPrice.objects.filter(priced_on__lte=on).order_by("priced_on").values_list("care_type", "weekly_price")
    ):
        prices[care_type] = price
    return prices


def _costs(moves: list[Move], *, on: date) -> tuple[Decimal, Decimal, int]:
    """Weekly cost today, in the plan (placed people only, so the two compare like with like), and how many of
    them had a cost missing on either side (left out of both)."""
    prices = spot_prices_on(on)
    today = plan = Decimal(0)
    unpriced = 0
    for move in moves:
        if move.bed is None:
            continue
        after = move.bed.weekly_rate if move.bed.group == "block" else prices.get(move.bed.care_type)
        move.weekly_cost_after = after
        if move.person.weekly_cost is None or after is None:
            unpriced += 1
            continue
        today += move.person.weekly_cost
        plan += after
    return today, plan, unpriced


# --- the what-if --------------------------------------------------------------------------------------------


def failure_what_if(
    *,
    provider: Provider,
    on: date,
    location: Location | None = None,
    area: Locality | None = None,
    include_restricted: bool = False,
    radius_km: float | None = None,
    market_after: bool = True,
    candidates: FreeBedRows | None = None,
) -> WhatIf:
    """If `provider` (or one of its homes, or its homes in an area) failed on `on`: see the module's docstring.
    `market_after=False` skips the capacity gaps and concentration (the nightly rule does not need them);
    `candidates` (FreeBedRows of every care type on `on`) spares the nightly rule reading the free beds again."""
    radius = settings.FAILURE_RADIUS_KM if radius_km is None else radius_km
    homes = failing_homes(provider=provider, location=location, area=area)
    people = people_in_homes(home_ids=[home.pk for home in homes], on=on)
    most = Counter(person.care_type for person in people)
    beds = (
        free_beds(
            provider=provider,
            care_types=set(most) - {NO_CARE_TYPE},
            on=on,
            reach=_reach(people, radius),
            include_restricted=include_restricted,
            most=most,
            near=_near(people, radius),
            candidates=candidates,
        )
        if people
        else []
    )
    moves = optimal_plan(people, beds, radius_km=radius)
    today, plan, unpriced = _costs(moves, on=on)
    homes_with_people = Counter(person.location_id for person in people)
    answer = WhatIf(
        provider=provider,
        on=on,
        radius_km=radius,
        include_restricted=include_restricted,
        homes=[
            {
                "location_id": home.pk,
                "location": home.name,
                "postcode": home.postcode,
                "district": home.district.name if home.district else "(no district)",
                "latitude": home.latitude,
                "longitude": home.longitude,
                "people": homes_with_people.get(home.pk, 0),
            }
            for home in homes
        ],
        moves=moves,
        homecare=[] if location is not None else homecare_by_ward(provider=provider, on=on, area=area),
        other_residents=other_residents(homes=homes, people=people, on=on),
        cost_today=today,
        cost_plan=plan,
        unpriced=unpriced,
        spot_beds_to_buy=sum(1 for move in moves if move.bed is not None and move.bed.group == "spot"),
        location=location,
        area=area,
    )
    if market_after:
        answer.market_after = True
        _market_after(answer, homes=homes)
    return answer


def _market_after(answer: WhatIf, *, homes: list[Location]) -> None:
    """Capacity gaps and concentration in the failing homes' districts, today and without the provider."""
    district_ids = {home.district_id for home in homes if home.district_id}
    if not district_ids:
        return
    districts = list(Locality.objects.filter(pk__in=district_ids).select_related("parent").order_by("name"))
    before = {(gap.locality_id, gap.care_type): gap for gap in capacity_gaps(on=answer.on, localities=districts)}
    after = capacity_gaps(on=answer.on, localities=districts, leave_out=answer.provider)
    answer.gaps_after = after
    answer.gaps_before = list(before.values())
    rows = []
    for gap in after:
        was = before.get((gap.locality_id, gap.care_type))
        rows.append({"gap": gap, "before": was.gap if was else Decimal(0), "after": gap.gap})
    answer.gaps_after = rows
    shape_before = {
        (row.district_code, row.care_type): row for row in market_shape(on=answer.on, districts=districts).rows
    }
    shape_after = {
        (row.district_code, row.care_type): row
        for row in market_shape(on=answer.on, districts=districts, leave_out=answer.provider).rows
    }
    answer.concentration = [
        {
            "district": row.district_name,
            "care_type": row.care_type,
            "care_type_label": _care_type_label(row.care_type),
            "beds_before": row.beds,
            "hhi_before": row.hhi,
            "beds_after": shape_after[key].beds if key in shape_after else 0,
            "hhi_after": shape_after[key].hhi if key in shape_after else None,
        }
        for key, row in sorted(shape_before.items(), key=lambda item: (item[1].district_name, item[1].care_type))
    ]


# --- the oversight register and the responses -----------------------------------------------------------------


def oversight_register(*, include_left: bool = False, history: bool = True):
    """The providers in the Market Oversight scheme, highest stage first, each with the id of its open failure
    response (`open_response_id`, None if none), and its history unless `history` is False (two queries, one
    without it)."""
    open_response = FailureResponse.objects.filter(provider=OuterRef("provider_id"), closed_on__isnull=True)
    entries = OversightEntry.objects.select_related("provider").annotate(
        open_response_id=Subquery(open_response.order_by("-opened_on", "-id").values("pk")[:1])
    )
    if history:
        entries = entries.prefetch_related("changes__by")
    if not include_left:
        entries = entries.filter(left_on__isnull=True)
    return entries.order_by("-stage", "provider__name", "id")


@dataclass(frozen=True)
class ResponseProgress:
    on: date
    people: int
    to_move: int
    moved: int
    stayed: int
    settled: int  # moved + stayed
    planned: int  # people the straight line to the target date has settled by `on`
    behind_by: int
    status: str  # ahead, behind, on_plan

    @property
    def settled_percent(self) -> float | None:
        return round(self.settled / self.people, 4) if self.people else None


def responses_progress(*, responses: list, on: date) -> dict[int, ResponseProgress]:
    """Settled against planned on `on` for each response (by id), in one query: the contingency arrangements'
    straight line (market.selectors.contingency.planned_moves) from the day it opened to its target date."""
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = (
        FailureResponsePerson.objects.filter(response__in=[response.pk for response in responses])
        .order_by()
        .values_list("response_id", "status")
        .annotate(n=Count("id"))
    )
    for response_id, status, n in rows:
        counts[response_id][status] += n
    found = {}
    for response in responses:
        tally = counts[response.pk]
        people = sum(tally.values())
        moved, stayed = tally[PersonStatus.MOVED], tally[PersonStatus.STAYED]
        planned = planned_moves(response, to_move=people, on=on) or 0
        settled = moved + stayed
        found[response.pk] = ResponseProgress(
            on=on,
            people=people,
            to_move=tally[PersonStatus.TO_MOVE],
            moved=moved,
            stayed=stayed,
            settled=settled,
            planned=planned,
            behind_by=max(planned - settled, 0),
            status="behind" if settled < planned else ("ahead" if settled > planned else "on_plan"),
        )
    return found


def response_progress(*, response, on: date) -> ResponseProgress:
    return responses_progress(responses=[response], on=on)[response.pk]


def failure_responses():
    """Failure responses, latest opened first, with what a list shows (one query)."""
    return FailureResponse.objects.select_related("provider", "location", "area", "opened_by").order_by(
        "-opened_on", "-id"
    )


def failure_response_people():
    """People of failure responses with their home now, the plan's bed and where they moved (one query)."""
    return FailureResponsePerson.objects.select_related(
        "placement__location", "planned_location__provider", "new_placement__location"
    ).order_by("response_id", "reference", "id")
