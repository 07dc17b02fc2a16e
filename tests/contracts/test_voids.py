from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.selectors import void_report, voids_on
from contracts.services import closure_create, placement_end, rate_change_create
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


def test_void_beds_follow_activations_placements_and_closures_on_each_day():
    contract = make_contract()
    location = LocationFactory(provider=contract.provider, registered_beds=20)
    first = make_line(contract=contract, location=location, beds=3, activation_date=date(2026, 1, 1))
    second = make_line(contract=contract, location=location, beds=2, activation_date=date(2026, 2, 1))

    assert voids_on(line=first, on=date(2025, 12, 31)) == 0  # not yet active
    assert voids_on(line=first, on=date(2026, 1, 1)) == 3
    assert voids_on(line=second, on=date(2026, 1, 15)) == 0
    assert voids_on(line=second, on=date(2026, 2, 1)) == 2

    placed = place(first, start=date(2026, 1, 10))
    assert voids_on(line=first, on=date(2026, 1, 9)) == 3
    assert voids_on(line=first, on=date(2026, 1, 10)) == 2
    placement_end(placement=placed, end_date=date(2026, 1, 20))
    assert voids_on(line=first, on=date(2026, 1, 20)) == 2  # the last day is still occupied
    assert voids_on(line=first, on=date(2026, 1, 21)) == 3

    closure_create(bed_line=first, beds=2, start_date=date(2026, 3, 1), end_date=date(2026, 3, 28), reason="Outbreak")
    assert voids_on(line=first, on=date(2026, 3, 1)) == 1
    assert voids_on(line=first, on=date(2026, 3, 28)) == 1
    assert voids_on(line=first, on=date(2026, 3, 29)) == 3


def test_void_bed_days_and_cost_over_a_period_with_a_rate_change_and_a_closure():
    line = make_line(beds=2, activation_date=date(2026, 1, 1), weekly_rate=Decimal("700.00"))
    # January (31 days): one bed occupied from 11 Jan to 20 Jan (10 days).
    place(line, start=date(2026, 1, 11), end=date(2026, 1, 20))
    # 28-day closure of one bed from 1 Feb to 28 Feb.
    closure_create(bed_line=line, beds=1, start_date=date(2026, 2, 1), end_date=date(2026, 2, 28), reason="Outbreak")
    rate_change_create(bed_line=line, effective_from=date(2026, 2, 1), weekly_rate=Decimal("1400.00"))

    [january] = void_report(start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert january.contracted_bed_days == 62
    assert january.void_bed_days == 62 - 10
    assert january.void_cost == Decimal("5200.00")  # 52 days at £100 a day
    assert january.void_level == round(52 / 62, 4)

    [both] = void_report(start=date(2026, 1, 1), end=date(2026, 2, 28))
    # February: 2 beds × 28 days − 28 closed = 28 void days at £200 a day.
    assert both.void_bed_days == 52 + 28
    assert both.void_cost == Decimal("5200.00") + Decimal("5600.00")


def test_void_report_groups_by_district_and_care_type():
    cambridge = LocalityFactory(code="E07000008", name="Cambridge")
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    start = date(2026, 1, 1)
    a = make_line(beds=2, care_type="nursing", activation_date=start, district=cambridge)
    make_line(beds=1, care_type="residential", activation_date=start, district=fenland)
    make_line(beds=3, care_type="nursing", activation_date=start + timedelta(days=5), district=fenland)
    place(a, start=start)

    by_district = {row.key: row for row in void_report(start=start, end=date(2026, 1, 10), group_by="district")}
    assert by_district["E07000008"].void_bed_days == 10  # one of two beds void for 10 days
    assert by_district["E07000010"].void_bed_days == 10 + 3 * 5
    by_type = {row.key: row for row in void_report(start=start, end=date(2026, 1, 10), group_by="care_type")}
    assert by_type["nursing"].void_bed_days == 10 + 15
    assert by_type["nursing"].label == "Nursing"
    assert by_type["residential"].contracted_bed_days == 10


def test_void_report_takes_a_constant_number_of_queries():
    def queries_for_a_year() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = list(void_report(start=date(2026, 1, 1), end=date(2026, 12, 31), group_by="contract"))
        # One statement; on PostgreSQL with the planner's setting set and put back around it, in a savepoint.
        return len(rows), len([query for query in captured if "SAVEPOINT" not in query["sql"]])

    place(make_line(beds=3))
    one = queries_for_a_year()
    for _ in range(4):
        place(make_line(beds=3))
    five = queries_for_a_year()
    assert (one[0], five[0]) == (1, 5)
    assert one[1] == five[1] <= 3


def test_void_bed_days_count_only_while_a_line_is_active_and_an_empty_bed_is_void_again_when_a_stay_ends():
    # Two beds live from 11 to 20 January (10 days); one person from 15 January to the line's last day,
    # another from 12 to 13 January.
    line = make_line(
        beds=2, activation_date=date(2026, 1, 11), end_date=date(2026, 1, 20), weekly_rate=Decimal("700.00")
    )
    place(line, start=date(2026, 1, 15), end=date(2026, 1, 20))
    place(line, start=date(2026, 1, 12), end=date(2026, 1, 13))

    [january] = void_report(start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert january.contracted_bed_days == 20
    assert january.void_bed_days == 20 - 6 - 2
    assert january.void_cost == Decimal("1200.00")  # 12 days at £100 a day
    [middle] = void_report(start=date(2026, 1, 13), end=date(2026, 1, 16))
    assert (middle.contracted_bed_days, middle.void_bed_days) == (8, 8 - 1 - 2)
