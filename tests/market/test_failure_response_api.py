"""Failure responses through the API: opened by commissioners and brokers with the what-if's plan frozen as their
people, each person moved through contracts' placement_move or staying with a new operator, progress against the
target date; read by the other council staff; refused to provider users."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from contracts.models import Placement
from market.services.failure import failure_response_open
from tests.factories import LocalityFactory, ProviderFactory, ProviderMembershipFactory
from tests.market.test_failure_what_if import home, line_at, people_at

ON = date(2026, 12, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.today(ON)]
RESPONSES, PEOPLE = "/api/v1/market/failure-responses/", "/api/v1/market/failure-response-people/"


@pytest.fixture
def fenland():
    return LocalityFactory(code="E07000010", name="Fenland", kind="district")


@pytest.fixture
def failing(fenland):
    """Four people in nursing dementia beds at a failing home; three free block beds 1 km away."""
    provider, other = ProviderFactory(name="Failing Care Ltd"), ProviderFactory(name="Other Care Ltd")
    people_at(home(provider, 0, name="Failing Home", district=fenland), 4, care_type="nursing_dementia")
    line_at(home(other, 1, name="Near Home", district=fenland), beds=3, care_type="nursing_dementia")
    return provider


def fields_of(answer) -> dict:
    return answer.json()["error"].get("fields", {})


def open_one(api, provider, **body):
    return api.post(
        RESPONSES,
        {"provider": provider.pk, "reason": "likely_failure_notice", "target_date": "2026-12-29", **body},
        format="json",
    )


def test_a_commissioner_opens_a_response_whose_people_are_the_plan_of_the_day(api, failing):
    api.as_role(Role.COMMISSIONER)

    opened = open_one(api, failing, notes="On CQC's stage 6 notice")
    assert opened.status_code == 201, opened.content
    response = opened.json()
    assert (response["provider_name"], response["reason_label"], response["opened_on"]) == (
        "Failing Care Ltd",
        "CQC's formal notification of likely business failure (stage 6)",
        "2026-12-01",
    )
    assert {key: response["progress"][key] for key in ("people", "to_move", "settled", "status")} == {
        "people": 4,
        "to_move": 4,
        "settled": 0,
        "status": "on_plan",
    }
    people = api.get(PEOPLE, {"response": response["id"]}).json()["results"]
    assert sorted((person["planned_location_name"] or "", person["planned_bed"]) for person in people) == [
        ("", "none"),
        ("Near Home", "block"),
        ("Near Home", "block"),
        ("Near Home", "block"),
    ]
    assert {person["home_name"] for person in people} == {"Failing Home"}
    assert {person["care_type_label"] for person in people} == {"Nursing dementia"}


def test_a_broker_moves_people_to_the_plans_beds_records_one_staying_and_sees_progress(api, failing):
    response = failure_response_open(
        provider=failing, reason="closure", opened_on=ON - timedelta(days=14), target_date=ON + timedelta(days=14)
    )
    api.as_role(Role.BROKER)
    people = api.get(PEOPLE, {"response": response.pk}).json()["results"]
    placed = [person for person in people if person["planned_bed"] == "block"]
    short = next(person for person in people if person["planned_bed"] == "none")
    assert api.get(f"{RESPONSES}{response.pk}/").json()["progress"]["status"] == "behind"

    moved = api.post(f"{PEOPLE}{placed[0]['id']}/move/", {}, format="json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["status_label"], moved.json()["new_location_name"], moved.json()["settled_on"]) == (
        "Moved",
        "Near Home",
        "2026-12-01",
    )
    stays = Placement.objects.filter(reference=placed[0]["reference"]).order_by("start_date", "id")
    assert [(stay.location.name, stay.end_date) for stay in stays] == [("Failing Home", ON), ("Near Home", None)]

    no_bed = api.post(f"{PEOPLE}{short['id']}/move/", {}, format="json")
    assert no_bed.status_code == 400 and "bed_line" in fields_of(no_bed)
    stayed = api.post(f"{PEOPLE}{short['id']}/stay/", {"note": "The new operator keeps the home open"})
    assert stayed.json()["status_label"] == "Stayed with a new operator"
    assert api.post(f"{PEOPLE}{short['id']}/stay/", {}).status_code == 409

    progress = api.get(f"{RESPONSES}{response.pk}/").json()["progress"]
    assert {key: progress[key] for key in ("people", "moved", "stayed", "settled", "planned", "status")} == {
        "people": 4,
        "moved": 1,
        "stayed": 1,
        "settled": 2,
        "planned": 2,
        "status": "on_plan",
    }
    assert [person["reference"] for person in api.get(PEOPLE, {"status": "to_move"}).json()["results"]] == sorted(
        person["reference"] for person in placed[1:]
    )


def test_a_person_moves_to_a_spot_bed_only_with_a_reason_while_block_beds_are_free(api, failing, fenland):
    response = failure_response_open(provider=failing, reason="closure", opened_on=ON, target_date=ON)
    spot_home = home(ProviderFactory(name="Spot Care Ltd"), 2, name="Spot Home", district=fenland)
    person = response.people.filter(planned_bed_line__isnull=False).order_by("reference").first()
    api.as_role(Role.COMMISSIONER)
    url = f"{PEOPLE}{person.pk}/move/"

    assert "weekly_cost" in fields_of(api.post(url, {"location": spot_home.pk}, format="json"))
    both = api.post(url, {"location": spot_home.pk, "bed_line": person.planned_bed_line_id, "weekly_cost": "900"})
    assert both.status_code == 400 and "location" in fields_of(both)
    unexplained = api.post(url, {"location": spot_home.pk, "weekly_cost": "990.00"}, format="json")
    assert unexplained.status_code == 409 and "spot_reason" in fields_of(unexplained)

    moved = api.post(
        url, {"location": spot_home.pk, "weekly_cost": "990.00", "spot_reason": "Near her daughter"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    new = Placement.objects.get(pk=moved.json()["new_placement"])
    assert (new.kind, new.location.name, new.weekly_cost, new.care_type) == (
        "spot",
        "Spot Home",
        990,
        "nursing_dementia",
    )


def test_opening_refuses_bad_input_naming_the_field(api, failing, fenland):
    api.as_role(Role.COMMISSIONER)
    elsewhere = home(ProviderFactory(), 5, name="Not Its Home", district=fenland)

    assert "reason" in fields_of(open_one(api, failing, reason="bankrupt"))
    assert "target_date" in fields_of(open_one(api, failing, target_date="2026-11-01"))
    assert "location" in fields_of(open_one(api, failing, location=elsewhere.pk))
    assert "area" in fields_of(open_one(api, failing, location=elsewhere.pk, area="E07000010"))
    assert "area" in fields_of(open_one(api, failing, area="E99999999"))
    assert "radius_km" in fields_of(open_one(api, failing, radius_km=0))
    assert "provider" in fields_of(api.post(RESPONSES, {"reason": "closure", "target_date": "2026-12-29"}))
    assert open_one(api, failing).status_code == 201
    second = open_one(api, failing)
    assert second.status_code == 409 and "provider" in fields_of(second)


def test_the_target_date_moves_and_a_closed_response_takes_no_more_moves(api, failing):
    response = failure_response_open(provider=failing, reason="closure", opened_on=ON, target_date=ON)
    api.as_role(Role.COMMISSIONER)

    later = api.patch(f"{RESPONSES}{response.pk}/", {"target_date": "2027-01-31", "notes": "Extended"}).json()
    assert (later["target_date"], later["notes"]) == ("2027-01-31", "Extended")
    early = api.patch(f"{RESPONSES}{response.pk}/", {"target_date": "2026-11-30"})
    assert early.status_code == 400 and "target_date" in fields_of(early)
    assert api.post(f"{RESPONSES}{response.pk}/close/", {"on": "2026-11-30"}).status_code == 400
    closed = api.post(f"{RESPONSES}{response.pk}/close/", {}).json()
    assert closed["closed_on"] == "2026-12-01"
    assert api.get(RESPONSES, {"open": "true"}).json()["count"] == 0

    person = response.people.first()
    refused = api.post(f"{PEOPLE}{person.pk}/stay/", {})
    assert refused.status_code == 400 and "response" in fields_of(refused)


def test_other_staff_read_responses_and_provider_users_are_refused(api, failing):
    response = failure_response_open(provider=failing, reason="closure", opened_on=ON, target_date=ON)
    person = response.people.first()
    for role in (Role.COMPLIANCE_OFFICER, Role.CONTRACT_OFFICER):
        api.as_role(role)
        assert api.get(f"{RESPONSES}{response.pk}/").status_code == 200
        assert api.get(f"{PEOPLE}{person.pk}/").status_code == 200
        assert api.post(f"{PEOPLE}{person.pk}/stay/", {}).status_code == 403
        assert api.post(f"{RESPONSES}{response.pk}/close/", {}).status_code == 403
        assert open_one(api, ProviderFactory()).status_code == 403

    api.force_authenticate(ProviderMembershipFactory(provider=failing).user)
    for address in (RESPONSES, f"{RESPONSES}{response.pk}/", PEOPLE, f"{PEOPLE}{person.pk}/"):
        assert api.get(address).status_code == 403, address
    assert api.post(f"{PEOPLE}{person.pk}/stay/", {}).status_code == 403


def test_unknown_or_bad_query_parameters_are_refused_by_name(api, failing):
    api.as_role(Role.BROKER)
    for url, query in (
        (RESPONSES, {"colour": "red"}),
        (RESPONSES, {"open": "perhaps"}),
        (RESPONSES, {"reason": "bankrupt"}),
        (PEOPLE, {"colour": "red"}),
        (PEOPLE, {"status": "gone"}),
        (PEOPLE, {"response": "one"}),
    ):
        refused = api.get(url, query)
        assert refused.status_code == 400 and list(query) == list(fields_of(refused)), (url, query)


def test_the_lists_cost_the_same_number_of_queries_for_1_and_4_responses(api, failing, fenland):
    api.as_role(Role.COMMISSIONER)
    failure_response_open(provider=failing, reason="closure", opened_on=ON, target_date=ON)

    def count(url):
        api.get(url)  # the user's roles are read once per client
        with CaptureQueriesContext(connection) as queries:
            answer = api.get(url, {"page_size": 100})
        assert answer.status_code == 200
        return len(queries), answer.json()["count"]

    responses, people = count(RESPONSES), count(PEOPLE)
    assert (responses[1], people[1]) == (1, 4)
    for n in range(3):
        provider = ProviderFactory()
        people_at(home(provider, 10 + n, name=f"Home {n}", district=fenland), 2, care_type="nursing_dementia")
        failure_response_open(provider=provider, reason="closure", opened_on=ON, target_date=ON)
    assert count(RESPONSES) == (responses[0], 4)
    assert count(PEOPLE) == (people[0], 10)
