"""The void report, worked out in SQL a page at a time, against the same figures counted day by day."""

import contextlib
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from contracts.models import BedLine, Closure, Placement, RateChange
from contracts.selectors import void_costs_by_contract, void_report
from contracts.services import closure_create, rate_change_create
from core.errors import DomainError
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


def estate(rng: random.Random) -> None:
    """Lines starting and ending at different times, with stays, closures and rate changes before, inside and
    after the periods asked about."""
    districts = [LocalityFactory(code="E07000008", name="Cambridge"), LocalityFactory(code="E07000010", name="Fenland")]
    contracts = [make_contract() for _ in range(3)]
    for step in range(10):
        contract = contracts[step % 3]
        activation = date(2025, 10, 1) + timedelta(days=rng.randint(0, 150))
        end = activation + timedelta(days=rng.randint(20, 200)) if rng.random() < 0.3 else None
        line = make_line(
            contract=contract,
            location=LocationFactory(provider=contract.provider, district=districts[step % 2], registered_beds=20),
            care_type=rng.choice(["nursing", "residential"]),
            beds=rng.randint(1, 4),
            activation_date=activation,
            end_date=end,
            weekly_rate=Decimal(rng.randint(60000, 120000)) / 100,
        )
        for _ in range(rng.randint(0, 6)):
            start = activation + timedelta(days=rng.randint(0, 120))
            stay_end = start + timedelta(days=rng.randint(0, 60)) if rng.random() < 0.6 else None
            try:
                place(line, start=start, end=stay_end)
            except DomainError:  # the line is full then, or the stay outlasts it: part of the mix
                continue
        if rng.random() < 0.5:
            start = activation + timedelta(days=rng.randint(0, 60))
            with contextlib.suppress(DomainError):  # a closure of a bed that is occupied is refused
                closure_create(
                    bed_line=line, beds=1, start_date=start, end_date=start + timedelta(days=27), reason="Outbreak"
                )
        for _ in range(rng.randint(0, 2)):
            rate_change_create(
                bed_line=line,
                effective_from=activation + timedelta(days=rng.randint(1, 200)),
                weekly_rate=Decimal(rng.randint(60000, 130000)) / 100,
            )


def counted_day_by_day(start: date, end: date, group_by: str) -> dict:
    """Each group's (lines, contracted bed-days, void bed-days, void cost), counting every day of every line."""
    placements, closures, rates = defaultdict(list), defaultdict(list), defaultdict(list)
    for stay in Placement.objects.exclude(bed_line=None):
        placements[stay.bed_line_id].append(stay)
    for closure in Closure.objects.all():
        closures[closure.bed_line_id].append(closure)
    for rate in RateChange.objects.order_by("effective_from"):
        rates[rate.bed_line_id].append(rate)
    keys = {
        "line": lambda line: line.pk,
        "contract": lambda line: line.contract_id,
        "location": lambda line: line.location_id,
        "district": lambda line: line.location.district.code,
        "care_type": lambda line: line.care_type,
    }
    groups = defaultdict(lambda: [0, 0, 0, Decimal(0)])
    for line in BedLine.objects.select_related("location__district"):
        if line.activation_date > end or (line.end_date is not None and line.end_date < start):
            continue  # not contracted during the period
        figures = groups[keys[group_by](line)]
        figures[0] += 1
        day = start
        while day <= end:
            active = line.activation_date <= day and (line.end_date is None or day <= line.end_date)
            contracted = line.beds if active else 0
            placed = sum(
                1 for s in placements[line.pk] if s.start_date <= day and (s.end_date is None or day <= s.end_date)
            )
            closed = sum(c.beds for c in closures[line.pk] if c.start_date <= day <= c.end_date)
            void = max(0, contracted - placed - closed)
            rate = next((r.weekly_rate for r in reversed(rates[line.pk]) if r.effective_from <= day), Decimal(0))
            figures[1] += contracted
            figures[2] += void
            figures[3] += void * rate
            day += timedelta(days=1)
    return {
        key: (lines, contracted, void, (cost / 7).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        for key, (lines, contracted, void, cost) in groups.items()
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 9, 1), date(2026, 8, 31)),  # the whole history
        (date(2026, 1, 15), date(2026, 3, 10)),  # starts after rate changes, stays and closures have begun
        (date(2026, 2, 1), date(2026, 2, 1)),  # one day
    ],
)
@pytest.mark.parametrize("group_by", ["line", "contract", "location", "district", "care_type"])
def test_the_report_in_sql_matches_counting_every_day_of_every_line(start, end, group_by):
    estate(random.Random(8))
    assert Placement.objects.count() > 10 and Closure.objects.exists() and RateChange.objects.count() > 10
    report = void_report(start=start, end=end, group_by=group_by)
    found = {str(row.key): (row.lines, row.contracted_bed_days, row.void_bed_days, row.void_cost) for row in report}
    expected = {str(key): figures for key, figures in counted_day_by_day(start, end, group_by).items()}
    assert found == expected
    assert report.count() == len(expected)


def test_pages_of_the_report_are_the_whole_report_in_order_of_void_cost_then_label():
    estate(random.Random(3))
    # Three lines full all year: no void cost, so their order is their labels', and pages are cut among them.
    full = make_contract()
    for name in ["Willow House", "Ash Court", "Larch Lodge"]:
        line = make_line(contract=full, beds=1, activation_date=date(2025, 8, 1), registered_beds=20, name=name)
        place(line, start=date(2025, 8, 1))
    whole = list(void_report(start=date(2025, 9, 1), end=date(2026, 8, 31), group_by="line"))
    assert [(-row.void_cost, row.label) for row in whole] == sorted((-row.void_cost, row.label) for row in whole)
    assert [row.label.split(" · ")[1] for row in whole[-3:]] == ["Ash Court", "Larch Lodge", "Willow House"]
    report = void_report(start=date(2025, 9, 1), end=date(2026, 8, 31), group_by="line")
    assert report.count() == len(whole) == 13
    assert report[0:4] + report[4:8] + report[8:12] + report[12:16] == whole
    assert report[3] == whole[3]
    for size in range(1, 7):  # pages of every size, whatever falls at their edges
        pages = void_report(start=date(2025, 9, 1), end=date(2026, 8, 31), group_by="line")
        assert sum((pages[offset : offset + size] for offset in range(0, 13, size)), []) == whole, size
    assert void_report(start=date(2025, 9, 1), end=date(2026, 8, 31), group_by="line")[13:20] == []


def test_void_costs_of_many_contract_periods_in_one_statement_match_counting_every_day():
    estate(random.Random(8))
    periods = [
        (contract_id, first, last)
        for contract_id in BedLine.objects.order_by().values_list("contract_id", flat=True).distinct()
        for first, last in [
            (date(2025, 9, 1), date(2026, 8, 31)),
            (date(2026, 1, 15), date(2026, 3, 10)),
            (date(2026, 2, 1), date(2026, 2, 1)),
        ]
    ]
    costs = void_costs_by_contract(bed_lines=BedLine.objects.all(), periods=periods)
    expected = {}
    for first, last in {(first, last) for _, first, last in periods}:
        by_contract = counted_day_by_day(first, last, "contract")
        for contract_id, _, _ in periods:
            expected[(contract_id, first, last)] = by_contract.get(contract_id, (0, 0, 0, Decimal("0.00")))[3]
    assert costs == expected
    assert sum(costs.values()) > 0


@pytest.mark.postgres
def test_the_report_leaves_the_planner_as_it_found_it_inside_a_transaction():
    from django.db import connection, transaction

    estate(random.Random(7))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = on")
        cursor.execute("SET LOCAL jit = on")
        figures = list(void_report(start=date(2026, 1, 1), end=date(2026, 3, 31), group_by="district"))
        cursor.execute("SELECT current_setting('enable_nestloop'), current_setting('jit')")
        assert cursor.fetchone() == ("on", "on")  # what the rest of the transaction plans with
    assert figures and sum(row.void_bed_days for row in figures) > 0
