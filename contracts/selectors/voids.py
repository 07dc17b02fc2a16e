"""Voids: beds contracted, placed, closed and held on a day, and void bed-days and cost over a period by
an interval sweep (window functions; the same SQL on PostgreSQL and SQLite)."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
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

from contracts.models import (
    BedLine,
    CareType,
    Closure,
    Contract,
    Hold,
    HoldStatus,
    Placement,
    RateChange,
    started_contract,
    void_and_free,
)
from contracts.selectors.rates import rate_subquery
from core.errors import DomainError
from core.replica import read_alias, read_connection, replica_reads
from geo.models import Locality
from providers.models import Location

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


def _levels_cte(scope_sql: str, scope_params, *, period: tuple[date, date] | None = None) -> tuple[str, list]:
    """SQL common table expressions ending in `levels(line_id, seg_start, seg_end, contracted, level,
    weekly_rate)`, and their parameters: for each line, the stretches of days over which contracted beds,
    (contracted − placed − closed) and the weekly rate stay the same. Every start, end, closure and rate change
    is an event; running sums over events give the level and the rate (a rate change carries the difference
    from the line's previous rate, so no stretch looks its rate up). `seg_end` is exclusive and NULL for the
    last stretch. `scope_sql` selects the bed line ids; it is repeated in each part rather than shared as a
    CTE, so PostgreSQL plans each part with the real number of lines (a shared CTE is estimated at 200 rows
    and joined line by line).

    With a `period` (first and last day), events before it are folded into one opening event on its first day
    and events after it are left out, so the window functions sort only the period's events (the figures within
    the period are the same)."""
    line = BedLine._meta.db_table
    placement = Placement._meta.db_table
    closure = Closure._meta.db_table
    rate = RateChange._meta.db_table
    if period is None:
        fold_params, before = [], []
    else:
        first, after = _sql_date_param(period[0]), _sql_date_param(period[1] + timedelta(days=1))
        fold_params, before = [first, first], [after]

    def part(
        table: str,
        alias: str,
        line_id: str,
        day: str,
        columns: str,
        *,
        where: str = "",
        group: bool = False,
        ends: str = "",
    ):
        """One kind of event: its day folded into the period's first day and the period's later events left
        out (with a period), only lines in scope, and placements counted per line and day as they are read.
        With a period, a placement or closure that `ends` (its end date column) before the period is left out
        too: its start and its end both fold into the first day and cancel out."""
        folded = f"CASE WHEN {day} < %s THEN %s ELSE {day} END" if period is not None else day
        conditions = [where] if where else []
        conditions += [f"{day} < %s"] if period is not None else []
        over = [f"({ends} IS NULL OR {ends} >= %s)"] if period is not None and ends else []
        sql = f"SELECT {line_id}, {folded}, {columns} FROM {table} {alias} WHERE "  # noqa: S608
        sql += " AND ".join([*conditions, *over, f"{line_id} IN ({scope_sql})"])
        ended_params = fold_params[:1] if over else []
        return (sql + (" GROUP BY 1, 2" if group else ""), [*fold_params, *before, *ended_params, *scope_params])

    parts = [
        part(line, "bl", "bl.id", "bl.activation_date", "bl.beds, bl.beds, 0"),
        part(
            line, "bl", "bl.id", _sql_day_after("bl.end_date"), "-bl.beds, -bl.beds, 0", where="bl.end_date IS NOT NULL"
        ),
        part(placement, "p", "p.bed_line_id", "p.start_date", "0, -COUNT(*), 0", group=True, ends="p.end_date"),
        part(
            placement,
            "p",
            "p.bed_line_id",
            _sql_day_after("p.end_date"),
            "0, COUNT(*), 0",
            where="p.end_date IS NOT NULL",
            group=True,
            ends="p.end_date",
        ),
        part(closure, "c", "c.bed_line_id", "c.start_date", "0, -c.beds, 0", ends="c.end_date"),
        part(closure, "c", "c.bed_line_id", _sql_day_after("c.end_date"), "0, c.beds, 0", ends="c.end_date"),
        # A rate change carries the difference from the line's previous rate (LAG runs before the day is folded).
        part(
            rate,
            "r",
            "r.bed_line_id",
            "r.effective_from",
            "0, 0, r.weekly_rate"
            " - COALESCE(LAG(r.weekly_rate) OVER (PARTITION BY r.bed_line_id ORDER BY r.effective_from), 0)",
        ),
    ]
    events = "\n        UNION ALL\n        ".join(sql for sql, _ in parts)
    params = [value for _, part_params in parts for value in part_params]
    daily = """SELECT line_id, day, SUM(d_contracted) AS d_contracted, SUM(d_level) AS d_level,
            SUM(d_rate) AS d_rate FROM events GROUP BY 1, 2"""
    sql = f"""
    events (line_id, day, d_contracted, d_level, d_rate) AS ({events}
    ),
    daily AS ({daily}),
    levels AS (
        SELECT line_id, day AS seg_start,
            LEAD(day) OVER (PARTITION BY line_id ORDER BY day) AS seg_end,
            SUM(d_contracted) OVER (PARTITION BY line_id ORDER BY day ROWS UNBOUNDED PRECEDING) AS contracted,
            SUM(d_level) OVER (PARTITION BY line_id ORDER BY day ROWS UNBOUNDED PRECEDING) AS level,
            SUM(d_rate) OVER (PARTITION BY line_id ORDER BY day ROWS UNBOUNDED PRECEDING) AS weekly_rate
        FROM daily
    )"""  # noqa: S608
    return sql, params


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


# For each grouping: the bed line field a group is counted by, and the SQL of its key and label (aliases as in
# VoidReport.SQL: bl bed line, c contract, l location, d district).
VOID_GROUPS = {
    "line": "id",
    "contract": "contract_id",
    "location": "location_id",
    "district": "location__district__code",
    "care_type": "care_type",
}


def _group_sql(group_by: str) -> tuple[str, str, str, str, str]:
    """A grouping in SQL: what the per-line figures (`pl`) are summed by, the joins to bed lines (`bl`) and locations
    (`l`) that needs (none for lines: each line is its own group), and the key, label and joins that name each group
    afterwards (over `g` groups)."""
    line, contract = BedLine._meta.db_table, Contract._meta.db_table
    location, locality = Location._meta.db_table, Locality._meta.db_table
    with_line = f"JOIN {line} bl ON bl.id = pl.line_id"
    if group_by == "line":
        label = "c.reference || ' · ' || l.name || ' · ' || bl.care_type || ' (' || CAST(bl.beds AS VARCHAR(12)) || ')'"
        joins = (
            f"JOIN {line} bl ON bl.id = g.group_id JOIN {contract} c ON c.id = bl.contract_id"
            f" JOIN {location} l ON l.id = bl.location_id"
        )
        return "pl.line_id", "", "g.group_id", label, joins
    if group_by == "contract":
        return "bl.contract_id", with_line, "g.group_id", "c.reference", f"JOIN {contract} c ON c.id = g.group_id"
    if group_by == "location":
        return "bl.location_id", with_line, "g.group_id", "l.name", f"JOIN {location} l ON l.id = g.group_id"
    if group_by == "district":
        return (
            "l.district_id",
            f"{with_line} JOIN {location} l ON l.id = bl.location_id",
            "d.code",
            "COALESCE(d.name, '(none)')",
            f"LEFT JOIN {locality} d ON d.id = g.group_id",
        )
    labels = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in CareType.choices)
    return "bl.care_type", with_line, "g.group_id", f"CASE g.group_id {labels} END", ""


class VoidReport:
    """The void report as SQL the paginator counts and slices: groups are summed, ordered (largest void cost
    first, then by label) and paged by the database, so a page costs one statement whatever the estate.

    Iterating gives every group (read once, then kept); `report[20:40]` reads one page; `count()` counts
    the groups with a plain query over the bed lines, without working out any figures."""

    ordered = True  # for Django's Paginator

    def __init__(self, *, start: date, end: date, group_by: str, bed_lines: QuerySet[BedLine]):
        self.start, self.end, self.group_by = start, end, group_by
        # The report is read when it is paged or iterated, after void_report has returned: it keeps the database
        # its reads go to (the replica's, when void_report was asked outside a transaction; core.replica).
        self.database = read_alias()
        # Lines contracted at some time in the period; any other line has no figures in it.
        self.bed_lines = (
            bed_lines.using(self.database)
            .filter(activation_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        )
        self._all: list[VoidFigures] | None = None

    def count(self) -> int:
        if self._all is not None:
            return len(self._all)
        return self.bed_lines.order_by().values(VOID_GROUPS[self.group_by]).distinct().count()

    def __len__(self) -> int:
        return len(self._rows())

    def __iter__(self):
        return iter(self._rows())

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            if index.step not in (None, 1) or index.stop is None or (index.start or 0) < 0 or index.stop < 0:
                return self._rows()[index]
            offset = index.start or 0
            return self._fetch(limit=max(index.stop - offset, 0), offset=offset)
        if index < 0:
            return self._rows()[index]
        found = self._fetch(limit=1, offset=index)
        if not found:
            raise IndexError(index)
        return found[0]

    def _rows(self) -> list[VoidFigures]:
        if self._all is None:
            self._all = self._fetch()
        return self._all

    def _fetch(self, *, limit: int | None = None, offset: int = 0) -> list[VoidFigures]:
        if limit == 0:
            return []
        scope_sql, scope_params = self.bed_lines.order_by().values("id").query.sql_with_params()
        group_id, grouped, key, label, joins = _group_sql(self.group_by)
        days = _sql_days_between("lv.seg_start", "COALESCE(lv.seg_end, %s)")
        void = "CASE WHEN lv.level > 0 THEN lv.level ELSE 0 END"
        levels_sql, levels_params = _levels_cte(scope_sql, scope_params, period=(self.start, self.end))
        if grouped:
            groups = f"""SELECT {group_id} AS group_id, COUNT(*) AS lines, SUM(pl.contracted_days) AS contracted_days,
                SUM(pl.void_days) AS void_days, SUM(pl.void_week_cost) AS void_week_cost
            FROM per_line pl {grouped} GROUP BY {group_id}"""  # noqa: S608 - SQL of _group_sql, no values
        else:  # each line its own group
            groups = f"""SELECT {group_id} AS group_id, 1 AS lines, pl.contracted_days, pl.void_days,
                pl.void_week_cost FROM per_line pl"""  # noqa: S608 - SQL of _group_sql, no values
        # A page is ordered by void cost, then by label: only the groups whose cost reaches the page's lowest are
        # named and ordered by label (on the first page of 200,000 lines, about 50 rather than all of them).
        page, page_params = ("", []) if limit is None else (" LIMIT %s OFFSET %s", [limit, offset])
        cut, cut_params = (
            ("", [])
            if limit is None
            else (
                " WHERE g.sort_cost >= (SELECT MIN(top.sort_cost) FROM"
                " (SELECT sort_cost FROM g ORDER BY sort_cost DESC LIMIT %s) top)",
                [offset + limit],
            )
        )
        sql = f"""
        WITH {levels_sql},
        per_line AS (
            SELECT lv.line_id,
                SUM(lv.contracted * {days}) AS contracted_days,
                SUM({void} * {days}) AS void_days,
                SUM({void} * {days} * lv.weekly_rate) AS void_week_cost
            FROM levels lv GROUP BY lv.line_id
        ),
        g AS (
            SELECT groups.*, ROUND(COALESCE(groups.void_week_cost, 0) / 7.0, 2) AS sort_cost FROM ({groups}) groups
        )
        SELECT {key} AS group_key, {label} AS group_label, g.lines, g.contracted_days, g.void_days, g.void_week_cost
        FROM g {joins}{cut}
        ORDER BY g.sort_cost DESC, group_label, group_key{page}
        """  # noqa: S608 - table names come from the models, groupings from _group_sql; every value is a parameter
        after = _sql_date_param(self.end + timedelta(days=1))
        params = [*levels_params, after, after, after, *cut_params, *page_params]
        with _planned_for_the_sweep(self.database) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            VoidFigures(
                key=group_key,
                label=group_label,
                lines=int(lines),
                contracted_bed_days=int(contracted_days or 0),
                void_bed_days=int(void_days or 0),
                void_cost=(Decimal(str(void_week_cost or 0)) / 7).quantize(PENNY, rounding=ROUND_HALF_UP),
            )
            for group_key, group_label, lines, contracted_days, void_days, void_week_cost in rows
        ]


# What the void report's statement is planned with, and why (_planned_for_the_sweep).
SWEEP_PLANNER_SETTINGS = {"enable_nestloop": "off", "jit": "off"}


@contextmanager
def _planned_for_the_sweep(database: str):
    """A cursor on `database` that, on PostgreSQL, plans the void report's statement with SWEEP_PLANNER_SETTINGS:

    - no nested loops: PostgreSQL estimates each aggregated step of the sweep at 200 rows (it cannot know how many
      lines a CTE's GROUP BY gives) and joins the 100,000 lines' figures to their lines and homes one row at a time;
      with hash joins the report takes a fifth less on the national estate and grows in proportion at twice its size;
    - no JIT compilation: the statement's cost is far over jit_above_cost, and compiling its 386 expressions took
      0.17 s, more than it saved (the first page by line at double size, 1.98-2.09 s with it, 1.87-1.89 s without).

    bench/README.md has the figures. The settings are the transaction's own, and put back before it goes on."""
    connection = connections[database]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    names = list(SWEEP_PLANNER_SETTINGS)
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names),
            [value for name in names for value in (name, name, SWEEP_PLANNER_SETTINGS[name])],
        )
        before = cursor.fetchone()[::2]
        yield cursor
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
            [value for name, was in zip(names, before, strict=True) for value in (name, was)],
        )


def _sql_least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def _sql_greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def void_costs_by_contract(
    *, bed_lines: QuerySet[BedLine], periods: list[tuple[int, date, date]]
) -> dict[tuple[int, date, date], Decimal]:
    """The void cost of each (contract id, first day, last day) in `periods` over that contract's lines among
    `bed_lines`, rounded to the penny: the figure `void_report(start=first, end=last, group_by="contract")`
    gives the contract, for many periods in one statement (one interval sweep over the events from the
    earliest first day to the latest last day, each stretch cut to the periods it overlaps)."""
    periods = list(dict.fromkeys(periods))  # a period asked for twice is one row, not a doubled cost
    if not periods:
        return {}
    bed_lines = bed_lines.filter(started_contract("contract__"))  # as the void report: a draft has no voids
    try:
        scope_sql, scope_params = bed_lines.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # no lines at all in scope
        return dict.fromkeys(periods, Decimal("0.00"))
    span = (min(first for _, first, _ in periods), max(last for _, _, last in periods))
    levels_sql, levels_params = _levels_cte(scope_sql, scope_params, period=span)
    if connection.vendor == "postgresql":
        row_sql = "(CAST(%s AS INTEGER), CAST(%s AS DATE), CAST(%s AS DATE))"
    else:
        row_sql = "(%s, %s, %s)"
    values = ", ".join([row_sql] * len(periods))
    period_params = [
        value
        for contract_id, first, last in periods
        for value in (contract_id, _sql_date_param(first), _sql_date_param(last + timedelta(days=1)))
    ]
    start = _sql_greatest("lv.seg_start", "pr.first_day")
    end = _sql_least("COALESCE(lv.seg_end, pr.after_day)", "pr.after_day")
    line = connection.ops.quote_name(BedLine._meta.db_table)
    sql = f"""
    WITH {levels_sql},
    periods (contract_id, first_day, after_day) AS (VALUES {values})
    SELECT pr.contract_id, pr.first_day, pr.after_day, SUM(lv.level * {_sql_days_between(start, end)} * lv.weekly_rate)
    FROM levels lv JOIN {line} bl ON bl.id = lv.line_id
    JOIN periods pr ON pr.contract_id = bl.contract_id AND lv.seg_start < pr.after_day
        AND (lv.seg_end IS NULL OR lv.seg_end > pr.first_day)
    WHERE lv.level > 0
    GROUP BY pr.contract_id, pr.first_day, pr.after_day
    """  # noqa: S608 - the table name comes from the model; every value is a parameter
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [*levels_params, *period_params])
        rows = cursor.fetchall()

    def day(value) -> date:
        return value if isinstance(value, date) else date.fromisoformat(value)

    costs = {
        (int(contract_id), day(first), day(after) - timedelta(days=1)): (Decimal(str(week_cost or 0)) / 7).quantize(
            PENNY, rounding=ROUND_HALF_UP
        )
        for contract_id, first, after, week_cost in rows
    }
    return {period: costs.get(period, Decimal("0.00")) for period in periods}


@replica_reads
def void_report(
    *,
    start: date,
    end: date,
    group_by: str = "line",
    contract: Contract | None = None,
    district: Locality | None = None,
    care_type: str | None = None,
    bed_lines: QuerySet[BedLine] | None = None,
) -> VoidReport:
    """Contracted bed-days, void bed-days and void cost (void bed-days × weekly rate / 7, at the rate in force
    each day) from `start` to `end` inclusive, per line, contract, location, district or care type, for the
    lines of a contract, a district and a care type (or of `bed_lines`), largest void cost first. Only contracts
    that came into force count (contracts.models.STARTED_STATUSES): a draft's empty beds cost nothing.

    One SQL statement works out per-line figures with an interval sweep (window functions; the same SQL on
    PostgreSQL and SQLite), sums them per group, orders and pages them."""
    if group_by not in VOID_GROUPS:
        raise DomainError(f"group_by must be one of {', '.join(VOID_GROUPS)}.", field="group_by")
    if end < start:
        raise DomainError("The period must end on or after its start.", field="to")
    lines = (bed_lines if bed_lines is not None else BedLine.objects.all()).filter(started_contract("contract__"))
    if contract is not None:
        lines = lines.filter(contract=contract)
    if district is not None:
        lines = lines.filter(location__district=district)
    if care_type is not None:
        lines = lines.filter(care_type=care_type)
    return VoidReport(start=start, end=end, group_by=group_by, bed_lines=lines)


def least_level_between(*, line: BedLine, start: date, end: date | None) -> int:
    """The fewest beds left on a line (contracted − placed − closed) on any day from `start` to `end`
    (or to the line's end when open-ended): a new placement fits only if this is at least one."""
    scope = BedLine.objects.filter(pk=line.pk).order_by().values("id")
    levels_sql, params = _levels_cte(*scope.query.sql_with_params())
    last = end or line.end_date
    conditions = "(seg_end IS NULL OR seg_end > %s)"
    params.append(_sql_date_param(start))
    if last is not None:
        conditions += " AND seg_start <= %s"
        params.append(_sql_date_param(last))
    sql = f"WITH {levels_sql} SELECT MIN(level), MIN(seg_start) FROM levels WHERE {conditions}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        least, first_start = cursor.fetchone()
    if least is None:
        return 0
    first_start = date.fromisoformat(first_start) if isinstance(first_start, str) else first_start
    if first_start > start:  # the period begins before the line's first event: no beds then
        return 0
    return int(least)


def people_placed_at(*, location_ids: list[int], on: date) -> dict[int, int]:
    """People in a placement at each location on `on` (any kind), in one query: for quality's schedule of visits,
    which weighs how many people a home's quality touches (registered in contracts.apps via quality.risk)."""
    rows = (
        Placement.objects.filter(active_on(on), location_id__in=location_ids)
        .values("location_id")
        .annotate(people=Count("id"))
    )
    return {row["location_id"]: row["people"] for row in rows}
