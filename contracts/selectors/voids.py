"""Voids: beds contracted, placed, closed and held on a day, and void bed-days and cost over a period by
an interval sweep (window functions; the same SQL on PostgreSQL and SQLite)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.errors import DomainError
from contracts.models import (
    BedLine,
    CareType,
    Closure,
    Contract,
    Hold,
    HoldStatus,
    Placement,
    RateChange,
    void_and_free,
)
from contracts.selectors.params import date_param
from contracts.selectors.rates import rate_subquery
from geo.models import Locality

PENNY = Decimal("0.01")


def active_on(on: date, *, start: str = "start_date", end: str = "end_date", prefix: str = "") -> Q:
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


# --- voids on one date ------------------------------------------------------------------------------------


def bed_lines_with_voids(queryset: QuerySet[BedLine], *, on: date, now: datetime | None = None) -> QuerySet:
    """Annotate bed lines with contracted, placed, closed and held beds on `on`, and the weekly rate then, as
    correlated subqueries: one query whatever the number of lines. `void_beds` and `free_beds` follow from
    them (void_and_free): computing those in SQL would make PostgreSQL run each subquery three times.

    void = contracted − block placements − closed beds (never below 0); free = void − unexpired holds.
    """
    now = now or timezone.now()
    # COUNT(*) rather than COUNT(id), and the rate index carries the rate: each subquery reads one index only.
    placed = (
        Placement.objects.filter(active_on(on), bed_line=OuterRef("pk"))
        .order_by()
        .values("bed_line")
        .annotate(n=Count("*"))
        .values("n")
    )
    closed = (
        Closure.objects.filter(active_on(on), bed_line=OuterRef("pk"))
        .order_by()
        .values("bed_line")
        .annotate(n=Sum("beds"))
        .values("n")
    )
    held = (
        Hold.objects.filter(bed_line=OuterRef("pk"), status=HoldStatus.HELD, expires_at__gt=now)
        .order_by()
        .values("bed_line")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(
        contracted_beds=Case(
            When(active_on(on, start="activation_date"), then=F("beds")), default=Value(0), output_field=IntegerField()
        ),
        placed_beds=Coalesce(Subquery(placed, output_field=IntegerField()), 0),
        closed_beds=Coalesce(Subquery(closed, output_field=IntegerField()), 0),
        held_beds=Coalesce(Subquery(held, output_field=IntegerField()), 0),
        weekly_rate=rate_subquery(on),
    )


def _line_counts(line: BedLine, on: date) -> dict:
    return bed_lines_with_voids(BedLine.objects.filter(pk=line.pk), on=on).values(
        "contracted_beds", "placed_beds", "closed_beds", "held_beds"
    )[0]


def voids_on(*, line: BedLine, on: date) -> int:
    """Void beds on one line on one date (holds not subtracted: a held bed is still empty and paid for)."""
    row = _line_counts(line, on)
    return void_and_free(
        contracted=row["contracted_beds"], placed=row["placed_beds"], closed=row["closed_beds"], held=0
    )[0]


def free_beds_on(*, line: BedLine, on: date) -> int:
    row = _line_counts(line, on)
    return void_and_free(
        contracted=row["contracted_beds"], placed=row["placed_beds"], closed=row["closed_beds"], held=row["held_beds"]
    )[1]


# --- voids over a period (event sweep) --------------------------------------------------------------------


def _sql_day_after(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


def _sql_days_between(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def _sql_date_param(value: date):
    return value if connection.vendor == "postgresql" else value.isoformat()


def _levels_cte(scope_sql: str) -> str:
    """SQL common table expressions ending in `levels(line_id, seg_start, seg_end, contracted, level)`: for
    each line, the stretches of days over which contracted beds and (contracted − placed − closed) stay the
    same. Every start, end, closure and rate change is an event; a running sum over events gives the level.
    `seg_end` is exclusive and NULL for the last stretch. `scope_sql` selects the bed line ids."""
    line = BedLine._meta.db_table
    placement = Placement._meta.db_table
    closure = Closure._meta.db_table
    rate = RateChange._meta.db_table
    # Only table names and fixed fragments are interpolated; every value is a query parameter.
    return f"""
    scope AS ({scope_sql}),
    events (line_id, day, d_contracted, d_level) AS (
        SELECT bl.id, bl.activation_date, bl.beds, bl.beds FROM {line} bl WHERE bl.id IN (SELECT id FROM scope)
        UNION ALL
        SELECT bl.id, {_sql_day_after("bl.end_date")}, -bl.beds, -bl.beds FROM {line} bl
            WHERE bl.end_date IS NOT NULL AND bl.id IN (SELECT id FROM scope)
        UNION ALL
        SELECT p.bed_line_id, p.start_date, 0, -1 FROM {placement} p WHERE p.bed_line_id IN (SELECT id FROM scope)
        UNION ALL
        SELECT p.bed_line_id, {_sql_day_after("p.end_date")}, 0, 1 FROM {placement} p
            WHERE p.end_date IS NOT NULL AND p.bed_line_id IN (SELECT id FROM scope)
        UNION ALL
        SELECT c.bed_line_id, c.start_date, 0, -c.beds FROM {closure} c WHERE c.bed_line_id IN (SELECT id FROM scope)
        UNION ALL
        SELECT c.bed_line_id, {_sql_day_after("c.end_date")}, 0, c.beds FROM {closure} c
            WHERE c.bed_line_id IN (SELECT id FROM scope)
        UNION ALL
        SELECT r.bed_line_id, r.effective_from, 0, 0 FROM {rate} r WHERE r.bed_line_id IN (SELECT id FROM scope)
    ),
    daily AS (
        SELECT line_id, day, SUM(d_contracted) AS d_contracted, SUM(d_level) AS d_level
        FROM events GROUP BY line_id, day
    ),
    levels AS (
        SELECT line_id, day AS seg_start,
            LEAD(day) OVER (PARTITION BY line_id ORDER BY day) AS seg_end,
            SUM(d_contracted) OVER (PARTITION BY line_id ORDER BY day ROWS UNBOUNDED PRECEDING) AS contracted,
            SUM(d_level) OVER (PARTITION BY line_id ORDER BY day ROWS UNBOUNDED PRECEDING) AS level
        FROM daily
    )"""  # noqa: S608


@dataclass
class VoidFigures:
    key: object
    label: str
    contracted_bed_days: int = 0
    void_bed_days: int = 0
    void_cost: Decimal = Decimal("0.00")
    lines: int = 0

    @property
    def void_level(self) -> float | None:
        """Void bed-days / contracted bed-days (DESIGN.md)."""
        return round(self.void_bed_days / self.contracted_bed_days, 4) if self.contracted_bed_days else None


VOID_GROUPS = {
    "line": ("id", None),
    "contract": ("contract_id", "contract__reference"),
    "location": ("location_id", "location__name"),
    "district": ("location__district__code", "location__district__name"),
    "care_type": ("care_type", None),
}


def void_report_parse(params) -> dict:
    """The void report's query parameters as void_report's arguments; every problem is a 400 naming the
    parameter (an unknown contract, district or care type is refused rather than answered with nothing)."""
    start, end = date_param(params, "from"), date_param(params, "to")
    if start is None:
        raise DomainError("Give the first day of the period.", field="from")
    if end is None:
        raise DomainError("Give the last day of the period.", field="to")
    lines = BedLine.objects.all()
    contract = (params.get("contract") or "").strip()
    if contract:
        if not contract.isdigit() or not Contract.objects.filter(pk=contract).exists():
            raise DomainError(f"No contract with id {contract!r}.", field="contract")
        lines = lines.filter(contract_id=contract)
    district = (params.get("district") or "").strip()
    if district:
        if not Locality.objects.filter(code=district.upper()).exists():
            raise DomainError(f"Unknown district code {district!r}.", field="district")
        lines = lines.filter(location__district__code=district.upper())
    care_type = (params.get("care_type") or "").strip()
    if care_type:
        if care_type not in CareType.values:
            raise DomainError(
                f"Unknown care type {care_type!r}; use one of {', '.join(CareType.values)}.", field="care_type"
            )
        lines = lines.filter(care_type=care_type)
    return {"start": start, "end": end, "group_by": params.get("group_by") or "line", "bed_lines": lines}


def void_report(
    *,
    start: date,
    end: date,
    group_by: str = "line",
    bed_lines: QuerySet[BedLine] | None = None,
) -> list[VoidFigures]:
    """Contracted bed-days, void bed-days and void cost (void bed-days × weekly rate / 7, at the rate in force
    each day) from `start` to `end` inclusive, per line, contract, location, district or care type.

    One SQL statement computes per-line figures with an interval sweep (window functions; the same SQL on
    PostgreSQL and SQLite), one more reads the labels; grouping the per-line totals is then a sum."""
    if group_by not in VOID_GROUPS:
        raise DomainError(f"group_by must be one of {', '.join(VOID_GROUPS)}.", field="group_by")
    if end < start:
        raise DomainError("The period must end on or after its start.", field="to")
    scope = (bed_lines if bed_lines is not None else BedLine.objects.all()).order_by().values("id")
    scope_sql, scope_params = scope.query.sql_with_params()
    period_end = end + timedelta(days=1)  # exclusive
    seg_s = "CASE WHEN seg_start > %s THEN seg_start ELSE %s END"
    seg_e = "CASE WHEN seg_end IS NULL OR seg_end > %s THEN %s ELSE seg_end END"
    days = _sql_days_between("s", "e")
    sql = f"""
    WITH {_levels_cte(scope_sql)},
    clipped AS (
        SELECT line_id, contracted, level, {seg_s} AS s, {seg_e} AS e
        FROM levels WHERE seg_start < %s AND (seg_end IS NULL OR seg_end > %s)
    )
    SELECT line_id,
        SUM(contracted * {days}) AS contracted_days,
        SUM(CASE WHEN level > 0 THEN level ELSE 0 END * {days}) AS void_days,
        SUM(CASE WHEN level > 0 THEN level ELSE 0 END * {days} * COALESCE((
            SELECT r.weekly_rate FROM {RateChange._meta.db_table} r
            WHERE r.bed_line_id = clipped.line_id AND r.effective_from <= clipped.s
            ORDER BY r.effective_from DESC LIMIT 1), 0)) AS void_week_cost
    FROM clipped GROUP BY line_id
    """  # noqa: S608
    p0, p1 = _sql_date_param(start), _sql_date_param(period_end)
    params = [*scope_params, p0, p0, p1, p1, p1, p0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        per_line = {row[0]: row[1:] for row in cursor.fetchall()}

    key_field, label_field = VOID_GROUPS[group_by]
    fields = ["id", key_field] + ([label_field] if label_field else [])
    if group_by == "line":
        fields += ["contract__reference", "location__name", "care_type", "beds"]
    groups: dict[object, VoidFigures] = {}
    for row in BedLine.objects.filter(pk__in=list(per_line)).order_by().values(*fields):
        key = row[key_field]
        if group_by == "line":
            label = f"{row['contract__reference']} · {row['location__name']} · {row['care_type']} ({row['beds']})"
        elif group_by == "care_type":
            label = CareType(key).label
        else:
            label = row[label_field] or "(none)"
        figures = groups.setdefault(key, VoidFigures(key=key, label=label))
        contracted_days, void_days, void_week_cost = per_line[row["id"]]
        figures.contracted_bed_days += int(contracted_days or 0)
        figures.void_bed_days += int(void_days or 0)
        figures.void_cost += Decimal(str(void_week_cost or 0)) / 7
        figures.lines += 1
    for figures in groups.values():
        figures.void_cost = figures.void_cost.quantize(PENNY, rounding=ROUND_HALF_UP)
    return sorted(groups.values(), key=lambda figures: (-figures.void_cost, str(figures.label)))


def least_level_between(*, line: BedLine, start: date, end: date | None) -> int:
    """The fewest beds left on a line (contracted − placed − closed) on any day from `start` to `end`
    (or to the line's end when open-ended): a new placement fits only if this is at least one."""
    scope = BedLine.objects.filter(pk=line.pk).order_by().values("id")
    scope_sql, scope_params = scope.query.sql_with_params()
    last = end or line.end_date
    conditions = "(seg_end IS NULL OR seg_end > %s)"
    params = [*scope_params, _sql_date_param(start)]
    if last is not None:
        conditions += " AND seg_start <= %s"
        params.append(_sql_date_param(last))
    sql = f"WITH {_levels_cte(scope_sql)} SELECT MIN(level), MIN(seg_start) FROM levels WHERE {conditions}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        least, first_start = cursor.fetchone()
    if least is None:
        return 0
    first_start = date.fromisoformat(first_start) if isinstance(first_start, str) else first_start
    if first_start > start:  # the period begins before the line's first event: no beds then
        return 0
    return int(least)
