"""Cost avoidance of block contracts, each component against figures worked by hand: block cost from the rate
history, the spot-equivalent cost along the council's spot inflation path, the void dampener (contracts' void
cost) and the dampener for a spot placement converted to block."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from contracts.models import ContractKind, Placement
from contracts.services import placement_create, placement_end, rate_change_create
from market.models import SpotInflation
from market.selectors.block_spot import block_spot
from market.selectors.cost_avoidance import SpotPath, contract_years, cost_avoidance
from market.services.analysis import spot_inflation_set, spot_price_create
from tests.market.analysis_factories import district, home, make_contract, make_line, place, spot

pytestmark = pytest.mark.django_db
THROUGH = date(2025, 12, 31)


@pytest.fixture
def contract():
    east = district("E07000009", "East Cambridgeshire")
    contract = make_contract(reference="CCC-BB24-01", start_date=date(2024, 1, 1), end_date=date(2028, 12, 31))
    location = home(district=east, provider=contract.provider)
    # One nursing bed at £700 a week (£100 a day), uplifted 3% to £721 from 1 April 2025.
    line = make_line(
        contract=contract,
        location=location,
        beds=1,
        activation_date=date(2024, 1, 1),
        weekly_rate=Decimal("700.00"),
    )
    rate_change_create(bed_line=line, effective_from=date(2025, 4, 1), weekly_rate=Decimal("721.00"))
    # Spot nursing at £1,000 a week on the contract's first day, rising 10% in 2024/25 and 5% in 2025/26.
    spot_price_create(care_type="nursing", priced_on=date(2024, 1, 1), weekly_price=Decimal("1000.00"))
    spot_inflation_set(financial_year=2024, percent=Decimal("10"))
    spot_inflation_set(financial_year=2025, percent=Decimal("5"))
    # The bed is empty for its first 14 days; then someone placed spot in the home at £900 a week moves into it.
    spot(location=location, weekly_cost="900.00", start=date(2023, 6, 1), end=date(2024, 1, 14), reference="CNV-1")
    place(line, start=date(2024, 1, 15), reference="CNV-1")
    return contract


def test_contract_years_run_from_the_start_date_and_stop_at_the_day_asked_about(contract):
    assert contract_years(contract, through=THROUGH) == [
        (1, date(2024, 1, 1), date(2024, 12, 31)),
        (2, date(2025, 1, 1), date(2025, 12, 31)),
    ]
    assert contract_years(contract, through=date(2024, 2, 1)) == [(1, date(2024, 1, 1), date(2024, 2, 1))]


def test_each_component_per_contract_year(contract):
    answer = cost_avoidance(contract=contract, through=THROUGH)
    first, second = answer.years
    # Year 1: 91 days to 31 March at £700 and £1,000; 275 days from 1 April at £700 and £1,100.
    assert first.contracted_bed_days == 366
    assert first.block_cost == Decimal("36600.00")  # 366 × £100
    assert first.spot_equivalent_cost == Decimal("56214.29")  # 91 × 1000/7 + 275 × 1100/7
    assert first.gross_avoidance == Decimal("19614.29")
    assert first.void_dampener == Decimal("1400.00")  # 14 void days × £100
    assert first.conversion_dampener == Decimal("8957.14")  # 77 × (1000 − 900)/7 + 275 × (1100 − 900)/7
    assert first.net_avoidance == Decimal("9257.15")
    # Year 2: 90 days at £700 and £1,100; 275 days from 1 April at £721 and £1,155.
    assert second.block_cost == Decimal("37325.00")  # 9,000 + 275 × 721/7
    assert second.spot_equivalent_cost == Decimal("59517.86")  # 90 × 1100/7 + 275 × 1155/7
    assert second.void_dampener == Decimal("0.00")
    assert second.conversion_dampener == Decimal("12589.29")  # 90 × 200/7 + 275 × 255/7
    assert second.net_avoidance == Decimal("9603.57")
    assert answer.total.block_cost == Decimal("73925.00")
    assert answer.total.spot_equivalent_cost == Decimal("115732.14")
    assert answer.total.conversion_dampener == Decimal("21546.43")
    assert answer.total.net_avoidance == Decimal("18860.71")
    assert answer.starting_spot_prices["nursing@2024-01-01"]["source"] == "council"


def test_the_spot_path_takes_the_defaults_and_carries_the_latest_year_forward():
    path = SpotPath({})
    assert [path.percent(year) for year in (2016, 2019, 2020, 2021, 2030)] == [
        10,
        10,
        7,
        Decimal("6.7"),
        Decimal("6.7"),
    ]
    council = SpotPath({2024: Decimal("5")})
    assert (council.percent(2023), council.percent(2024), council.percent(2027)) == (Decimal("6.7"), 5, 5)
    # £1,000 in January 2021 is £1,000 × 1.067 (April 2021) × 1.067 (April 2022) in May 2022.
    moved = path.moved(Decimal("1000"), from_day=date(2021, 1, 18), to_day=date(2022, 5, 1))
    assert moved == Decimal("1000") * Decimal("1.067") * Decimal("1.067")
    assert path.moved(moved, from_day=date(2022, 5, 1), to_day=date(2021, 1, 18)) == Decimal("1000")


def test_without_a_council_price_the_spot_path_starts_from_spot_placements_on_the_start_day():
    east = district("E07000009", "East Cambridgeshire")
    contract = make_contract(start_date=date(2024, 1, 1))
    make_line(
        contract=contract,
        location=home(district=east, provider=contract.provider),
        beds=1,
        activation_date=date(2024, 1, 1),
    )
    spot(location=home(district=east), weekly_cost="950.00", start=date(2023, 12, 1))
    spot(location=home(district=east), weekly_cost="1050.00", start=date(2023, 11, 1), end=date(2024, 2, 1))
    spot(location=home(district=east), weekly_cost="5000.00", start=date(2024, 1, 2))  # not in care on the day
    answer = cost_avoidance(contract=contract, through=date(2024, 1, 7))
    assert answer.starting_spot_prices["nursing@2024-01-01"] == {
        "care_type": "nursing",
        "on": date(2024, 1, 1),
        "price": Decimal("1000"),
        "source": "spot placements",
    }
    assert answer.years[0].spot_equivalent_cost == Decimal("1000.00")  # 7 days at £1,000 a week
    assert answer.missing_spot_prices == []


def test_every_contract_is_summed_by_contract_year(contract):
    other = make_contract(start_date=date(2024, 1, 1))
    make_line(
        contract=other,
        location=home(district=district("E07000011", "Huntingdonshire"), provider=other.provider),
        beds=1,
        activation_date=date(2024, 1, 1),
        weekly_rate=Decimal("700.00"),
    )
    make_contract(kind=ContractKind.SPOT, start_date=date(2024, 1, 1))  # not a block contract: left out
    answer = cost_avoidance(through=THROUGH)
    assert [c.reference for c in answer.contracts] == sorted([contract.reference, other.reference])
    assert answer.years[0].block_cost == Decimal("73200.00")  # both beds, 366 days at £100
    assert answer.years[0].void_dampener == Decimal("38000.00")  # 1,400 + the other bed empty all year


def test_the_api_answers_one_contract_or_all_and_refuses_others(api, contract):
    api.as_role(Role.COMMISSIONER)
    answer = api.get("/api/v1/market/cost-avoidance/", {"contract": contract.pk, "through": "2025-12-31"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["contracts"] == ["CCC-BB24-01"]
    assert [year["net_avoidance"] for year in body["years"]] == ["9257.15", "9603.57"]
    assert body["total"]["void_dampener"] == "1400.00"
    spot_contract = make_contract(kind=ContractKind.SPOT)
    for bad in ({"contract": spot_contract.pk}, {"contract": "x"}, {"through": "never"}, {"districts": "E0"}):
        refused = api.get("/api/v1/market/cost-avoidance/", bad)
        assert refused.status_code == 400, bad
        assert next(iter(bad)) in refused.json()["error"]["fields"]


def test_the_export_shows_each_component_per_year_and_the_total(api, contract):
    api.as_role(Role.CONTRACT_OFFICER)
    answer = api.get("/api/v1/market/cost-avoidance/export/csv/", {"contract": contract.pk, "through": "2025-12-31"})
    assert answer.status_code == 200
    lines = answer.content.decode().splitlines()
    assert lines[0] == (
        "Contract year,From,To,Contracted bed-days,Block cost (£),Spot-equivalent cost (£),Gross cost avoidance (£),"
        "Void dampener (£),Spot-to-block conversion dampener (£),Net cost avoidance (£)"
    )
    assert lines[1] == "Year 1,2024-01-01,2024-12-31,366,36600.00,56214.29,19614.29,1400.00,8957.14,9257.15"
    assert lines[-1].startswith("Total,2024-01-01,2025-12-31,731,73925.00,115732.14")
    assert api.get("/api/v1/market/cost-avoidance/export/xlsx/").content[:2] == b"PK"


def test_provider_users_and_reading_roles(api, contract):
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/market/cost-avoidance/").status_code == 403
    api.as_role(Role.BROKER)
    assert api.get("/api/v1/market/cost-avoidance/").status_code == 200


def test_cost_avoidance_takes_the_same_queries_for_two_districts_as_for_many(api):
    api.as_role(Role.COMMISSIONER)
    districts = [district(f"E0700{n:04d}", f"District {n}") for n in range(8)]
    contract = make_contract(start_date=date(2024, 1, 1))
    for locality in districts:
        line = make_line(
            contract=contract,
            location=home(district=locality, provider=contract.provider),
            beds=1,
            activation_date=date(2024, 1, 1),
        )
        place(line, start=date(2024, 2, 1))
    placement_create(
        reference="SP-1",
        kind="spot",
        location=home(district=districts[0]),
        care_type="nursing",
        weekly_cost=Decimal("990"),
        start_date=date(2023, 12, 1),
    )

    def count(codes):
        with CaptureQueriesContext(connection) as queries:
            answer = api.get("/api/v1/market/cost-avoidance/", {"districts": codes, "through": "2025-06-30"})
            assert answer.status_code == 200
        return len(queries)

    count(districts[0].code)
    two = count(",".join(d.code for d in districts[:2]))
    assert count(",".join(d.code for d in districts)) == two


def test_contract_officers_set_the_spot_inflation_path_and_brokers_read_it(api):
    api.as_role(Role.BROKER)
    assert api.post("/api/v1/market/spot-inflation/", {"financial_year": 2026, "percent": "5.5"}).status_code == 403
    api.as_role(Role.CONTRACT_OFFICER)
    created = api.post("/api/v1/market/spot-inflation/", {"financial_year": 2026, "percent": "5.5"}, format="json")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/market/spot-inflation/", {"financial_year": 2026, "percent": "6"}, format="json")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    assert SpotPath().percent(2026) == Decimal("6")
    refused = api.post("/api/v1/market/spot-inflation/", {"financial_year": 2027, "percent": "500"}, format="json")
    assert refused.status_code == 400 and "percent" in refused.json()["error"]["fields"]
    assert api.delete(f"/api/v1/market/spot-inflation/{created.json()['id']}/").status_code == 204
    assert SpotPath().percent(2026) == Decimal("6.7")  # back to the default path
    price = api.post(
        "/api/v1/market/spot-prices/",
        {"care_type": "nursing", "priced_on": "2021-01-18", "weekly_price": "880.00"},
        format="json",
    )
    assert price.status_code == 201, price.content
    clash = api.post(
        "/api/v1/market/spot-prices/",
        {"care_type": "nursing", "priced_on": "2021-01-18", "weekly_price": "890.00"},
        format="json",
    )
    assert clash.status_code == 409


def test_the_admin_saves_the_spot_inflation_through_the_service(admin_client):
    added = admin_client.post(
        "/admin/market/spotinflation/add/", {"financial_year": 2026, "percent": "250", "notes": ""}
    )
    assert added.status_code == 200 and "<title>Error:" in added.content.decode()
    assert not SpotInflation.objects.exists()
    admin_client.post("/admin/market/spotinflation/add/", {"financial_year": 2026, "percent": "4.5", "notes": ""})
    assert SpotPath().percent(2026) == Decimal("4.5")


@pytest.mark.slow
def test_the_cambridgeshire_demo_avoids_cost_with_spot_priced_above_block():
    from contracts.demo import demo_load as contracts_demo_load
    from geo.demo import demo_load as geo_demo_load
    from market.demo import demo_load as market_demo_load
    from providers.demo import demo_load as providers_demo_load

    geo_demo_load()
    providers_demo_load()
    contracts_demo_load()
    counts = market_demo_load()
    assert market_demo_load() == counts  # idempotent
    assert (counts["spot_inflation_years"], counts["spot_prices"], counts["market_limits"]) == (6, 5, 1)
    answer = cost_avoidance(through=date(2026, 1, 17))  # the tender's first five contract years
    assert len(answer.years) == 5 and answer.missing_spot_prices == []
    assert all(year.spot_equivalent_cost > year.block_cost for year in answer.years)
    assert answer.total.void_dampener > 0
    assert answer.total.net_avoidance > 0
    # The demo's placements are dated from the day it is loaded: the spot and block prices paid today.
    picture = block_spot(start=timezone.localdate())
    assert picture.total.kinds["spot"].average_weekly_price > picture.total.kinds["block"].average_weekly_price


def test_cost_avoidance_is_worked_out_up_to_today_at_the_latest(api):
    api.as_role(Role.COMMISSIONER)
    refused = api.get("/api/v1/market/cost-avoidance/", {"through": "9999-12-31"})
    assert refused.status_code == 400 and "through" in refused.json()["error"]["fields"]
    contract = make_contract(start_date=date(2024, 1, 1), end_date=None)
    assert cost_avoidance(contract=contract, through=date(9999, 12, 31)).through <= date.today()


def test_a_bed_filled_after_an_answer_lowers_the_void_dampener_at_once(contract):
    line = contract.bed_lines.get()
    line.beds = 2
    line.save(update_fields=["beds"])
    before = cost_avoidance(contract=contract, through=THROUGH).years[1].void_dampener
    place(line, start=date(2025, 1, 1), reference="BRK-2026-0042")
    after = cost_avoidance(contract=contract, through=THROUGH).years[1].void_dampener
    assert before > after == Decimal("0.00")


def test_an_edit_committed_after_a_later_stamped_one_still_renews_the_cached_void_figures(
    contract, django_capture_on_commit_callbacks
):
    # Two writers: this placement's end is stamped first but commits last, so the highest updated_at, the count
    # and the highest id of placements are what they were when the figures were cached.
    line = contract.bed_lines.get()
    line.beds = 2
    line.save(update_fields=["beds"])
    placed = place(line, start=date(2025, 1, 1), reference="BRK-2026-0043")
    stamp = Placement.objects.get(pk=placed.pk).updated_at
    before = cost_avoidance(contract=contract, through=THROUGH).years[1].void_dampener
    with django_capture_on_commit_callbacks(execute=True):
        placement_end(placement=placed, end_date=date(2025, 2, 1))
    Placement.objects.filter(pk=placed.pk).update(updated_at=stamp)
    after = cost_avoidance(contract=contract, through=THROUGH).years[1].void_dampener
    assert after > before
