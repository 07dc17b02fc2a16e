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
  thousands of people) stays about a million edges rather than a dense people × beds matrix; edges to beds no plan
  would need are left out first (see _edges: about half of them on the national estate). At equal distance a
  block bed wins over a spot bed (a spot edge weighs a metre more): the block bed is already paid for.
  A SciPy linear programme (HiGHS) over homes rather than people was tried: the same plans, three times slower.
- **Cost**: today's weekly cost (what each placement costs now) against the plan's (the block bed's rate on the
  day, or the council's latest spot price of the care type on or before the day), and the spot beds to buy.
- **The market after**: capacity gaps and concentration by the existing selectors with the provider left out.

Everything is read in a fixed number of queries whatever the number of people or beds, the free beds as columns
(numpy arrays) and kept as slots (a line's free beds, or a home's spot vacancies of a care type, with how many):
a Bed is made only for a slot the plan gives someone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
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
from core.replica import replica_reads
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
        homes = homes.filter(Q(care_home=True) | Q(Exists(Placement.objects.filter(location=OuterRef("pk")))))
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
#
# Read in a few light queries: the homes beds may be offered at (name, provider, district, coordinates) and those
# of them restricted, each home once rather than on every one of its lines; the free block lines (bed line, care
# type, home, counts, rate); and the fresh reports (care type, home, vacant beds). The beds are then kept as
# *slots* (a block line's free beds, or a home's spot vacancies of one care type) with how many beds each holds: a
# bed is a column of the assignment, but a Bed object is made only for a slot the plan gives someone.


def _restricted_homes(on: date) -> set[int]:
    """The homes that are Inadequate, or under a condition stopping admissions on `on`: two small queries, rather
    than a subquery asked of every home in the homes' query, which made PostgreSQL's planner expect that query to be
    costly enough to compile first (JIT), and compiling took longer than running it."""
    inadequate = Location.objects.filter(current_rating__overall=RatingValue.INADEQUATE).values_list("pk", flat=True)
    no_admissions = (
        Condition.objects.filter(stops_admissions=True, imposed_on__lte=on)
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
        .values_list("location_id", flat=True)
    )
    return set(inadequate) | set(no_admissions)


# (min lat, max lat, min lon, max lon) of the homes a bed may be offered at; None: anywhere.
Box = tuple[float, float, float, float]
NOWHERE: Box = (90.0, -90.0, 180.0, -180.0)  # no point is in it


def _reach(people: list[Person], radius_km: float) -> Box:
    """The bounding box around every affected home, widened by the radius: an indexed prefilter of the beds."""
    placed = [(p.latitude, p.longitude) for p in people if p.latitude is not None and p.longitude is not None]
    if not placed:
        return NOWHERE
    boxes = [bounding_box(lat, lon, radius_km) for lat, lon in set(placed)]
    return (
        min(box[0] for box in boxes),
        max(box[1] for box in boxes),
        min(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def _in_box(box: Box | None, prefix: str = "") -> Q:
    if box is None:
        return Q()
    return Q(
        **{
            f"{prefix}latitude__gte": box[0],
            f"{prefix}latitude__lte": box[1],
            f"{prefix}longitude__gte": box[2],
            f"{prefix}longitude__lte": box[3],
        }
    )


# Registered homes with coordinates: the homes a bed may be offered at.
_OFFERED_AT = Q(registration_status=RegistrationStatus.REGISTERED, latitude__isnull=False, longitude__isnull=False)
_AT_A_HOME_OFFERED = Q(
    location__registration_status=RegistrationStatus.REGISTERED,
    location__latitude__isnull=False,
    location__longitude__isnull=False,
)


def _others(queryset, provider: Provider | None):
    return queryset if provider is None else queryset.exclude(location__provider=provider)


LINE_VALUES = ("pk", "care_type", "location_id", "contracted_beds", "placed_beds", "closed_beds")


def _lines_counted(where: Q, *, provider: Provider | None, on: date) -> tuple[list[tuple], dict[int, int]]:
    """Active lines of live contracts with their beds counted on `on` (bed_lines_with_voids): (bed line, care type,
    home, contracted, placed, closed, held, weekly rate, None), and no holds to recount."""
    lines = bed_lines_with_voids(
        _others(
            BedLine.objects.filter(where, active_on(on, start="activation_date"), live_contract("contract__")), provider
        ),
        on=on,
    )
    return [(*row, None) for row in lines.order_by().values_list(*LINE_VALUES, "held_beds", "weekly_rate")], {}


def _lines_from_state(
    where: Q, *, provider: Provider | None, on: date, now: datetime
) -> tuple[list[tuple], dict[int, int]]:
    """The same lines and counts from the free-bed state of today (only lines active in a live contract have a
    row), those with a void bed, with the time their first hold lapses; and the holds counted afresh on each line
    whose first hold has lapsed since its state was written, as the bed finder does. The recount is a second query
    for those lines only, so the first stays a plain scan: a recount in it, line by line, made PostgreSQL's
    planner expect a query costly enough to compile first (JIT), which took longer than running it."""
    rows = list(
        _others(FreeBedState.objects.filter(where, on=on, void_beds__gt=0), provider)
        .order_by()
        .values_list(*LINE_VALUES, "held_beds", "weekly_rate", "holds_expire_first")
    )
    lapsed = [row[0] for row in rows if row[8] is not None and row[8] <= now]
    if not lapsed:
        return rows, {}
    held = dict.fromkeys(lapsed, 0)
    held.update(
        Hold.objects.filter(bed_line_id__in=lapsed, status=HoldStatus.HELD, expires_at__gt=now)
        .order_by()
        .values_list("bed_line_id")
        .annotate(n=Count("*"))
        .values_list("bed_line_id", "n")
    )
    return rows, held


HOME_VALUES = ("pk", "name", "provider_id", "provider__name", "district__name", "latitude", "longitude")


class Home(NamedTuple):
    """A home a bed may be offered at."""

    name: str
    provider_id: int
    provider: str
    district: str
    latitude: float
    longitude: float
    restricted: bool  # Inadequate, or no admissions on the day


def _near(people: list[Person], radius_km: float) -> tuple[np.ndarray, float]:
    """The affected homes' (lat, lon) and the radius: free_beds keeps only the homes within it of one of them."""
    points = {(p.latitude, p.longitude) for p in people if p.latitude is not None and p.longitude is not None}
    return np.array(sorted(points), dtype=float).reshape(-1, 2), radius_km


class FreeBedRows:
    """Free block lines and fresh reports of some care types on a day at registered, located homes, with their
    homes, read in a few queries: of every provider but `provider` (every provider when None) within `reach` (a
    bounding box; None for anywhere). The nightly rule reads the whole estate once and asks `near` for the
    rows near each provider's homes (a k-d tree of the homes); a what-if reads only its own reach. Kept as columns
    (numpy arrays), so that choosing and counting them is done a column at a time, not a row at a time.

    - the homes, sorted by id: `home_ids`, `home_points` (lat, lon), `home_providers`, `home_restricted`
      (Inadequate, or no admissions on the day), and `homes` {id: Home} for their names;
    - the lines with a free bed: `line_ids`, `line_care` (an index into `care_codes`), `line_home` (an index into
      the homes), `line_free` (free beds as the bed finder counts them: contracted − placed − closed − held) and
      `line_rates` (weekly, Decimal or None);
    - each home's latest fresh report of a care type: `report_care`, `report_home`, `report_vacant`."""

    def __init__(
        self,
        *,
        care_types: set[str],
        on: date,
        provider: Provider | None = None,
        reach: Box | None = None,
        now: datetime | None = None,
    ):
        self.care_types = set(care_types)
        self.care_codes = sorted(self.care_types)
        code = {name: index for index, name in enumerate(self.care_codes)}
        homes = Location.objects.filter(_OFFERED_AT, _in_box(reach))
        if provider is not None:
            homes = homes.exclude(provider=provider)
        found = sorted(homes.order_by().values_list(*HOME_VALUES))
        restricted = _restricted_homes(on)
        self.homes = {
            pk: Home(name, provider_id, provider_name, district or "(no district)", lat, lon, pk in restricted)
            for pk, name, provider_id, provider_name, district, lat, lon in found
        }
        self.home_ids = np.array([row[0] for row in found], dtype=np.int64)
        self.home_points = np.array([(row[5], row[6]) for row in found], dtype=float).reshape(-1, 2)
        self.home_providers = np.array([row[2] for row in found], dtype=np.int64)
        self.home_restricted = np.array([row[0] in restricted for row in found], dtype=bool)
        position = {pk: index for index, pk in enumerate(self.home_ids.tolist())}

        where = Q(care_type__in=self.care_types) & _AT_A_HOME_OFFERED & _in_box(reach, "location__")
        lines, recounted = (
            _lines_from_state(where, provider=provider, on=on, now=now or timezone.now())
            if free_bed_state_ready(on)
            else _lines_counted(where, provider=provider, on=on)
        )
        ids, care, home, free_beds, rates = [], [], [], [], []
        for bed_line, care_type, location_id, contracted, placed, closed, held, rate, _ in lines:
            at = position.get(location_id)  # None: the home changed between the two reads
            free = void_and_free(
                contracted=contracted, placed=placed, closed=closed, held=recounted.get(bed_line, held)
            )[1]
            if at is not None and free > 0:
                ids.append(bed_line)
                care.append(code[care_type])
                home.append(at)
                free_beds.append(free)
                rates.append(rate)
        self.line_ids = np.array(ids, dtype=np.int64)
        self.line_care = np.array(care, dtype=np.int64)
        self.line_home = np.array(home, dtype=np.int64)
        self.line_free = np.array(free_beds, dtype=np.int64)
        self.line_rates = np.empty(len(rates), dtype=object)
        self.line_rates[:] = rates

        reports = [
            (code[care_type], position[location_id], vacant)
            for care_type, location_id, vacant in _others(_fresh_reports(on).filter(where), provider)
            .order_by()
            .values_list("care_type", "location_id", "vacant_beds")
            if location_id in position
        ]
        self.report_care = np.array([row[0] for row in reports], dtype=np.int64)
        self.report_home = np.array([row[1] for row in reports], dtype=np.int64)
        self.report_vacant = np.array([row[2] for row in reports], dtype=np.int64)
        self._tree = None

    def _subset(self, *, care_types: set[str], lines: np.ndarray, reports: np.ndarray) -> FreeBedRows:
        rows = FreeBedRows.__new__(FreeBedRows)
        rows.__dict__.update(self.__dict__)
        rows.care_types = set(care_types)
        for name in ("line_ids", "line_care", "line_home", "line_free", "line_rates"):
            setattr(rows, name, getattr(self, name)[lines])
        for name in ("report_care", "report_home", "report_vacant"):
            setattr(rows, name, getattr(self, name)[reports])
        return rows

    def near(
        self, *, provider: Provider | None, care_types: set[str], near: tuple[np.ndarray, float] | None
    ) -> FreeBedRows:
        """The rows of these care types at homes within the radius of one of the points (every home when `near`
        is None), but not `provider`'s: what reading them for that provider alone would give."""
        if not care_types <= self.care_types:
            raise ValueError(f"FreeBedRows holds {sorted(self.care_types)}, not {sorted(care_types)}")
        kept = np.ones(len(self.home_ids), dtype=bool)
        if near is not None:
            points, radius_km = near
            kept[:] = False
            if len(points) and len(self.home_ids):
                if self._tree is None:
                    self._tree = cKDTree(_unit_vectors(self.home_points))
                chord = 2 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2) * (1 + 1e-9) + 1e-12
                found = set()
                for hits in self._tree.query_ball_point(_unit_vectors(points), chord):
                    found.update(hits)
                candidates = np.array(sorted(found), dtype=np.int64)
                _, reached = near_pairs(points, self.home_points[candidates], radius_km=radius_km)
                kept[candidates[reached]] = True
        if provider is not None:
            kept &= self.home_providers != provider.pk
        wanted = np.array([name in care_types for name in self.care_codes], dtype=bool)
        return self._subset(
            care_types=care_types,
            lines=kept[self.line_home] & wanted[self.line_care],
            reports=kept[self.report_home] & wanted[self.report_care],
        )


@dataclass
class Slots:
    """Free beds as slots, sorted by care type, home, group (block before spot) and bed line: each slot a block
    line's free beds or a home's spot vacancies of one care type, with how many beds it holds (`counts`)."""

    care_types: list[str]
    location_ids: np.ndarray
    spot: np.ndarray  # bool
    bed_line_ids: np.ndarray  # 0 for a spot slot
    counts: np.ndarray
    points: np.ndarray  # (lat, lon) of each slot's home
    rates: list  # Decimal or None
    homes: dict[int, Home]
    _beds: dict[int, Bed] = field(default_factory=dict)

    @classmethod
    def of(cls, found: list[tuple], *, homes: dict[int, Home], points: list[tuple]) -> Slots:
        """Slots from (care type, home, spot, bed line or 0, beds, weekly rate), sorted, and each one's (lat, lon)."""
        return cls(
            care_types=[slot[0] for slot in found],
            location_ids=np.array([slot[1] for slot in found], dtype=np.int64),
            spot=np.array([slot[2] for slot in found], dtype=bool),
            bed_line_ids=np.array([slot[3] for slot in found], dtype=np.int64),
            counts=np.array([slot[4] for slot in found], dtype=np.int64),
            points=np.array(points, dtype=float).reshape(-1, 2),
            rates=[slot[5] for slot in found],
            homes=homes,
        )

    def __len__(self) -> int:
        return len(self.counts)

    def bed(self, index: int) -> Bed:
        """The slot's Bed (one object for all its beds, made once)."""
        found = self._beds.get(index)
        if found is None:
            home = self.homes[int(self.location_ids[index])]
            spot = bool(self.spot[index])
            found = self._beds[index] = Bed(
                group="spot" if spot else "block",
                location_id=int(self.location_ids[index]),
                location=home.name,
                provider=home.provider,
                district=home.district,
                care_type=self.care_types[index],
                latitude=home.latitude,
                longitude=home.longitude,
                bed_line_id=None if spot else int(self.bed_line_ids[index]),
                weekly_rate=self.rates[index],
            )
        return found

    def of_care_type(self) -> dict[str, range]:
        """The slots of each care type (contiguous: the slots are sorted by care type first)."""
        ranges: dict[str, range] = {}
        start = 0
        for index in range(1, len(self.care_types) + 1):
            if index == len(self.care_types) or self.care_types[index] != self.care_types[start]:
                ranges[self.care_types[start]] = range(start, index)
                start = index
        return ranges

    def beds(self) -> list[Bed]:
        """One Bed per free bed (a slot's beds are one object), in the slots' order."""
        return [bed for index in range(len(self)) for bed in [self.bed(index)] * int(self.counts[index])]


def _slots(rows: FreeBedRows, *, include_restricted: bool, most: Counter | dict) -> Slots:
    """The slots the rows offer. A line offers its free beds; a home's report offers the vacancies beyond its free
    block beds of the care type (a provider reports its empty beds, whoever pays for them), so one empty bed is
    never offered twice. Neither offers more beds of a care type than there are people of that care type (`most`):
    the rest could never be used."""
    codes = len(rows.care_codes)
    most_of = np.array([most.get(name, 0) for name in rows.care_codes], dtype=np.int64)
    line_ok = ~rows.home_restricted[rows.line_home] | include_restricted
    report_ok = ~rows.home_restricted[rows.report_home] | include_restricted
    # Each home's free block beds of each care type, which its report of that care type is taken to include.
    block_free = np.bincount(
        rows.line_home[line_ok] * codes + rows.line_care[line_ok],
        weights=rows.line_free[line_ok],
        minlength=len(rows.home_ids) * codes,
    ).astype(np.int64)
    line_count = np.where(line_ok, np.minimum(rows.line_free, most_of[rows.line_care]), 0)
    beyond = rows.report_vacant - block_free[rows.report_home * codes + rows.report_care]
    report_count = np.where(report_ok, np.minimum(beyond, most_of[rows.report_care]), 0)
    lines, reports = line_count > 0, report_count > 0
    care = np.concatenate([rows.line_care[lines], rows.report_care[reports]])
    home = np.concatenate([rows.line_home[lines], rows.report_home[reports]])
    spot = np.concatenate([np.zeros(int(lines.sum()), dtype=bool), np.ones(int(reports.sum()), dtype=bool)])
    bed_line = np.concatenate([rows.line_ids[lines], np.zeros(int(reports.sum()), dtype=np.int64)])
    count = np.concatenate([line_count[lines], report_count[reports]])
    rates = np.concatenate([rows.line_rates[lines], np.full(int(reports.sum()), None, dtype=object)])
    # The homes are sorted by id and the care types by name: this is (care type, home, block first, bed line).
    order = np.lexsort((bed_line, spot, home, care))
    return Slots(
        care_types=[rows.care_codes[index] for index in care[order].tolist()],
        location_ids=rows.home_ids[home[order]],
        spot=spot[order],
        bed_line_ids=bed_line[order],
        counts=count[order],
        points=rows.home_points[home[order]].reshape(-1, 2),
        rates=rates[order].tolist(),
        homes=rows.homes,
    )


def _free_bed_slots(
    *,
    provider: Provider,
    care_types: set[str],
    on: date,
    reach: Box | None,
    include_restricted: bool,
    most: Counter | dict,
    near: tuple[np.ndarray, float] | None = None,
    candidates: FreeBedRows | None = None,
) -> Slots:
    if candidates is None:
        rows = FreeBedRows(care_types=care_types, on=on, provider=provider, reach=reach)
    else:
        rows = candidates
    return _slots(
        rows.near(provider=provider, care_types=care_types, near=near), include_restricted=include_restricted, most=most
    )


def free_beds(
    *,
    provider: Provider,
    care_types: set[str],
    on: date,
    reach: Box | None,
    include_restricted: bool,
    most: Counter | dict,
    near: tuple[np.ndarray, float] | None = None,
    candidates: FreeBedRows | None = None,
) -> list[Bed]:
    """Every free bed of these care types at other providers' registered homes within `reach` (a bounding box,
    None for anywhere) on `on`: free block
    beds, then reported spot vacancies beyond the home's free block beds of the care type (a few queries). A line
    or home offers no more beds of a care type than there are people of that care type (`most`). `near` (the
    affected homes' (lat, lon) and the radius) keeps only the homes within the radius of one of them: the others
    could never take anyone. `candidates` (FreeBedRows read once for the whole estate) is read instead of the
    database.

    On today, once the free-bed state is rebuilt for it (contracts.selectors.bed_finder.free_bed_state_ready), the
    block lines' beds are read from the state (contracts.models.FreeBedState) as the bed finder reads them; on any
    other day they are counted (contracts.selectors.bed_lines_with_voids). Both give the same beds."""
    return _free_bed_slots(
        provider=provider,
        care_types=care_types,
        on=on,
        reach=reach,
        include_restricted=include_restricted,
        most=most,
        near=near,
        candidates=candidates,
    ).beds()


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


def _edges(
    people: _Homes, beds: _Homes, *, radius_km: float, tie: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (person, bed, distance) edges the plan needs, built from the homes within the radius of each other
    (near_pairs): each near pair of homes gives every person of the one with every bed of the other (vectorised).

    Not every bed within a person's radius is needed. Beds within the radius of a home h can be taken only by people
    within twice the radius of h (their home and h are each within the radius of the bed), say K of them. A person
    at h given a bed ranked beyond h's K nearest (by weight: distance, plus `tie` for a spot bed) could be moved to
    one of those K, as at most K − 1 others can have taken them, and no one would move further. So each home's
    people keep the edges to its K nearest beds only: every plan that places the most people the least total
    distance is still there (on the national estate about half the edges)."""
    origin, target = near_pairs(people.points, beds.points, radius_km=radius_km)
    distance = _pair_distances_km(people.points[origin], beds.points[target])
    if len(origin):
        within, other = near_pairs(people.points, people.points, radius_km=2 * radius_km + 1e-6)
        competitors = np.bincount(within, weights=people.counts[other], minlength=len(people.counts))
        weight = distance if tie is None else distance + tie[target]
        order = np.lexsort((target, weight, origin))  # each home's beds, nearest first
        counts = beds.counts[target[order]]
        taken = np.cumsum(counts) - counts  # beds nearer than this slot's first, from the first home on
        first_of_home = np.searchsorted(origin[order], origin[order], side="left")
        nearer = taken - taken[first_of_home]
        keep = np.empty(len(order), dtype=bool)
        keep[order] = nearer < competitors[origin[order]]
        origin, target, distance = origin[keep], target[keep], distance[keep]
    sizes = people.counts[origin] * beds.counts[target]
    total = int(sizes.sum())
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    pair = np.repeat(np.arange(len(origin)), sizes)
    offset = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = beds.counts[target][pair]
    rows = people.starts[origin][pair] + offset // width
    cols = beds.starts[target][pair] + offset % width
    return rows, cols, distance[pair]


def optimal_plan(people: list[Person], beds: list[Bed], *, radius_km: float) -> list[Move]:
    """The assignment that places the most people within the radius and, among those, moves them the least total
    distance (see the module's docstring), of a list of beds (identical beds are one slot)."""
    return _optimal(people, _slots_of(beds), radius_km=radius_km)


def _slots_of(beds: list[Bed]) -> Slots:
    counts: Counter = Counter()
    first: dict[tuple, Bed] = {}
    for bed in beds:
        key = (bed.care_type, bed.location_id, bed.group == "spot", bed.bed_line_id or 0)
        counts[key] += 1
        first.setdefault(key, bed)
    keys = sorted(counts)
    slots = Slots.of(
        [(*key, counts[key], first[key].weekly_rate) for key in keys],
        homes={},
        points=[(first[key].latitude, first[key].longitude) for key in keys],
    )
    slots._beds = {index: first[key] for index, key in enumerate(keys)}
    return slots


def _optimal(people: list[Person], slots: Slots, *, radius_km: float) -> list[Move]:
    """optimal_plan over slots. Solved for each care type apart (a bed takes only its own care type): each free bed
    is a column (a slot's beds are its columns, side by side), each person a row; edges between the homes within
    the radius of each other (near_pairs), vectorised."""
    moves: dict[int, Move] = {}
    ranges = slots.of_care_type()
    for care_type, group in _groups(people).items():
        located = [person for person in group if person.latitude is not None and person.longitude is not None]
        span = ranges.get(care_type)
        if not located or span is None:
            continue
        origins = _by_home(located, key=lambda person: person.location_id)
        counts = slots.counts[span.start : span.stop]
        targets = _Homes(
            items=[],
            starts=np.cumsum(counts) - counts,
            counts=counts,
            points=slots.points[span.start : span.stop],
        )
        tie = SPOT_TIE_KM * slots.spot[span.start : span.stop]
        rows, cols, distance = _edges(origins, targets, radius_km=radius_km, tie=tie)
        n, m = len(origins.items), int(counts.sum())
        slot_of_column = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        weights = distance + tie[slot_of_column[cols]]
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
        chosen_rows = row_ind[placed]
        chosen_slots = slot_of_column[col_ind[placed]]
        home_of_row = np.repeat(np.arange(len(origins.counts), dtype=np.int64), origins.counts)
        km = _pair_distances_km(origins.points[home_of_row[chosen_rows]], targets.points[chosen_slots])
        for row, slot, distance_km in zip(chosen_rows.tolist(), chosen_slots.tolist(), km.tolist(), strict=True):
            person = origins.items[row]
            moves[person.placement_id] = Move(
                person=person, bed=slots.bed(span.start + slot), distance_km=round(distance_km, 2)
            )
    return [moves.get(person.placement_id) or Move(person=person, bed=None, distance_km=None) for person in people]


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


@replica_reads
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
    moves = (
        _optimal(
            people,
            _free_bed_slots(
                provider=provider,
                care_types=set(most) - {NO_CARE_TYPE},
                on=on,
                reach=_reach(people, radius),
                include_restricted=include_restricted,
                most=most,
                near=_near(people, radius),
                candidates=candidates,
            ),
            radius_km=radius,
        )
        if people
        else []
    )
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
