import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from market.models import Programme
from market.selectors.programmes import programme_figures, programme_health
from tests.factories import LocalityFactory
from tests.market.micro_factories import district_with_wards, micro_enterprise, programme

pytestmark = pytest.mark.django_db


def worked_example():
    """The figures worked by hand below. A programme from 1 January 2023 at £4.50 an hour, spending £1,000,
    £1,000, £500, £500 and planning 0, 10, 20, 60 hours a week:

    - A: enquiry 5 January, trading 1 February with 10 hours a week (1 person), 20 (2 people) from 1 May;
    - B: enquiry 10 March, trading 1 August with 30 hours a week (3 people);
    - C: enquiry 2 April, never trades;
    - outside: trading elsewhere with 100 hours a week, which the programme must not count.

    Quarter 1: 10 h/wk × 13 = 130 h × £4.50 = £585.00, net −415.00, cumulative −415.00
    Quarter 2: 20 × 13 = 260 h, £1,170.00, net +170.00, cumulative −245.00
    Quarter 3: 50 × 13 = 650 h, £2,925.00, net +2,425.00, cumulative +2,180.00 (break-even)
    Quarter 4: 50 × 13 = 650 h, £2,925.00, net +2,425.00, cumulative +4,605.00
    Forecast: 0, 130, 260, 780 hours; £0, £585, £1,170, £3,510; cumulative −1,000, −1,415, −745, +2,265 (quarter 4).
    """
    district, (ward, other_ward) = district_with_wards()
    elsewhere, (far_ward,) = district_with_wards(wards=1)
    micro_enterprise(
        locality=ward,
        enquiry=date(2023, 1, 5),
        trading=date(2023, 2, 1),
        returns=[(date(2023, 2, 1), "10", 1), (date(2023, 5, 1), "20", 2)],
    )
    micro_enterprise(
        locality=other_ward, enquiry=date(2023, 3, 10), trading=date(2023, 8, 1), returns=[(date(2023, 8, 1), "30", 3)]
    )
    micro_enterprise(locality=district, enquiry=date(2023, 4, 2))
    micro_enterprise(
        locality=far_ward, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1), returns=[(date(2023, 2, 1), "100", 9)]
    )
    return programme(areas=[district]), district, (ward, other_ward)


def column(figures, name):
    return [row[name] for row in figures["quarters"]]


def test_cash_flow_and_break_even_follow_the_figures_worked_by_hand():
    made, _, _ = worked_example()
    figures = programme_figures(programme=made, on=date(2024, 1, 31))
    assert column(figures, "hours_per_week") == [Decimal(10), Decimal(20), Decimal(50), Decimal(50)]
    assert column(figures, "hours") == [Decimal(130), Decimal(260), Decimal(650), Decimal(650)]
    assert column(figures, "cost_avoidance") == [Decimal("585.00"), Decimal("1170.00"), Decimal("2925.00")] * 1 + [
        Decimal("2925.00")
    ]
    assert column(figures, "net_cash_flow") == [Decimal(-415), Decimal(170), Decimal(2425), Decimal(2425)]
    assert column(figures, "cumulative_cash_flow") == [Decimal(-415), Decimal(-245), Decimal(2180), Decimal(4605)]
    assert figures["break_even_quarter"] == 3


def test_the_forecast_is_the_same_calculation_on_the_planned_trajectory():
    made, _, _ = worked_example()
    figures = programme_figures(programme=made, on=date(2024, 1, 31))
    assert column(figures, "forecast_hours") == [Decimal(0), Decimal(130), Decimal(260), Decimal(780)]
    assert column(figures, "forecast_cost_avoidance") == [Decimal(0), Decimal(585), Decimal(1170), Decimal(3510)]
    assert column(figures, "forecast_cumulative_cash_flow") == [
        Decimal(-1000),
        Decimal(-1415),
        Decimal(-745),
        Decimal(2265),
    ]
    assert figures["forecast_break_even_quarter"] == 4
    assert column(figures, "hours_against_trajectory") == [Decimal(10), Decimal(10), Decimal(30), Decimal(-10)]


def test_enquiries_and_new_trading_count_in_their_quarter_against_the_years_targets():
    made, _, _ = worked_example()
    figures = programme_figures(programme=made, on=date(2024, 1, 31))
    assert column(figures, "enquiries") == [2, 1, 0, 0]
    assert column(figures, "enquiries_year_to_date") == [2, 3, 3, 3]
    assert column(figures, "new_trading") == [1, 0, 1, 0]
    assert column(figures, "trading") == [1, 1, 2, 2]
    assert column(figures, "people_supported") == [1, 2, 5, 5]
    (year,) = figures["years"]
    assert (year["enquiries"], year["enquiries_target"], year["new_trading"], year["new_trading_target"]) == (
        3,
        4,
        2,
        2,
    )
    assert (year["hours_per_week"], year["hours_per_week_target"]) == (Decimal(50), Decimal(60))


def test_cost_avoidance_per_programme_year_sums_its_quarters():
    district, (ward, _) = district_with_wards()
    micro_enterprise(
        locality=ward, enquiry=date(2023, 1, 2), trading=date(2023, 1, 10), returns=[(date(2023, 1, 10), "8", 2)]
    )
    made = programme(
        areas=[district],
        trajectory=[8] * 6,
        spending=[100] * 6,
        rate="5.00",
        years=[
            {"year": 1, "enquiries_target": 1, "trading_target": 1, "hours_per_week_target": Decimal(8)},
            {"year": 2, "enquiries_target": 1, "trading_target": 1, "hours_per_week_target": Decimal(8)},
        ],
    )
    years = programme_figures(programme=made, on=date(2025, 1, 1))["years"]
    # 8 hours a week × 13 × £5 = £520 a quarter: four quarters in year 1, the two planned in year 2.
    assert [(row["year"], row["cost_avoidance"], row["spending"], row["net_cash_flow"]) for row in years] == [
        (1, Decimal(2080), Decimal(400), Decimal(1680)),
        (2, Decimal(1040), Decimal(200), Decimal(840)),
    ]
    assert [row["forecast_cost_avoidance"] for row in years] == [Decimal(2080), Decimal(1040)]


def test_actual_figures_stop_at_the_day_asked_for_and_the_quarter_in_progress_is_incomplete():
    made, _, _ = worked_example()
    figures = programme_figures(programme=made, on=date(2023, 5, 15))
    second, third = figures["quarters"][1], figures["quarters"][2]
    assert (second["complete"], second["measured_on"], second["hours_per_week"]) == (False, date(2023, 5, 15), 20)
    assert (third["measured_on"], third["hours_per_week"], third["cumulative_cash_flow"]) == (None, None, None)
    assert figures["break_even_quarter"] is None
    assert third["forecast_cumulative_cash_flow"] == Decimal(-745)  # the forecast covers every quarter


def test_a_micro_enterprise_that_ceased_no_longer_counts_its_hours():
    district, (ward, _) = district_with_wards()
    micro_enterprise(
        locality=ward,
        enquiry=date(2023, 1, 2),
        trading=date(2023, 1, 10),
        returns=[(date(2023, 1, 10), "12", 2)],
        ceased=date(2023, 5, 1),
    )
    figures = programme_figures(programme=programme(areas=[district]), on=date(2024, 1, 31))
    assert column(figures, "hours_per_week") == [Decimal(12), 0, 0, 0]
    assert column(figures, "trading") == [1, 0, 0, 0]


def test_state_of_health_counts_each_locality_by_status_with_its_hours_and_people():
    made, district, (ward, other_ward) = worked_example()
    health = programme_health(programme=made, on=date(2023, 6, 30))
    by_code = {row["locality"]: row for row in health["localities"]}
    assert set(by_code) == {district.code, ward.code, other_ward.code}
    assert (by_code[ward.code]["trading"], by_code[ward.code]["hours_per_week"]) == (1, Decimal(20))
    assert (by_code[other_ward.code]["enquiry"], by_code[other_ward.code]["hours_per_week"]) == (1, 0)
    assert by_code[district.code]["enquiry"] == 1
    total = health["total"]
    assert (total["enquiry"], total["developing"], total["trading"], total["ceased"]) == (2, 0, 1, 0)
    assert (total["hours_per_week"], total["people_supported"]) == (Decimal(20), 2)


def test_the_figures_answer_over_the_api_with_the_same_numbers(api):
    api.as_role(Role.BROKER)
    made, _, _ = worked_example()
    body = api.get(f"/api/v1/market/programmes/{made.pk}/figures/", {"on": "2024-01-31"})
    assert body.status_code == 200, body.content
    body = body.json()
    assert [row["cumulative_cash_flow"] for row in body["quarters"]] == [-415.0, -245.0, 2180.0, 4605.0]
    assert (body["break_even_quarter"], body["forecast_break_even_quarter"]) == (3, 4)
    health = api.get(f"/api/v1/market/programmes/{made.pk}/health/", {"on": "2023-06-30"}).json()
    assert health["total"]["trading"] == 1


def test_figures_and_health_refuse_parameters_they_do_not_understand(api):
    api.as_role(Role.COMMISSIONER)
    made, _, _ = worked_example()
    for address in ("figures", "health", "figures/export/csv"):
        unknown = api.get(f"/api/v1/market/programmes/{made.pk}/{address}/", {"quarter": "2"})
        assert unknown.status_code == 400, address
        assert "quarter" in unknown.json()["error"]["fields"]
    bad = api.get(f"/api/v1/market/programmes/{made.pk}/figures/", {"on": "31/01/2024"})
    assert bad.status_code == 400
    assert "on" in bad.json()["error"]["fields"]


def grow(*, localities: int, quarters: int, enterprises_each: int):
    district, wards = district_with_wards(wards=localities)
    for ward in wards:
        for n in range(enterprises_each):
            micro_enterprise(
                locality=ward,
                enquiry=date(2023, 1, 2 + n),
                trading=date(2023, 2, 1 + n),
                returns=[(date(2023, 2, 1 + n), "5", 1), (date(2023, 7, 1 + n), "6", 1)],
            )
    return programme(areas=[district], trajectory=[10] * quarters, spending=[100] * quarters)


def test_figures_and_health_take_as_many_queries_for_many_localities_and_quarters_as_for_few(api):
    api.as_role(Role.COMMISSIONER)
    small = grow(localities=1, quarters=1, enterprises_each=1)
    large = grow(localities=6, quarters=8, enterprises_each=3)
    api.get("/api/v1/market/programmes/")  # the signed-in user's roles are read once, on the first request
    counts = {}
    for name, made in (("small", small), ("large", large)):
        for address in ("figures", "health"):
            with CaptureQueriesContext(connection) as queries:
                assert api.get(f"/api/v1/market/programmes/{made.pk}/{address}/").status_code == 200
            counts[name, address] = len(queries)
    assert counts["small", "figures"] == counts["large", "figures"]
    assert counts["small", "health"] == counts["large", "health"]


def test_the_figures_export_as_csv_and_xlsx_with_a_row_per_quarter(api):
    api.as_role(Role.CONTRACT_OFFICER)
    made, _, _ = worked_example()
    answer = api.get(f"/api/v1/market/programmes/{made.pk}/figures/export/csv/", {"on": "2024-01-31"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [row["Cumulative cash flow (£)"] for row in rows] == ["-415.00", "-245.00", "2180.00", "4605.00"]
    assert rows[2]["Hours in the quarter"] == "650.00"

    answer = api.get(f"/api/v1/market/programmes/{made.pk}/figures/export/xlsx/", {"on": "2024-01-31"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    headers = [cell.value for cell in sheet[1]]
    cumulative = headers.index("Cumulative cash flow (£)")
    assert [row[cumulative] for row in sheet.iter_rows(min_row=2, values_only=True)] == [-415, -245, 2180, 4605]


def test_programmes_are_created_with_targets_and_quarters_and_default_to_the_hourly_setting(api, settings):
    settings.MICRO_ENTERPRISE_HOURLY_COST_AVOIDANCE = Decimal("5.10")
    api.as_role(Role.COMMISSIONER)
    area = LocalityFactory(kind="district")
    made = api.post(
        "/api/v1/market/programmes/",
        {
            "name": "Fenland micro-enterprises",
            "areas": [area.code],
            "start_date": "2024-04-01",
            "years": [{"year": 1, "enquiries_target": 200, "trading_target": 50, "hours_per_week_target": 250}],
            "quarters": [
                {"quarter": 1, "planned_hours_per_week": 0, "spending": 25000},
                {"quarter": 2, "planned_hours_per_week": 100, "spending": 25000},
            ],
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["hourly_cost_avoidance"] == 5.1
    figures = api.get(f"/api/v1/market/programmes/{made.json()['id']}/figures/", {"on": "2024-12-31"}).json()
    # 100 hours a week planned × 13 × £5.10 = £6,630.
    assert [row["forecast_cost_avoidance"] for row in figures["quarters"]] == [0, 6630.0]
    gap = api.patch(
        f"/api/v1/market/programmes/{made.json()['id']}/",
        {
            "quarters": [
                {"quarter": 1, "planned_hours_per_week": 0, "spending": 1},
                {"quarter": 3, "planned_hours_per_week": 5, "spending": 1},
            ]
        },
        format="json",
    )
    assert gap.status_code == 400
    assert "quarters" in gap.json()["error"]["fields"]
    far = api.patch(f"/api/v1/market/programmes/{made.json()['id']}/", {"start_date": "9999-10-01"}, format="json")
    assert far.status_code == 400
    assert "start_date" in far.json()["error"]["fields"]


def test_compliance_officers_and_brokers_read_programmes_and_provider_users_see_none(api):
    made, _, _ = worked_example()
    for role in (Role.COMPLIANCE_OFFICER, Role.BROKER):
        api.as_role(role)
        assert api.get(f"/api/v1/market/programmes/{made.pk}/figures/").status_code == 200
        assert api.patch(f"/api/v1/market/programmes/{made.pk}/", {"name": "Renamed"}, format="json").status_code == 403
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/market/programmes/").status_code == 403
    assert api.get(f"/api/v1/market/programmes/{made.pk}/figures/").status_code == 403


def test_the_east_cambridgeshire_demo_programme_shows_its_first_year_and_the_councils_forecast():
    from geo.demo import demo_load as geo_demo_load
    from market import demo_micro

    geo_demo_load()
    counts = demo_micro.demo_load()
    assert demo_micro.demo_load() == counts  # a second run writes nothing
    assert (counts["micro_enterprises"], counts["micro_enterprises_trading"]) == (190, 41)
    made = Programme.objects.get(name=demo_micro.PROGRAMME_NAME)
    figures = programme_figures(programme=made, on=date(2022, 1, 31))
    first_year = figures["quarters"][:4]
    assert [row["enquiries"] for row in first_year] == demo_micro.ENQUIRIES
    assert [row["new_trading"] for row in first_year] == demo_micro.NEW_TRADING
    # 12, 26 and 41 micro-enterprises (one ceased) at 6 hours a week to 2 people each.
    assert [row["hours_per_week"] for row in first_year] == [0, 72, 156, 246]
    assert [row["people_supported"] for row in first_year] == [0, 24, 52, 82]
    # 72 × 13 × £4.50 = £4,212; cumulative −25,000, −45,788, −61,662, −72,271.
    assert [row["cost_avoidance"] for row in first_year] == [0, Decimal(4212), Decimal(9126), Decimal(14391)]
    assert [row["cumulative_cash_flow"] for row in first_year] == [-25000, -45788, -61662, -72271]
    year_one, year_two = figures["years"]
    assert (year_one["enquiries"], year_one["new_trading"], year_one["hours_per_week"]) == (190, 42, 246)
    assert (year_one["enquiries_target"], year_one["new_trading_target"]) == (200, 50)
    # The council's figures: £30,713 in 2021/22 and £133,088 in 2022/23 from the trajectory; break-even at quarter 8.
    assert (year_one["forecast_cost_avoidance"], year_two["forecast_cost_avoidance"]) == (
        Decimal("30712.50"),
        Decimal("133087.50"),
    )
    assert [row["forecast_cumulative_cash_flow"] for row in figures["quarters"]][-1] == Decimal(3800)
    assert figures["forecast_break_even_quarter"] == 8
    assert figures["break_even_quarter"] is None
    health = programme_health(programme=made, on=date(2021, 12, 31))["total"]
    assert (health["trading"], health["ceased"], health["hours_per_week"]) == (41, 1, 246)
