"""Cost avoidance of block contracts: what the council paid for its block beds at block prices (rate history and
the capped uplift) against what the same beds would have cost bought spot at the spot inflation path the council
sets per financial year, per contract year, less a dampener for voids and one for spot placements converted to
block.

For each contract year, up to the day asked about (default today: figures are actuals, not a forecast):

- block cost: each line's contracted bed-days × its weekly rate on each day / 7 (contracts' RateChange history,
  uplifts included);
- spot-equivalent cost: the same bed-days × the spot weekly price of the line's care type on each day / 7. The
  spot price starts from the council's SpotPrice for the care type (the latest on or before the contract's start,
  else the earliest after it), or, when the council has set none, from the average weekly cost of the spot
  placements of that care type in care on the contract's start day; it rises on each 1 April by that financial
  year's spot inflation (SpotInflation rows, else DEFAULT_SPOT_INFLATION);
- gross avoidance: spot-equivalent − block;
- void dampener: the void cost of the contract's lines in the year (contracts.selectors.void_report): beds paid
  for and empty avoid nothing;
- conversion dampener: for people whose spot placement ended the day before (or the day) their block placement on
  the contract's lines began, the block bed-days in the year × (the spot-equivalent weekly price − the weekly cost
  of their own spot placement) / 7, when positive: their spot price was known and lower than the path assumes;
- net avoidance: gross − void dampener − conversion dampener.
"""

import bisect
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet
from django.db.models import Avg
from django.utils import timezone

from contracts.models import BedLine, Contract, ContractKind, Placement, PlacementKind, RateChange, started_contract
from contracts.selectors import active_on, void_costs_by_contract
from contracts.selectors.layers import voids_layer_version
from core.days import financial_year_of
from core.errors import DomainError
from core.replica import replica_reads
from geo.caching import cache_get, cache_set
from geo.models import Locality
from market.models import SpotInflation, SpotPrice

PENNY = Decimal("0.01")
# The void dampener of every contract year is the slow part; it is kept until a void could change.
VOID_COSTS_CACHE_SECONDS = 60 * 60
ZERO = Decimal("0.00")
# Spot prices rose about 10% a year from 2016, 7% in 2020/21 and are forecast to rise 6.7% in 2021/22
# (Cambridgeshire's figures). A year the council has not set takes the figure of the latest earlier year known.
DEFAULT_SPOT_INFLATION = {2016: Decimal("10"), 2020: Decimal("7"), 2021: Decimal("6.7")}


class SpotPath:
    """Spot inflation per financial year: the council's rows over the defaults; a later year with neither takes
    the latest earlier year's figure."""

    def __init__(self, rows: dict[int, Decimal] | None = None):
        rows = rows if rows is not None else dict(SpotInflation.objects.values_list("financial_year", "percent"))
        self.percents = {**DEFAULT_SPOT_INFLATION, **{year: Decimal(p) for year, p in rows.items()}}
        self.years = sorted(self.percents)
        self._factors: dict[tuple[int, int], Decimal] = {}

    def percent(self, financial_year: int) -> Decimal:
        index = bisect.bisect_right(self.years, financial_year) - 1
        return self.percents[self.years[max(index, 0)]]

    def moved(self, price: Decimal, *, from_day: date, to_day: date) -> Decimal:
        """`price` on `from_day` as it stands on `to_day`: raised (or, backwards, lowered) by each 1 April's rise
        in between."""
        low, high = sorted((from_day, to_day))
        factor = self._factor(financial_year_of(low), financial_year_of(high))
        return price * factor if to_day >= from_day else price / factor

    def _factor(self, low_year: int, high_year: int) -> Decimal:
        # Kept per pair of years: a contract's lines ask for the same few pairs thousands of times.
        key = (low_year, high_year)
        if key not in self._factors:
            factor = Decimal(1)
            for year in range(low_year + 1, high_year + 1):
                factor *= 1 + self.percent(year) / 100
            self._factors[key] = factor
        return self._factors[key]


@dataclass
class YearFigures:
    year: int
    start: date
    end: date
    block_cost: Decimal = ZERO
    spot_equivalent_cost: Decimal = ZERO
    void_dampener: Decimal = ZERO
    conversion_dampener: Decimal = ZERO
    contracted_bed_days: int = 0

    @property
    def gross_avoidance(self) -> Decimal:
        return self.spot_equivalent_cost - self.block_cost

    @property
    def net_avoidance(self) -> Decimal:
        return self.gross_avoidance - self.void_dampener - self.conversion_dampener

    def add(self, other: "YearFigures") -> None:
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        for name in ("block_cost", "spot_equivalent_cost", "void_dampener", "conversion_dampener"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.contracted_bed_days += other.contracted_bed_days

    def rounded(self) -> "YearFigures":
        for name in ("block_cost", "spot_equivalent_cost", "void_dampener", "conversion_dampener"):
            setattr(self, name, getattr(self, name).quantize(PENNY, rounding=ROUND_HALF_UP))
        return self


@dataclass
class CostAvoidance:
    through: date
    contracts: list[Contract]
    years: list[YearFigures]
    total: YearFigures
    starting_spot_prices: dict[str, dict] = field(default_factory=dict)  # care type -> {price, on, source}
    missing_spot_prices: list[str] = field(default_factory=list)


def contract_years(contract: Contract, *, through: date) -> list[tuple[int, date, date]]:
    """(year number, first day, last day) of each contract year begun by `through`, the last cut at `through`
    and at the contract's end."""
    years, number = [], 1
    last = min(d for d in (contract.end_date, through) if d is not None)
    while True:
        first = _anniversary(contract.start_date, number - 1)
        if first > last:
            return years
        years.append((number, first, min(_anniversary(contract.start_date, number) - timedelta(days=1), last)))
        number += 1


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _segments(first: date, last: date, breaks: list[date]):
    """Split first..last (inclusive) at each break day (a day something changes), as (start, end) pairs."""
    cuts = sorted({b for b in breaks if first < b <= last})
    start = first
    for cut in cuts:
        yield start, cut - timedelta(days=1)
        start = cut
    yield start, last


@replica_reads
def cost_avoidance(
    *,
    contract: Contract | None = None,
    through: date | None = None,
    districts: list[Locality] | None = None,
    care_types: list[str] | None = None,
) -> CostAvoidance:
    """Cost avoidance of one block contract, or of every block contract (summed by contract year: year 1 of each
    contract, year 2, ...), over the lines in the districts and of the care types asked for."""
    # Actuals only: a day after today would count every bed as void, as nobody is placed yet.
    through = min(through or timezone.localdate(), timezone.localdate())
    contracts = Contract.objects.filter(started_contract(), kind=ContractKind.BLOCK, start_date__lte=through)
    contracts = contracts.select_related("provider")
    if contract is not None:
        if contract.kind != ContractKind.BLOCK:
            raise DomainError(f"{contract.reference} is not a block contract.", field="contract")
        contracts = contracts.filter(pk=contract.pk)
    contracts = list(contracts.order_by("reference"))
    lines = BedLine.objects.filter(contract__in=[c.pk for c in contracts])
    if districts is not None:
        lines = lines.filter(location__district__in=districts)
    if care_types:
        lines = lines.filter(care_type__in=care_types)
    line_rows = list(lines.values_list("pk", "contract_id", "care_type", "beds", "activation_date", "end_date"))
    rates: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for line_id, effective_from, weekly_rate in (
        RateChange.objects.filter(bed_line__in=lines)
        .order_by("bed_line", "effective_from")
        .values_list("bed_line", "effective_from", "weekly_rate")
    ):
        rates[line_id].append((effective_from, weekly_rate))
    path = SpotPath()
    by_contract = {c.pk: c for c in contracts}
    starting = _starting_prices(contracts, path, care_types={row[2] for row in line_rows})

    years_of = {c.pk: contract_years(c, through=through) for c in contracts}
    figures = {
        (pk, number): YearFigures(year=number, start=first, end=last)
        for pk, years in years_of.items()
        for number, first, last in years
    }
    for line_id, contract_id, care_type, beds, activation, line_end in line_rows:
        contract_ = by_contract[contract_id]
        start_price = starting.get((contract_.start_date, care_type))
        changes = rates.get(line_id, [])
        change_days = [day for day, _ in changes]
        for number, first, last in years_of[contract_id]:
            year = figures[(contract_id, number)]
            seg_first = max(first, activation)
            seg_last = min(d for d in (last, line_end) if d is not None)
            if seg_last < seg_first:
                continue
            aprils = [date(y, 4, 1) for y in range(seg_first.year, seg_last.year + 1)]
            for start, end in _segments(seg_first, seg_last, change_days + aprils):
                bed_days = beds * ((end - start).days + 1)
                index = bisect.bisect_right(change_days, start) - 1
                rate = changes[index][1] if index >= 0 else None
                if rate is None:
                    continue
                year.contracted_bed_days += bed_days
                year.block_cost += Decimal(bed_days) * rate / 7
                if start_price is not None:
                    spot = path.moved(start_price[0], from_day=contract_.start_date, to_day=start)
                    year.spot_equivalent_cost += Decimal(bed_days) * spot / 7
    _voids_add(figures, contracts, years_of, lines)
    _conversions_add(figures, contracts, years_of, lines, path, starting, through)

    if contract is not None:
        years = [figures[(contract.pk, number)] for number, _, _ in years_of.get(contract.pk, [])]
    else:
        summed: dict[int, YearFigures] = {}
        for (_, number), year in sorted(figures.items(), key=lambda item: item[0][1]):
            target = summed.setdefault(number, YearFigures(year=number, start=year.start, end=year.end))
            target.add(year)
        years = [summed[n] for n in sorted(summed)]
    total = YearFigures(year=0, start=years[0].start if years else through, end=years[-1].end if years else through)
    for year in years:
        total.add(year)
    used = {row[2] for row in line_rows}
    return CostAvoidance(
        through=through,
        contracts=contracts,
        years=[year.rounded() for year in years],
        total=total.rounded(),
        starting_spot_prices={
            f"{care_type}@{day.isoformat()}": {"care_type": care_type, "on": day, "price": price, "source": source}
            for (day, care_type), (price, source) in sorted(starting.items())
        },
        missing_spot_prices=sorted(
            {care_type for c in contracts for care_type in used if (c.start_date, care_type) not in starting}
        ),
    )


def _starting_prices(contracts: list[Contract], path: SpotPath, *, care_types: set[str]) -> dict:
    """(contract start day, care type) -> (spot weekly price on that day, where it came from). Two queries."""
    days = {c.start_date for c in contracts}
    prices: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for care_type, priced_on, price in SpotPrice.objects.filter(care_type__in=care_types).values_list(
        "care_type", "priced_on", "weekly_price"
    ):
        prices[care_type].append((priced_on, price))
    starting = {}
    for day in days:
        for care_type in care_types:
            known = sorted(prices.get(care_type, []))
            if not known:
                continue
            before = [item for item in known if item[0] <= day]
            priced_on, price = before[-1] if before else known[0]
            starting[(day, care_type)] = (path.moved(price, from_day=priced_on, to_day=day), "council")
    wanted = [(day, care_type) for day in days for care_type in care_types if (day, care_type) not in starting]
    if wanted:
        spot = Placement.objects.filter(kind=PlacementKind.SPOT, weekly_cost__isnull=False)
        # One grouped statement per start day (a handful: a tender's contracts start together).
        for day in sorted({day for day, _ in wanted}):
            types = [care_type for d, care_type in wanted if d == day]
            for care_type, average in (
                spot.filter(active_on(day), care_type__in=types)
                .order_by()
                .values("care_type")
                .annotate(a=Avg("weekly_cost"))
                .values_list("care_type", "a")
            ):
                starting[(day, care_type)] = (Decimal(str(average)), "spot placements")
    return starting


def _voids_add(figures, contracts, years_of, lines) -> None:
    """The void cost of each contract's lines in each of its years (contracts' void report by contract), all
    the contracts' years in one statement, kept in the cache until a void could change (the voids layer's
    version: any write to lines, rates, closures or placements, and each new day)."""
    periods = [(c.pk, first, last) for c in contracts for _, first, last in years_of[c.pk]]
    try:
        scope_sql, scope_params = lines.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # no lines in scope (someone who may see none): nothing is void
        return
    key = (
        "void-costs:"
        + hashlib.sha256(repr((voids_layer_version(), scope_sql, scope_params, periods)).encode()).hexdigest()
    )
    costs = cache_get(key)
    if costs is None:
        costs = void_costs_by_contract(bed_lines=lines, periods=periods)
        cache_set(key, costs, timeout=VOID_COSTS_CACHE_SECONDS)
    for c in contracts:
        for number, first, last in years_of[c.pk]:
            figures[(c.pk, number)].void_dampener += costs[(c.pk, first, last)]


def _conversions_add(figures, contracts, years_of, lines, path: SpotPath, starting, through: date) -> None:
    spot_ends: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    ended_spot = Placement.objects.filter(
        kind=PlacementKind.SPOT,
        end_date__isnull=False,
        weekly_cost__isnull=False,
        reference__in=Placement.objects.filter(bed_line__in=lines, kind=PlacementKind.BLOCK).values("reference"),
    )
    for reference, end_date, weekly_cost in ended_spot.values_list("reference", "end_date", "weekly_cost"):
        spot_ends[reference].append((end_date, weekly_cost))
    if not spot_ends:
        return
    # Only the block placements of people who were once placed spot can be conversions: a handful, not all.
    block = Placement.objects.filter(
        bed_line__in=lines,
        kind=PlacementKind.BLOCK,
        start_date__lte=through,
        reference__in=ended_spot.values("reference"),
    ).values_list("reference", "start_date", "end_date", "care_type", "bed_line__contract_id")
    by_contract = {c.pk: c for c in contracts}
    for reference, start, end, care_type, contract_id in block:
        previous = [cost for ended, cost in spot_ends.get(reference, []) if start - timedelta(days=1) <= ended <= start]
        start_price = starting.get((by_contract[contract_id].start_date, care_type))
        if not previous or start_price is None:
            continue
        own = previous[0]
        for number, first, last in years_of[contract_id]:
            seg_first, seg_last = max(first, start), min(d for d in (last, end, through) if d is not None)
            if seg_last < seg_first:
                continue
            aprils = [date(y, 4, 1) for y in range(seg_first.year, seg_last.year + 1)]
            for a, b in _segments(seg_first, seg_last, aprils):
                spot = path.moved(start_price[0], from_day=by_contract[contract_id].start_date, to_day=a)
                if spot > own:
                    figures[(contract_id, number)].conversion_dampener += ((b - a).days + 1) * (spot - own) / 7
