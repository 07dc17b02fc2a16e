"""The shape of the block market per district and care type: providers' shares, the concentration index, the
small providers' share, beds in poorly rated homes, and the settings and providers beyond the council's limits."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from market.models import MarketLimits
from market.selectors.market_shape import DEFAULT_LIMITS, market_limits, market_shape
from market.services.analysis import market_limits_set
from tests.factories import ProviderFactory, RatingFactory
from tests.market.analysis_factories import district, home, make_contract, make_line

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
ON = date(2025, 6, 1)


def rated(location, overall: str):
    location.current_rating = RatingFactory(location=location, overall=overall)
    location.save(update_fields=["current_rating"])
    return location


@pytest.fixture
def estate():
    east = district("E07000009", "East Cambridgeshire")
    small, large = ProviderFactory(name="Fen Edge Care"), ProviderFactory(name="Anglia Homes")
    small_contract, large_contract = make_contract(provider=small), make_contract(provider=large)
    # The small provider: one home of 30 beds, 10 of them block nursing beds.
    make_line(
        contract=small_contract,
        location=rated(home(district=east, provider=small, name="Soham Lodge"), "Good"),
        beds=10,
        activation_date=date(2025, 1, 1),
    )
    # The large one: three homes of 30 beds; 20 block beds in one rated Inadequate and 10 in another.
    make_line(
        contract=large_contract,
        location=rated(home(district=east, provider=large, name="Ely Court"), "Inadequate"),
        beds=20,
        activation_date=date(2025, 1, 1),
    )
    make_line(
        contract=large_contract,
        location=home(district=east, provider=large, name="Littleport House"),
        beds=10,
        activation_date=date(2025, 1, 1),
    )
    home(district=east, provider=large)
    # Not yet contracted on the day: left out.
    make_line(contract=large_contract, location=home(district=east, provider=large), activation_date=date(2025, 7, 1))
    return east


def test_shares_concentration_small_providers_and_poor_ratings(estate):
    shape = market_shape(on=ON)
    [row] = shape.rows
    assert (row.district_code, row.care_type, row.beds) == ("E07000009", "nursing", 40)
    assert [(p.provider_name, p.beds, p.share_percent, p.small) for p in row.providers] == [
        ("Anglia Homes", 30, 75.0, False),
        ("Fen Edge Care", 10, 25.0, True),
    ]
    assert row.hhi == 6250.0  # 75² + 25²
    assert row.small_provider_share == 0.25
    assert (row.poor_rating_beds, row.poor_rating_share) == (20, 0.5)
    assert shape.breaches == []  # the defaults: 40 a setting, 120 a provider


def test_breaches_of_the_limits_the_council_sets(estate):
    market_limits_set(max_block_beds_per_setting=15, max_block_beds_per_provider=25)
    shape = market_shape(on=ON)
    assert [(b.kind, b.name, b.block_beds, b.limit) for b in shape.breaches] == [
        ("setting", "Ely Court", 20, 15),
        ("provider", "Anglia Homes", 30, 25),
    ]
    # A small provider is at most 60 beds and 2 homes by default; at most 20 beds, none is small.
    market_limits_set(small_provider_max_beds=20)
    assert market_shape(on=ON).rows[0].small_provider_share == 0.0


def test_the_limits_have_defaults_until_the_council_sets_them():
    assert MarketLimits.objects.count() == 0
    assert market_limits().max_block_beds_per_setting == DEFAULT_LIMITS["max_block_beds_per_setting"]
    market_limits_set(max_block_beds_per_provider=90)
    market_limits_set(small_provider_max_locations=1)
    assert MarketLimits.objects.count() == 1
    limits = market_limits()
    assert (limits.max_block_beds_per_provider, limits.small_provider_max_locations) == (90, 1)
    assert limits.max_block_beds_per_setting == DEFAULT_LIMITS["max_block_beds_per_setting"]


def test_the_limits_api_commissioners_write_brokers_read(api):
    api.as_role(Role.BROKER)
    assert api.get("/api/v1/market/market-limits/").json() == DEFAULT_LIMITS
    assert api.patch("/api/v1/market/market-limits/", {"max_block_beds_per_setting": 30}).status_code == 403
    api.as_role(Role.COMMISSIONER)
    answer = api.patch("/api/v1/market/market-limits/", {"max_block_beds_per_setting": 30}, format="json")
    assert answer.status_code == 200 and answer.json()["max_block_beds_per_setting"] == 30
    refused = api.patch("/api/v1/market/market-limits/", {"max_block_beds_per_provider": 0}, format="json")
    assert refused.status_code == 400
    assert (
        api.put("/api/v1/market/market-limits/", {"max_block_beds_per_setting": 30}, format="json").status_code == 400
    )
    assert market_limits().max_block_beds_per_setting == 30
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/market/market-limits/").status_code == 403


def test_the_shape_api_export_and_refusals(api, estate):
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.get("/api/v1/market/market-shape/", {"on": "2025-06-01", "care_types": "nursing"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["rows"][0]["hhi"] == 6250.0 and body["limits"] == DEFAULT_LIMITS
    bad_lists = [{"care_types": "nursing,"}, {"care_types": "Nursing"}, {"care_types": "nursing, residential"}]
    for bad in [{"on": "today"}, *bad_lists, {"districts": "E07000099"}, {"group_by": "home"}]:
        refused = api.get("/api/v1/market/market-shape/", bad)
        assert refused.status_code == 400, bad
        assert next(iter(bad)) in refused.json()["error"]["fields"]
    csv = api.get("/api/v1/market/market-shape/export/csv/", {"on": "2025-06-01"})
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("District code,District,Care type,Block beds in the district and care type")
    assert lines[1] == "E07000009,East Cambridgeshire,nursing,40,6250.0,25.0,50.0,Anglia Homes,30,75.0,no"
    assert api.get("/api/v1/market/market-shape/export/xlsx/").content[:2] == b"PK"
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/market/market-shape/").status_code == 403


def test_the_shape_takes_the_same_queries_for_two_districts_as_for_many(api):
    api.as_role(Role.COMMISSIONER)
    districts = [district(f"E0700{n:04d}", f"District {n}") for n in range(10)]
    for locality in districts:
        make_line(location=home(district=locality), beds=3, activation_date=date(2025, 1, 1))

    def count(codes):
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/market/market-shape/", {"districts": codes, "on": "2025-06-01"}).status_code == 200
        return len(queries)

    count(districts[0].code)
    two = count(",".join(d.code for d in districts[:2]))
    assert count(",".join(d.code for d in districts)) == two


def test_the_admin_keeps_one_row_of_limits_saved_through_the_service(admin_client):
    values = {**DEFAULT_LIMITS, "max_block_beds_per_setting": 35}
    assert admin_client.post("/admin/market/marketlimits/add/", values).status_code == 302
    assert market_limits().max_block_beds_per_setting == 35
    assert admin_client.get("/admin/market/marketlimits/add/").status_code == 403  # one row only
    limits = MarketLimits.objects.get()
    assert admin_client.post(f"/admin/market/marketlimits/{limits.pk}/delete/").status_code == 403
