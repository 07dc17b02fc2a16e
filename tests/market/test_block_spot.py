"""The block/spot picture per district: placements by kind, the block share and average weekly prices, worked
by hand on a small estate."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from contracts.services import rate_change_create
from market.selectors.block_spot import block_spot
from tests.market.analysis_factories import district, home, make_contract, make_line, place, spot

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
ON = date(2025, 6, 1)


@pytest.fixture
def estate():
    east, hunts = district("E07000009", "East Cambridgeshire"), district("E07000011", "Huntingdonshire")
    contract = make_contract()
    east_home = home(district=east, provider=contract.provider)
    line = make_line(
        contract=contract, location=east_home, beds=4, activation_date=date(2025, 1, 1), weekly_rate=Decimal("700")
    )
    # An uplift from 1 April: block placements are priced at the line's rate on the day asked about.
    rate_change_create(bed_line=line, effective_from=date(2025, 4, 1), weekly_rate=Decimal("721.00"))
    place(line, start=date(2025, 2, 1))
    place(line, start=date(2025, 5, 1))
    place(line, start=date(2025, 5, 20), end=date(2025, 6, 10), kind="emergency")
    place(line, start=date(2025, 1, 5), end=date(2025, 3, 1))  # ended before the day: not counted on it
    spot(location=home(district=east), weekly_cost="1000.00")
    spot(location=home(district=east), weekly_cost="1150.00")
    hunts_line = make_line(location=home(district=hunts), beds=2, activation_date=date(2025, 1, 1))
    place(hunts_line, start=date(2025, 3, 1), kind="respite", end=date(2025, 6, 14))
    spot(location=home(district=hunts), care_type="residential", weekly_cost="900.00")
    return east, hunts


def test_placements_by_kind_block_share_and_average_prices_per_district(estate):
    east, hunts = estate
    answer = block_spot(start=ON)
    by_code = {row.district_code: row for row in answer.districts}
    east_row = by_code["E07000009"]
    assert east_row.kinds["block"].placements == 2
    assert east_row.kinds["block"].average_weekly_price == Decimal("721.00")
    assert east_row.kinds["emergency"].placements == 1
    assert east_row.kinds["spot"].placements == 2
    assert east_row.kinds["spot"].average_weekly_price == Decimal("1075.00")  # (1000 + 1150) / 2
    assert east_row.block_share == 0.6  # 3 in block beds of 5
    hunts_row = by_code["E07000011"]
    assert (hunts_row.kinds["respite"].placements, hunts_row.kinds["spot"].placements) == (1, 1)
    assert hunts_row.block_share == 0.5
    assert answer.total.placements == 7
    assert answer.total.kinds["spot"].average_weekly_price == Decimal("1016.67")  # 3050 / 3
    assert answer.total.block_share == round(4 / 7, 4)


def test_a_period_counts_everyone_in_care_at_any_time_in_it(estate):
    answer = block_spot(start=date(2025, 1, 1), end=date(2025, 3, 31))
    east_row = next(row for row in answer.districts if row.district_code == "E07000009")
    # The stay that ended on 1 March and the one from 1 February; the later ones start after the period.
    assert east_row.kinds["block"].placements == 2
    assert east_row.kinds["block"].average_weekly_price == Decimal("700.00")  # the rate on 31 March
    assert east_row.kinds["spot"].placements == 0


def test_districts_and_care_types_narrow_the_picture(estate):
    east, _ = estate
    answer = block_spot(start=ON, districts=[east], care_types=["residential"])
    assert [row.district_code for row in answer.districts] == ["E07000009"]
    assert answer.districts[0].placements == 0
    assert answer.total.placements == 0


def test_the_api_answers_the_picture_and_refuses_what_it_does_not_understand(api, estate):
    api.as_role(Role.BROKER)
    answer = api.get("/api/v1/market/block-spot/", {"on": "2025-06-01", "districts": "E07000009,e07000011"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [row["district_code"] for row in body["districts"]] == ["E07000009", "E07000011"]
    assert body["districts"][0]["spot"] == {"placements": 2, "average_weekly_price": "1075.00"}
    assert body["total"]["block_share"] == round(4 / 7, 4)
    for bad in ({"district": "E07000009"}, {"districts": "E07999999"}, {"care_types": "bungalow"}, {"on": "soon"}):
        refused = api.get("/api/v1/market/block-spot/", bad)
        assert refused.status_code == 400, bad
        assert next(iter(bad)) in refused.json()["error"]["fields"]
    both = api.get("/api/v1/market/block-spot/", {"on": "2025-06-01", "from": "2025-01-01", "to": "2025-02-01"})
    assert both.status_code == 400
    backwards = api.get("/api/v1/market/block-spot/", {"from": "2025-03-01", "to": "2025-02-01"})
    assert backwards.status_code == 400 and "to" in backwards.json()["error"]["fields"]


def test_provider_users_see_none_of_it(api, estate):
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/market/block-spot/").status_code == 403
    assert api.get("/api/v1/market/block-spot/export/csv/").status_code == 403


def test_the_export_is_the_table_with_a_total_row(api, estate):
    api.as_role(Role.COMMISSIONER)
    answer = api.get("/api/v1/market/block-spot/export/csv/", {"on": "2025-06-01"})
    assert answer.status_code == 200
    lines = answer.content.decode().splitlines()
    assert lines[0].startswith("District code,District,From,To,Block placements,Block average weekly price (£)")
    assert lines[-1].startswith(",All districts,2025-06-01,2025-06-01,2,721.00,3,1016.67")
    xlsx = api.get("/api/v1/market/block-spot/export/xlsx/", {"on": "2025-06-01"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_picture_takes_the_same_queries_for_two_districts_as_for_many(api):
    api.as_role(Role.COMMISSIONER)
    districts = [district(f"E0700{n:04d}", f"District {n}") for n in range(12)]
    for number, locality in enumerate(districts):
        line = make_line(location=home(district=locality), beds=2, activation_date=date(2025, 1, 1))
        place(line, start=date(2025, 2, 1))
        spot(location=home(district=locality), weekly_cost=str(900 + number))

    def count(codes):
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/market/block-spot/", {"on": "2025-06-01", "districts": codes}).status_code == 200
        return len(queries)

    count(districts[0].code)  # the first request reads the user's roles once
    two = count(",".join(d.code for d in districts[:2]))
    assert count(",".join(d.code for d in districts)) == two
