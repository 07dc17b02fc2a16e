from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.selectors.gaps import capacity_gap_layer_properties, capacity_gap_trend, capacity_gaps, trend_dates
from market.services.demand import demand_create, pending_create
from tests.market.demand_factories import ON, districts, line, supply_estate

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
QUARTER = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}


def need(locality, care_type, quantity, **fields):
    return demand_create(locality=locality, care_type=care_type, quantity=Decimal(quantity), **{**QUARTER, **fields})


def wait(reference, locality, care_type, since, **fields):
    return pending_create(reference=reference, locality=locality, care_type=care_type, waiting_since=since, **fields)


def gap_of(gaps, locality, care_type):
    return next(gap for gap in gaps if gap.locality_code == locality.code and gap.care_type == care_type)


def test_gap_is_demand_plus_people_waiting_less_supply_worked_by_hand():
    estate = supply_estate()
    a, a1, a2, b, b1 = (estate[key] for key in ("a", "a1", "a2", "b", "b1"))
    need(a, "nursing_dementia", "20")  # entered: wins over the forecast
    need(a, "nursing_dementia", "30", source="forecast")
    need(a2, "nursing_dementia", "5")  # the district has its own figure: not added to it
    wait("PA-0001", a1, "nursing_dementia", date(2026, 1, 1))  # 59 days on ON: a long wait
    wait("PA-0002", a, "nursing_dementia", date(2026, 2, 20), bridging="interim_bed")  # 9 days
    wait("PA-0003", a, "nursing_dementia", date(2026, 1, 2), ended_on=date(2026, 2, 28), outcome="placed")
    wait("PA-0004", a, "nursing_dementia", date(2026, 1, 2), ended_on=ON, outcome="placed")  # ended that day
    need(b, "homecare_hours", "80")
    wait("PA-0005", b1, "homecare_hours", date(2026, 2, 1), hours_per_week=Decimal("10"), bridging="reablement")

    gaps = capacity_gaps(on=ON)

    district_a = gap_of(gaps, a, "nursing_dementia")
    assert (district_a.demand, district_a.waiting, district_a.waiting_long, district_a.supply) == (20, 2, 1, 12)
    assert district_a.gap == Decimal("10.0")  # 20 + 2 - (8 block beds + 4 spot vacancies)
    district_b = gap_of(gaps, b, "homecare_hours")
    assert (district_b.demand, district_b.waiting_need, district_b.homecare_hours) == (80, 10, 50)
    assert district_b.gap == Decimal("40.0")  # 80 + 10 hours - 50 hours through the lot
    assert gap_of(gaps, a, "homecare_hours").gap == Decimal("-50.0")  # spare hours
    assert [gap.gap for gap in gaps] == sorted((gap.gap for gap in gaps), reverse=True)
    assert (gaps[0].locality_code, gaps[0].care_type) == (b.code, "homecare_hours")

    wards = capacity_gaps(on=ON, localities=[a1, a2])
    assert gap_of(wards, a1, "nursing_dementia").gap == Decimal("-11.0")  # 0 + 1 waiting - 12 supply in A1
    assert gap_of(wards, a2, "nursing_dementia").gap == Decimal("5.0")  # its own 5, no supply


def test_a_district_without_its_own_figure_takes_the_sum_of_its_wards():
    (district, (first, second)), _ = districts()
    need(first, "nursing", "3")
    need(second, "nursing", "4")
    assert gap_of(capacity_gaps(on=ON), district, "nursing").demand == 7


def test_gaps_take_a_constant_number_of_queries_whatever_the_number_of_districts():
    def count(n: int, prefix: str) -> int:
        found = districts(n, wards=1, prefix=prefix)
        for district, (ward,) in found:
            line(district, ward, beds=3)
            need(district, "nursing_dementia", "5")
            wait(f"Q{prefix}-{district.pk:04d}", ward, "nursing_dementia", date(2026, 1, 1))
        with CaptureQueriesContext(connection) as queries:
            gaps = capacity_gaps(on=ON, localities=[district for district, _ in found])
        assert len([gap for gap in gaps if gap.care_type == "nursing_dementia"]) == n
        assert all(gap.gap == 3 for gap in gaps if gap.care_type == "nursing_dementia")  # 5 + 1 - 3
        return len(queries)

    assert count(2, "E08") == count(12, "E09")


def test_a_trend_has_a_point_at_each_quarter_end_and_reads_each_points_own_figures():
    (district, (ward, _)), _ = districts()
    need(district, "nursing", "10", period_start=date(2026, 1, 1), period_end=date(2026, 6, 30))
    line(district, ward, care_type="nursing", beds=4, activation_date=date(2026, 4, 1))

    assert trend_dates(start=date(2026, 1, 15), end=date(2026, 8, 10), step="quarter") == [
        date(2026, 1, 15),
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 8, 10),
    ]
    (series,) = capacity_gap_trend(start=date(2026, 1, 15), end=date(2026, 8, 10), step="quarter")
    assert [(point["on"], point["gap"]) for point in series.points] == [
        (date(2026, 1, 15), 10),
        (date(2026, 3, 31), 10),
        (date(2026, 6, 30), 6),  # the 4 beds went live on 1 April
        (date(2026, 8, 10), -4),  # the need's period ended
    ]


def test_the_map_layer_carries_the_gap_per_care_type(settings):
    (district, (ward, _)), _ = districts()
    need(district, "nursing_dementia", "9", period_start=date(2026, 1, 1), period_end=date(2099, 12, 31))
    properties = capacity_gap_layer_properties([district, ward])
    assert properties[district.pk] == {"capacity_gap": {"nursing_dementia": 9.0}}
    assert properties[ward.pk] == {"capacity_gap": {}}
