import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from market.models import Bid, Lot, LotStatus
from providers.services.conditions import condition_impose
from tests.factories import LocalityFactory, LocationFactory, ProviderFactory, ProviderMembershipFactory, RatingFactory
from tests.market.factories import make_award, make_bid, make_lot, make_round, make_tender

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/market/tenders/",
    "/api/v1/market/lots/",
    "/api/v1/market/rounds/",
    "/api/v1/market/bids/",
    "/api/v1/market/awards/",
    "/api/v1/market/lots/export/csv/",
    "/api/v1/market/lots/export/xlsx/",
]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def awarded_lot(*, provider=None, tender=None, **lot_fields):
    provider = provider or ProviderFactory()
    lot = make_lot(tender=tender, **lot_fields)
    round_ = make_round(lot=lot)
    make_bid(round=round_, provider=ProviderFactory())  # a losing bid
    award = make_award(bid=make_bid(round=round_, provider=provider, quality="95", price="95"))
    return award


def test_the_lots_register_shows_the_current_award_lead_provider_and_cqc_warnings(api):
    api.as_role(Role.COMMISSIONER)
    provider = ProviderFactory(name="Soar Valley Homecare Ltd")
    location = LocationFactory(provider=provider, care_home=False)
    rating = RatingFactory(location=location, overall="Inadequate", report_date=date(2016, 12, 20))
    location.current_rating = rating
    location.save()
    condition_impose(location=location, text="No new packages", imposed_on=date(2017, 1, 20), stops_admissions=True)
    award = awarded_lot(provider=provider, code="HTLAH-01")
    awarded_lot(code="HTLAH-05")

    lots = {row["code"]: row for row in api.get("/api/v1/market/lots/").json()["results"]}
    assert lots["HTLAH-01"]["lead_provider_name"] == "Soar Valley Homecare Ltd"
    assert lots["HTLAH-01"]["current_award"] == award.pk
    assert lots["HTLAH-01"]["go_live_on"] == "2016-11-07"
    assert (lots["HTLAH-01"]["lead_provider_inadequate"], lots["HTLAH-01"]["lead_provider_stops_admissions"]) == (
        True,
        True,
    )
    assert (lots["HTLAH-05"]["lead_provider_inadequate"], lots["HTLAH-05"]["lead_provider_stops_admissions"]) == (
        False,
        False,
    )
    flagged = api.get("/api/v1/market/lots/", {"stops_admissions": "true"}).json()["results"]
    assert [row["code"] for row in flagged] == ["HTLAH-01"]


def test_a_lots_page_lists_its_rounds_in_order_and_its_status_history(api):
    api.as_role(Role.BROKER)
    award = awarded_lot()
    body = api.get(f"/api/v1/market/lots/{award.lot_id}/").json()
    assert [r["number"] for r in body["rounds"]] == [1]
    assert [(c["from_status"], c["to_status"]) for c in body["status_changes"]] == [
        ("", "planned"),
        ("planned", "in_procurement"),
        ("in_procurement", "awarded"),
    ]


def test_lots_filter_by_status_area_provider_and_service(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    provider = ProviderFactory()
    mine = awarded_lot(provider=provider).lot
    other = awarded_lot().lot
    vacant = make_lot(service="care_home_beds", capacities={"nursing": 20})

    def codes(**params):
        response = api.get("/api/v1/market/lots/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["code"] for row in response.json()["results"])

    assert codes(provider=provider.pk) == [mine.code]
    assert codes(status="awarded") == sorted([mine.code, other.code])
    assert codes(status="planned,vacant") == [vacant.code]
    assert codes(area=other.area.code) == [other.code]
    assert codes(service="care_home_beds") == [vacant.code]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/market/lots/", {"colour": "red"}),
        ("/api/v1/market/lots/", {"status": "nearly_live"}),
        ("/api/v1/market/lots/", {"stops_admissions": "perhaps"}),
        ("/api/v1/market/lots/", {"provider": ""}),
        ("/api/v1/market/lots/export/csv/", {"page_size": "10"}),
        ("/api/v1/market/tenders/", {"procedure": "auction"}),
        ("/api/v1/market/rounds/", {"lots": "1"}),
        ("/api/v1/market/bids/", {"compliant": "maybe"}),
        ("/api/v1/market/awards/", {"current": "sometimes"}),
    ],
)
def test_unknown_or_bad_query_parameters_are_a_400_naming_them(api, url, params):
    api.as_role(Role.COMMISSIONER)
    response = api.get(url, params)
    assert response.status_code == 400
    assert list(params)[0] in response.content.decode()


def test_the_lots_register_exports_follow_the_lists_filters(api):
    api.as_role(Role.CONTRACT_OFFICER)
    provider = ProviderFactory(name="Charnwood Community Care Ltd")
    mine = awarded_lot(provider=provider, name="Loughborough and Shepshed").lot
    awarded_lot()
    make_lot()

    rows = csv_rows(api.get("/api/v1/market/lots/export/csv/", {"provider": provider.pk}))
    assert [(row["Code"], row["Lead provider"], row["Status"]) for row in rows] == [
        (mine.code, "Charnwood Community Care Ltd", "Awarded")
    ]
    assert len(csv_rows(api.get("/api/v1/market/lots/export/csv/"))) == 3

    response = api.get("/api/v1/market/lots/export/xlsx/", {"status": "planned"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Code" and len(values) == 2 and values[1][7] == "Planned"


def test_commissioners_write_and_brokers_and_compliance_officers_only_read(api):
    area = LocalityFactory(code="HTLAH-02", name="Hinckley and Twycross", kind="lot_area")
    tender = make_tender()
    payload = {"tender": tender.pk, "code": "HTLAH-02", "name": "Hinckley and Twycross", "area": area.pk}
    for role in (Role.BROKER, Role.COMPLIANCE_OFFICER, Role.PROVIDER_USER):
        api.as_role(role)
        assert api.post("/api/v1/market/lots/", payload, format="json").status_code == 403
    api.as_role(Role.COMMISSIONER)
    response = api.post(
        "/api/v1/market/lots/", {**payload, "hours_per_week": "1903.0", "capacities": {}}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["service"]) == ("planned", "homecare_hours")
    assert api.post("/api/v1/market/lots/", payload, format="json").status_code == 409  # the code is taken


def test_a_tender_round_bids_and_award_made_through_the_api(api):
    api.as_role(Role.CONTRACT_OFFICER)
    tender = api.post(
        "/api/v1/market/tenders/",
        {"reference": "LCC-HTLAH-2016", "title": "Help to Live at Home", "quality_threshold": "60"},
        format="json",
    ).json()
    stage = api.post(
        f"/api/v1/market/tenders/{tender['id']}/stages/",
        {"stage": "contract_start", "planned_date": "2016-11-07"},
        format="json",
    )
    assert stage.status_code == 200, stage.json()
    area = LocalityFactory(code="HTLAH-01", name="Blaby", kind="lot_area")
    lot = api.post(
        "/api/v1/market/lots/",
        {"tender": tender["id"], "code": "HTLAH-01", "name": "Blaby", "area": area.pk},
        format="json",
    ).json()
    round_ = api.post("/api/v1/market/rounds/", {"lot": lot["id"], "opened_on": "2016-05-03"}, format="json")
    assert round_.status_code == 201, round_.json()
    assert (round_.json()["number"], round_.json()["procedure"]) == (1, "open")
    winner, loser = ProviderFactory(), ProviderFactory()
    bids = [
        api.post(
            "/api/v1/market/bids/",
            {"round": round_.json()["id"], "provider": provider.pk, "quality_score": q, "price_score": p},
            format="json",
        )
        for provider, q, p in ((loser, "61", "70"), (winner, "80", "75"))
    ]
    assert [b.status_code for b in bids] == [201, 201]
    assert bids[1].json()["weighted_total"] == "78.00" and bids[1].json()["rank"] == 1
    low = api.post(
        "/api/v1/market/bids/",
        {"round": round_.json()["id"], "provider": ProviderFactory().pk, "quality_score": "55", "price_score": "100"},
        format="json",
    ).json()
    refused = api.post(
        "/api/v1/market/awards/",
        {"bid": low["id"], "awarded_on": "2016-07-01", "go_live_on": "2016-11-07"},
        format="json",
    )
    assert refused.status_code == 400 and "threshold" in refused.content.decode()
    award = api.post(
        "/api/v1/market/awards/",
        {"bid": bids[1].json()["id"], "awarded_on": "2016-07-01", "go_live_on": "2016-11-07"},
        format="json",
    )
    assert award.status_code == 201, award.json()
    assert award.json()["lead_provider"] == winner.pk
    assert Lot.objects.get(pk=lot["id"]).status == LotStatus.AWARDED
    moved = api.post(f"/api/v1/market/lots/{lot['id']}/status/", {"status": "mobilising"}, format="json")
    assert moved.status_code == 200
    assert [c["to_status"] for c in moved.json()["status_changes"]][-1] == "mobilising"
    ended = api.post(f"/api/v1/market/lots/{lot['id']}/status/", {"status": "ended"}, format="json")
    assert ended.status_code == 409  # the award is ended first
    back = api.post(f"/api/v1/market/lots/{lot['id']}/status/", {"status": "planned"}, format="json")
    assert back.status_code == 409


def test_provider_users_see_only_their_own_lots_awards_bids_rounds_and_tenders(api):
    user = api.as_role(Role.PROVIDER_USER)
    provider = ProviderFactory()
    ProviderMembershipFactory(user=user, provider=provider)
    mine = awarded_lot(provider=provider)
    theirs = awarded_lot()
    my_bid = Bid.objects.get(round__lot=mine.lot, provider=provider)
    their_bid = Bid.objects.get(round__lot=theirs.lot, provider=theirs.bid.provider)
    # A bid of ours in someone else's round shows our bid and that round, not the other bids or the lot.
    losing_round = make_round(lot=make_lot())
    my_losing_bid = make_bid(round=losing_round, provider=provider, quality="61", price="10")
    someone_elses = make_bid(round=losing_round, quality="90", price="90")

    def ids(url):
        response = api.get(url)
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert ids("/api/v1/market/lots/") == [mine.lot_id]
    assert ids("/api/v1/market/awards/") == [mine.pk]
    assert ids("/api/v1/market/bids/") == sorted([my_bid.pk, my_losing_bid.pk])
    assert ids("/api/v1/market/rounds/") == sorted([mine.bid.round_id, losing_round.pk])
    assert ids("/api/v1/market/tenders/") == sorted([mine.lot.tender_id, losing_round.tender_id])
    for url in (
        f"/api/v1/market/lots/{theirs.lot_id}/",
        f"/api/v1/market/lots/{losing_round.lot_id}/",
        f"/api/v1/market/awards/{theirs.pk}/",
        f"/api/v1/market/bids/{their_bid.pk}/",
        f"/api/v1/market/bids/{someone_elses.pk}/",
        f"/api/v1/market/rounds/{theirs.bid.round_id}/",
        f"/api/v1/market/tenders/{theirs.lot.tender_id}/",
    ):
        assert api.get(url).status_code == 404, url
    for url in (f"/api/v1/market/lots/{mine.lot_id}/", f"/api/v1/market/awards/{mine.pk}/"):
        assert api.get(url).status_code == 200, url
    rows = csv_rows(api.get("/api/v1/market/lots/export/csv/"))
    assert [row["Code"] for row in rows] == [mine.lot.code]
    assert api.post(f"/api/v1/market/lots/{mine.lot_id}/status/", {"status": "live"}, format="json").status_code == 403


def _list_queries(api, url: str) -> int:
    api.get(url)  # the signed-in user's roles are read once per user object; count the list alone
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {} if "/export/" in url else {"page_size": 100})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PROVIDER_USER])
@pytest.mark.parametrize("url", LISTS)
def test_lists_cost_the_same_number_of_queries_for_1_and_20_lots(api, url, role):
    user = api.as_role(role)
    provider = ProviderFactory()
    ProviderMembershipFactory(user=user, provider=provider)
    tender = make_tender()

    def add(count):
        for _ in range(count):
            awarded_lot(provider=provider, tender=tender, capacities={"nursing": 4})
            LocationFactory(provider=provider)

    add(1)
    one = _list_queries(api, url)
    add(19)
    assert _list_queries(api, url) == one
