"""Supply by locality and care type on a day, computed from what contracts and lots hold (nothing is stored):

- block beds: beds of active block bed lines of live contracts (contracts.models.live_contract_sql) less the
  beds closed that day, never below 0 on a line;
- void beds: of those, the beds nobody is placed in (contracted − placed − closed on each line, never below 0).
  Void beds are part of the block beds already: they are shown, not added again;
- spot vacancies: each care home's latest vacancy report for the care type, if it accepts admissions and is
  fresh: made on the day or in the VACANCY_REPORT_STALE_DAYS before it (the bed finder's staleness rule,
  applied to the day asked about, so a trend reads each point's own reports);
- homecare hours: hours a week of homecare lots with an award in force that day (gone live, not ended), shared
  equally over the wards of the lot's area;
- micro-enterprise hours: hours a week of micro-enterprises trading that day, from each one's latest return
  (`market.selectors.micro_enterprises.micro_enterprise_hours`), tallied as homecare hours where they work.

Every figure is tallied where it is: a care home's beds in its ward and district, a lot's hours in each of its
wards (and their districts). A district's figure is the sum over everything in it, a ward's over what is in the
ward. A fixed number of queries whatever the number of localities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from contracts.models import BedLine, Closure, Contract, Placement, VacancyReport, live_contract_sql
from contracts.selectors.vacancies import vacancy_stale_before
from core.replica import read_connection
from geo.models import Locality, LocalityKind
from geo.selectors import wards_by_area
from market.models import Award, LotService
from market.models.demand import HOMECARE_HOURS
from market.selectors.micro_enterprises import micro_enterprise_hours
from providers.models import Location, Provider

SUPPLY_COMPONENTS = ("block_beds", "void_beds", "spot_vacancies", "homecare_hours", "micro_enterprise_hours")
# What counts towards supply: void beds are within the block beds.
SUPPLY_COUNTED = ("block_beds", "spot_vacancies", "homecare_hours", "micro_enterprise_hours")


@dataclass
class Tally:
    """Figures per (locality id, care type): one for each district and each ward anything was found in."""

    figures: dict[tuple[int, str], dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, *, district_id: int | None, ward_id: int | None, care_type: str, name: str, value) -> None:
        for locality_id in {district_id, ward_id} - {None}:
            row = self.figures[(locality_id, care_type)]
            row[name] = row.get(name, Decimal(0)) + Decimal(value)

    def get(self, locality_id: int, care_type: str) -> dict[str, Decimal]:
        return self.figures.get((locality_id, care_type), {})


def _sql_date(value: date):
    return connection.ops.adapt_datefield_value(value)


def _block_beds(tally: Tally, *, on: date, leave_out: int | None = None) -> None:
    """One statement: each active line's beds with its placements and closures that day, summed by the home's
    district, ward and the care type (a line's closed and void beds kept between 0 and its beds)."""
    table = {
        model.__name__: connection.ops.quote_name(model._meta.db_table)
        for model in (BedLine, Placement, Closure, Contract, Location)
    }
    live, live_params = live_contract_sql("k.status")
    without = "" if leave_out is None else " AND l.provider_id <> %s"
    sql = f"""
    WITH placed AS (
        SELECT p.bed_line_id AS line_id, COUNT(*) AS n FROM {table["Placement"]} p
        WHERE p.bed_line_id IS NOT NULL AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date >= %s)
        GROUP BY p.bed_line_id
    ),
    closed AS (
        SELECT c.bed_line_id AS line_id, SUM(c.beds) AS n FROM {table["Closure"]} c
        WHERE c.start_date <= %s AND c.end_date >= %s GROUP BY c.bed_line_id
    ),
    lines AS (
        SELECT l.district_id, l.ward_id, bl.care_type, bl.beds,
            CASE WHEN COALESCE(cl.n, 0) > bl.beds THEN bl.beds ELSE COALESCE(cl.n, 0) END AS closed,
            COALESCE(pl.n, 0) AS placed
        FROM {table["BedLine"]} bl
        JOIN {table["Contract"]} k ON k.id = bl.contract_id
        JOIN {table["Location"]} l ON l.id = bl.location_id
        LEFT JOIN placed pl ON pl.line_id = bl.id
        LEFT JOIN closed cl ON cl.line_id = bl.id
        WHERE bl.activation_date <= %s AND (bl.end_date IS NULL OR bl.end_date >= %s)
            AND {live} AND (l.district_id IS NOT NULL OR l.ward_id IS NOT NULL){without}
    )
    SELECT district_id, ward_id, care_type, SUM(beds - closed),
        SUM(CASE WHEN beds - closed - placed > 0 THEN beds - closed - placed ELSE 0 END)
    FROM lines GROUP BY district_id, ward_id, care_type
    """  # noqa: S608 - table names come from the models; every value is a parameter
    day = _sql_date(on)
    params = [day] * 6 + live_params + ([] if leave_out is None else [leave_out])
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        for district_id, ward_id, care_type, beds, void in cursor.fetchall():
            tally.add(district_id=district_id, ward_id=ward_id, care_type=care_type, name="block_beds", value=beds)
            tally.add(district_id=district_id, ward_id=ward_id, care_type=care_type, name="void_beds", value=void)


def fresh_after(on: date) -> date:
    """The first day a vacancy report may be dated and still count on `on`."""
    return vacancy_stale_before(today=on)


def _spot_vacancies(tally: Tally, *, on: date, leave_out: int | None = None) -> None:
    latest = (
        VacancyReport.objects.filter(
            location=OuterRef("location"), care_type=OuterRef("care_type"), report_date__lte=on
        )
        .order_by("-report_date", "-id")
        .values("id")[:1]
    )
    reports = VacancyReport.objects.filter(
        report_date__lte=on,
        report_date__gte=fresh_after(on),
        id=Subquery(latest),
        vacant_beds__gt=0,
        accepting_admissions=True,
    ).filter(Q(location__district__isnull=False) | Q(location__ward__isnull=False))
    if leave_out is not None:
        reports = reports.exclude(location__provider_id=leave_out)
    reports = reports.values_list("location__district_id", "location__ward_id", "care_type", "vacant_beds")
    for district_id, ward_id, care_type, vacant in reports:
        tally.add(district_id=district_id, ward_id=ward_id, care_type=care_type, name="spot_vacancies", value=vacant)


def _homecare_hours(tally: Tally, *, on: date, leave_out: int | None = None) -> None:
    """Lots with an award in force: three or four queries whatever the number of lots."""
    in_force = Award.objects.filter(
        go_live_on__lte=on, lot__service=LotService.HOMECARE_HOURS, lot__hours_per_week__gt=0
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
    if leave_out is not None:
        in_force = in_force.exclude(bid__provider_id=leave_out)
    in_force = in_force.values_list("lot_id", "lot__area_id", "lot__hours_per_week")
    # A lot counts once, even on the day one award ends and the next goes live.
    lots = list({lot_id: (area_id, hours) for lot_id, area_id, hours in in_force}.values())
    if not lots:
        return
    wards = wards_by_area({area_id for area_id, _ in lots})
    parents = dict(
        Locality.objects.filter(id__in={ward for ids in wards.values() for ward in ids}).values_list("id", "parent_id")
    )
    for area_id, hours in lots:
        area_wards = sorted(wards.get(area_id, ()))
        for ward_id in area_wards:
            tally.add(
                district_id=parents.get(ward_id),
                ward_id=ward_id,
                care_type=HOMECARE_HOURS,
                name="homecare_hours",
                value=Decimal(hours) / len(area_wards),
            )


def _micro_enterprise_hours(tally: Tally, *, on: date) -> None:
    hours = micro_enterprise_hours(on=on)
    if not hours:
        return
    kinds = {
        locality_id: (kind, parent_id)
        for locality_id, kind, parent_id in Locality.objects.filter(id__in=list(hours)).values_list(
            "id", "kind", "parent_id"
        )
    }
    for locality_id, value in hours.items():
        kind, parent_id = kinds.get(locality_id, (None, None))
        if kind == LocalityKind.WARD:
            district_id, ward_id = parent_id, locality_id
        elif kind == LocalityKind.DISTRICT:
            district_id, ward_id = locality_id, None
        else:
            continue
        tally.add(
            district_id=district_id,
            ward_id=ward_id,
            care_type=HOMECARE_HOURS,
            name="micro_enterprise_hours",
            value=value,
        )


def supply_on(*, on: date, leave_out: Provider | None = None) -> Tally:
    """Every supply component on `on`, tallied by district and ward and care type; with `leave_out`, as if that
    provider were gone (its homes' block beds and reported vacancies, and the homecare lots it leads, left out):
    the market after a failure."""
    tally = Tally()
    left_out = leave_out.pk if leave_out is not None else None
    _block_beds(tally, on=on, leave_out=left_out)
    _spot_vacancies(tally, on=on, leave_out=left_out)
    _homecare_hours(tally, on=on, leave_out=left_out)
    _micro_enterprise_hours(tally, on=on)
    return tally


def supply_total(figures: dict[str, Decimal]) -> Decimal:
    return sum((figures.get(name, Decimal(0)) for name in SUPPLY_COUNTED), Decimal(0))
