"""Tenders from the pages: the list, a tender's page with its rounds (organisations invited, services due), bids best
first with their scores and the award; a tender created, a round opened, the organisations invited recorded, bids
recorded and one awarded, all through market.services.tenders. Commissioners and contract officers only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from market.models import Award, Bid, LotStatus, ProcurementRound, Tender
from tests.dates import TODAY
from tests.factories import ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.factories import make_bid, make_lot, make_round, make_tender

pytestmark = pytest.mark.django_db


def sign_in(client, *roles):
    client.force_login(UserFactory(roles=roles))


def when(name: str, day) -> dict:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def long_day(day) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def lot():
    return make_lot(tender=make_tender(reference="LCC-HTLAH-2027", title="Help to Live at Home"), code="HTLAH-04")


def test_a_tender_is_created_and_listed(client):
    sign_in(client, Role.COMMISSIONER)
    answer = client.post(
        "/tenders/new/",
        {
            "reference": "LCC-BEDS-2027",
            "title": "Block beds 2027",
            "service": "care_home_beds",
            "procedure": "competitive_negotiation",
            "quality_weight": "70",
            "price_weight": "30",
            "quality_threshold": "55",
            "status": "planned",
        },
        follow=True,
    )
    html = answer.content.decode()
    assert "Tender LCC-BEDS-2027 is created." in html
    assert "Quality 70%, price 30%" in html and "55 out of 100" in html
    assert "Competitive procedure with negotiation" in html
    listed = client.get("/tenders/").content.decode()
    assert "LCC-BEDS-2027" in listed and "Block beds 2027" in listed and "Care home beds" in listed


def test_weights_that_do_not_add_up_are_refused_on_their_field(client):
    sign_in(client, Role.CONTRACT_OFFICER)
    data = {"reference": "T-1", "title": "T", "service": "homecare_hours", "procedure": "open", "status": "planned"}
    answer = client.post(
        "/tenders/new/", {**data, "quality_weight": "70", "price_weight": "40", "quality_threshold": "0"}
    )
    html = answer.content.decode()
    assert answer.status_code == 400 and "There is a problem" in html
    assert "The quality and price weights must add up to 100." in html and 'href="#id_price_weight"' in html
    empty = client.post("/tenders/new/", {}).content.decode()
    assert "Enter the tender&#x27;s reference" in empty and "Choose the service the tender buys" in empty
    assert not Tender.objects.exists()


def test_a_round_is_opened_its_invitations_recorded_and_shown_on_the_lot_page(client, lot):
    sign_in(client, Role.COMMISSIONER)
    due = TODAY + timedelta(days=200)
    answer = client.post(
        f"/tenders/{lot.tender_id}/rounds/new/",
        {"lot": lot.pk, "procedure": "", **when("opened_on", TODAY), "organisations_invited": "", "notes": ""},
        follow=True,
    )
    assert "Round 1 of HTLAH-04 is open." in answer.content.decode()
    round_ = ProcurementRound.objects.get()
    assert (round_.procedure, round_.organisations_invited) == ("open", None)
    lot_page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert "Not recorded" in lot_page

    answer = client.post(
        f"/tenders/rounds/{round_.pk}/invite/",
        {"organisations_invited": "6", **when("services_due_on", due)},
        follow=True,
    )
    html = answer.content.decode()
    assert "6 organisations invited to round 1." in html and long_day(due) in html
    lot_page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert "Organisations invited" in lot_page and "Services due" in lot_page
    assert f"{due.day} {due:%b %Y}" in lot_page and ">6<" in lot_page.replace(" ", "")


def test_a_commissioner_names_the_organisations_invited_and_sees_them_on_the_tender_and_lot_pages(client, lot):
    sign_in(client, Role.COMMISSIONER)
    ProviderFactory(name="Soar Valley Homecare Ltd", cqc_provider_id="1-101634239")
    round_ = make_round(lot=lot, opened_on=TODAY - timedelta(days=5))
    form = client.get(f"/tenders/rounds/{round_.pk}/invite/").content.decode()
    assert "Organisations to invite" in form and "No organisations are named yet." in form
    answer = client.post(
        f"/tenders/rounds/{round_.pk}/invite/",
        {"organisations": "1-101634239\r\nSence Valley Care Partnership\r\n\r\nsence valley care partnership"},
        follow=True,
    )
    html = answer.content.decode()
    assert (
        "Soar Valley Homecare Ltd and Sence Valley Care Partnership invited to round 1; 2 organisations in all." in html
    )
    for page in (html, client.get(f"/lots/{lot.pk}/").content.decode()):
        assert "<li>Sence Valley Care Partnership</li>" in page and "<li>Soar Valley Homecare Ltd</li>" in page
    again = client.get(f"/tenders/rounds/{round_.pk}/invite/").content.decode()
    assert "Already invited: Sence Valley Care Partnership and Soar Valley Homecare Ltd." in again

    refused = client.post(f"/tenders/rounds/{round_.pk}/invite/", {"organisations": "", "organisations_invited": "1"})
    assert refused.status_code == 400
    assert "2 organisations are named as invited to the round; the number invited cannot be fewer." in (
        refused.content.decode()
    )
    empty = client.post(f"/tenders/rounds/{round_.pk}/invite/", {"organisations": "  "})
    assert empty.status_code == 400 and 'href="#id_organisations"' in empty.content.decode()
    round_.refresh_from_db()
    assert round_.organisations_invited == 2 and round_.invitations.count() == 2


def test_a_broker_may_not_name_the_organisations_invited(client, lot):
    sign_in(client, Role.BROKER)
    round_ = make_round(lot=lot, opened_on=TODAY)
    answer = client.post(f"/tenders/rounds/{round_.pk}/invite/", {"organisations": "Ashby Care\nBlaby Homecare"})
    assert answer.status_code == 403
    assert not round_.invitations.exists()


def test_services_due_before_the_round_opened_are_refused(client, lot):
    sign_in(client, Role.COMMISSIONER)
    round_ = make_round(lot=lot, opened_on=TODAY)
    answer = client.post(
        f"/tenders/rounds/{round_.pk}/invite/",
        {"organisations_invited": "6", **when("services_due_on", TODAY - timedelta(days=3))},
    )
    assert answer.status_code == 400
    assert "Services are due before the round opened." in answer.content.decode()
    round_.refresh_from_db()
    assert round_.organisations_invited is None


def test_bids_are_ranked_on_the_tender_page_and_the_best_is_awarded(client, lot):
    sign_in(client, Role.CONTRACT_OFFICER)
    round_ = make_round(lot=lot, opened_on=TODAY - timedelta(days=30))
    ProviderFactory(name="Soar Valley Homecare Ltd", cqc_provider_id="1-101634239")
    ProviderFactory(name="Wreake Care Ltd")
    answer = client.post(
        f"/tenders/rounds/{round_.pk}/bids/new/",
        {"provider": "1-101634239", "quality_score": "80", "price_score": "70", "compliant": "yes"},
        follow=True,
    )
    assert "Soar Valley Homecare Ltd&#x27;s bid is recorded: weighted total 76.00, ranked 1." in answer.content.decode()
    answer = client.post(
        f"/tenders/rounds/{round_.pk}/bids/new/",
        {"provider": "wreake care ltd", "quality_score": "90", "price_score": "20", "compliant": "no"},
    )
    assert answer.status_code == 400 and "Say why the bid is not compliant." in answer.content.decode()
    client.post(
        f"/tenders/rounds/{round_.pk}/bids/new/",
        {
            "provider": "Wreake Care Ltd",
            "quality_score": "90",
            "price_score": "20",
            "compliant": "no",
            "non_compliance_reason": "No CQC registration",
        },
        follow=True,
    )
    page = client.get(f"/tenders/{lot.tender_id}/").content.decode()
    assert page.index("Soar Valley Homecare Ltd") < page.index("Wreake Care Ltd")
    assert "76.00" in page and "No: No CQC registration" in page and "Not ranked" in page

    winner = Bid.objects.get(provider__name="Soar Valley Homecare Ltd")
    answer = client.post(
        f"/tenders/bids/{winner.pk}/award/",
        {**when("awarded_on", TODAY), **when("go_live_on", TODAY + timedelta(days=90))},
        follow=True,
    )
    html = answer.content.decode()
    assert "HTLAH-04 is awarded to Soar Valley Homecare Ltd." in html
    assert f"{long_day(TODAY)} to Soar Valley Homecare Ltd, go-live {long_day(TODAY + timedelta(days=90))}" in html
    lot.refresh_from_db()
    assert lot.status == LotStatus.AWARDED and Award.objects.get().bid == winner
    assert "Record a bid" not in html  # the round has closed


def test_a_provider_the_register_does_not_have_is_named_in_the_error(client, lot):
    sign_in(client, Role.COMMISSIONER)
    round_ = make_round(lot=lot, opened_on=TODAY)
    answer = client.post(
        f"/tenders/rounds/{round_.pk}/bids/new/",
        {"provider": "Nobody Ltd", "quality_score": "80", "price_score": "70", "compliant": "yes"},
    )
    html = answer.content.decode()
    assert answer.status_code == 400 and "There is no provider called &#x27;Nobody Ltd&#x27;" in html
    assert 'href="#id_provider"' in html and not Bid.objects.exists()


def test_an_award_below_the_threshold_is_refused(client, lot):
    sign_in(client, Role.COMMISSIONER)
    round_ = make_round(lot=lot, opened_on=TODAY - timedelta(days=10))
    bid = make_bid(round=round_, quality="40", price="90")
    answer = client.post(
        f"/tenders/bids/{bid.pk}/award/",
        {**when("awarded_on", TODAY), **when("go_live_on", TODAY - timedelta(days=1))},
    )
    assert answer.status_code == 400
    assert "below the tender" in answer.content.decode() and not Award.objects.exists()


@pytest.mark.parametrize("role", [Role.BROKER, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR])
def test_other_council_roles_may_not_open_the_tender_pages(client, lot, role):
    sign_in(client, role)
    round_ = make_round(lot=lot, opened_on=TODAY)
    bid = make_bid(round=round_)
    for address in (
        "/tenders/",
        "/tenders/new/",
        f"/tenders/{lot.tender_id}/",
        f"/tenders/{lot.tender_id}/rounds/new/",
        f"/tenders/rounds/{round_.pk}/invite/",
        f"/tenders/rounds/{round_.pk}/bids/new/",
        f"/tenders/bids/{bid.pk}/award/",
    ):
        assert client.get(address).status_code == 403, address
    assert client.post(f"/tenders/rounds/{round_.pk}/invite/", {"organisations_invited": "3"}).status_code == 403
    assert client.post("/tenders/new/", {"reference": "X", "title": "X"}).status_code == 403
    round_.refresh_from_db()
    assert round_.organisations_invited is None and Tender.objects.count() == 1


def test_provider_users_may_not_see_tenders_or_bids_even_their_own(client, lot):
    bid = make_bid(round=make_round(lot=lot, opened_on=TODAY))
    client.force_login(ProviderMembershipFactory(provider=bid.provider).user)
    assert client.get("/tenders/").status_code == 403
    assert client.get(f"/tenders/{lot.tender_id}/").status_code == 403
    assert client.get(f"/tenders/bids/{bid.pk}/award/").status_code == 403


def test_the_navigation_offers_tenders_to_commissioners_and_contract_officers_only(client):
    sign_in(client, Role.COMMISSIONER)
    assert 'href="/tenders/"' in client.get("/lots/").content.decode()
    sign_in(client, Role.BROKER)
    assert 'href="/tenders/"' not in client.get("/lots/").content.decode()


def test_a_tenders_page_reads_in_the_same_number_of_queries_whatever_its_bids(client, lot):
    sign_in(client, Role.COMMISSIONER)
    round_ = make_round(lot=lot, opened_on=TODAY)
    make_bid(round=round_)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/tenders/{lot.tender_id}/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        make_bid(round=round_)
    second = make_lot(tender=lot.tender)
    make_bid(round=make_round(lot=second, opened_on=TODAY))
    assert queries() == few
