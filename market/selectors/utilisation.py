"""The quarterly review of block utilisation: occupied bed-days / contracted bed-days per contract, home or
district in a financial quarter (April to June is quarter 1), with the void bed-days and void cost.

Contracted bed-days, void bed-days and void cost are contracts' void report (contracts.selectors.void_report,
one interval-sweep statement); occupied bed-days are the bed-days of placements in the lines (block, respite and
emergency use of a void) within the quarter, summed in one grouped statement. A review is therefore three
statements (the lines' labels come with the occupied bed-days) whatever the number of contracts or districts.

Beside the block beds, the review counts the avoidable spot purchases of the quarter: spot beds that started in it
while a block bed of their care type was free nearby (contracts keeps the block rate passed over on the placement),
with what they cost the council above that block rate each week. A district row has its district's; the total has
all of them; a contract or home row has none (a spot bed is on no block contract). One more grouped statement.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from contracts.models import BedLine, Placement, PlacementKind
from contracts.selectors import void_report
from core.errors import DomainError
from core.replica import replica_reads
from geo.models import Locality

# A review groups by what the committee asks about; each grouping names the bed line field it is counted by.
REVIEW_GROUPS = {"contract": "contract", "home": "location", "district": "district"}
_LINE_FIELDS = {"contract": "contract_id", "home": "location_id", "district": "location__district__code"}


def financial_quarter(*, year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of quarter 1-4 of the financial year starting 1 April `year`."""
    if not 1 <= quarter <= 4:
        raise DomainError("A financial year has quarters 1 to 4.", field="quarter")
    first_month = 4 + 3 * (quarter - 1)
    first = date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    after_month = first_month + 3
    after = date(year + (after_month - 1) // 12, (after_month - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)


@dataclass
class UtilisationRow:
    key: object
    label: str
    district_code: str | None
    district_name: str
    lines: int
    contracted_bed_days: int
    occupied_bed_days: int
    void_bed_days: int
    void_cost: Decimal
    # Spot beds bought in the quarter while block beds were free nearby, and their cost above the block rate a week;
    # None where the grouping has no place for them (a contract or a home).
    avoidable_spot_purchases: int | None = None
    avoidable_spot_weekly_cost: Decimal | None = None

    @property
    def utilisation(self) -> float | None:
        """Occupied bed-days / contracted bed-days."""
        return round(self.occupied_bed_days / self.contracted_bed_days, 4) if self.contracted_bed_days else None

    @property
    def void_level(self) -> float | None:
        return round(self.void_bed_days / self.contracted_bed_days, 4) if self.contracted_bed_days else None


@dataclass
class UtilisationReview:
    year: int
    quarter: int
    start: date
    end: date
    group_by: str
    rows: list[UtilisationRow]
    total: UtilisationRow


def _occupied(lines: QuerySet[BedLine], *, start: date, end: date, group_field: str) -> dict:
    """Occupied bed-days per group: each placement's days within the quarter, summed per bed line in SQL and
    then per group."""
    days = (
        Placement.objects.filter(bed_line=OuterRef("pk"), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .order_by()
        .values("bed_line")
        .annotate(
            n=Sum(
                # days from the later start to the earlier end, inclusive: both dates as day numbers
                _day_number(Least(Coalesce(F("end_date"), Value(end)), Value(end)))
                - _day_number(Greatest(F("start_date"), Value(start)))
                + 1
            )
        )
        .values("n")
    )
    return dict(
        lines.order_by()
        .values(group_field)
        .annotate(occupied=Coalesce(Sum(Subquery(days, output_field=IntegerField())), 0))
        .values_list(group_field, "occupied")
    )


class _DayNumber(Func):
    """A date as a whole number of days, so that two dates subtract to the days between them on PostgreSQL
    and SQLite alike."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '2000-01-01')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)


def _day_number(expression) -> _DayNumber:
    return _DayNumber(expression)


@replica_reads
def utilisation_review(
    *,
    year: int,
    quarter: int,
    group_by: str = "contract",
    districts: list[Locality] | None = None,
    care_types: list[str] | None = None,
) -> UtilisationReview:
    """Block utilisation in a financial quarter per contract, home or district, for the lines in the districts
    and of the care types asked for (all when not given), largest void cost first, and the total."""
    if group_by not in REVIEW_GROUPS:
        raise DomainError(f"group_by must be one of {', '.join(REVIEW_GROUPS)}.", field="group_by")
    start, end = financial_quarter(year=year, quarter=quarter)
    lines = BedLine.objects.filter(activation_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if districts is not None:
        lines = lines.filter(location__district__in=districts)
    if care_types:
        lines = lines.filter(care_type__in=care_types)
    group_field = _LINE_FIELDS[group_by]
    voids = {
        row.key: row for row in void_report(start=start, end=end, group_by=REVIEW_GROUPS[group_by], bed_lines=lines)
    }
    occupied = _occupied(lines, start=start, end=end, group_field=group_field)
    labels = _labels(lines, group_by=group_by)
    avoidable = avoidable_spot_purchases(start=start, end=end, districts=districts, care_types=care_types)
    rows = []
    for key, figures in voids.items():
        district_code, district_name, label = labels.get(key, (None, "(none)", figures.label))
        rows.append(
            UtilisationRow(
                key=key,
                label=label,
                district_code=district_code,
                district_name=district_name,
                lines=figures.lines,
                contracted_bed_days=figures.contracted_bed_days,
                occupied_bed_days=int(occupied.get(key, 0) or 0),
                void_bed_days=figures.void_bed_days,
                void_cost=figures.void_cost,
                **(_avoidable_of(avoidable, key) if group_by == "district" else {}),
            )
        )
    total = UtilisationRow(
        key=None,
        label="All block beds",
        district_code=None,
        district_name="",
        lines=sum(row.lines for row in rows),
        contracted_bed_days=sum(row.contracted_bed_days for row in rows),
        occupied_bed_days=sum(row.occupied_bed_days for row in rows),
        void_bed_days=sum(row.void_bed_days for row in rows),
        void_cost=sum((row.void_cost for row in rows), Decimal("0.00")),
        avoidable_spot_purchases=sum(count for count, _cost in avoidable.values()),
        avoidable_spot_weekly_cost=sum((cost for _count, cost in avoidable.values()), Decimal("0.00")),
    )
    return UtilisationReview(
        year=year, quarter=quarter, start=start, end=end, group_by=group_by, rows=rows, total=total
    )


def avoidable_spot_purchases(
    *, start: date, end: date, districts: list[Locality] | None = None, care_types: list[str] | None = None
) -> dict[str | None, tuple[int, Decimal]]:
    """Per district code (None for a home in no district): the spot placements that started from `start` to `end`
    while a block bed of their care type was free nearby, and the sum of their weekly cost above the block rate
    passed over. One grouped statement."""
    spots = Placement.objects.filter(
        kind=PlacementKind.SPOT, block_rate_passed_over__isnull=False, start_date__gte=start, start_date__lte=end
    )
    if districts is not None:
        spots = spots.filter(location__district__in=districts)
    if care_types:
        spots = spots.filter(care_type__in=care_types)
    rows = (
        spots.order_by()
        .values("location__district__code")
        .annotate(
            n=Count("pk"), extra=Sum(Coalesce(F("weekly_cost"), Value(Decimal("0"))) - F("block_rate_passed_over"))
        )
        .values_list("location__district__code", "n", "extra")
    )
    return {code: (n, Decimal(extra or 0).quantize(Decimal("0.01"))) for code, n, extra in rows}


def _avoidable_of(avoidable: dict, district_code) -> dict:
    count, cost = avoidable.get(district_code, (0, Decimal("0.00")))
    return {"avoidable_spot_purchases": count, "avoidable_spot_weekly_cost": cost}


def _labels(lines: QuerySet[BedLine], *, group_by: str) -> dict:
    """For each group: its district (code, name) and the label a committee reads (contract reference and
    provider, home name, district name). One query."""
    if group_by == "district":
        rows = lines.order_by().values_list("location__district__code", "location__district__name").distinct()
        return {code: (code, name or "(none)", name or "(none)") for code, name in rows}
    if group_by == "home":
        rows = (
            lines.order_by()
            .values_list("location_id", "location__name", "location__district__code", "location__district__name")
            .distinct()
        )
        return {pk: (code, district or "(none)", name) for pk, name, code, district in rows}
    rows = lines.order_by().values_list("contract_id", "contract__reference", "contract__provider__name").distinct()
    return {pk: (None, "", f"{reference} ({provider})") for pk, reference, provider in rows}
