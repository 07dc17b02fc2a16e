"""The Market Oversight register through the API: kept by compliance officers and commissioners (enter, change the
stage on a day with its dated history, notes, leave), read by the other council staff, refused to provider users."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from market.services.failure import failure_response_open, oversight_enter
from tests.factories import LocalityFactory, ProviderFactory, ProviderMembershipFactory
from tests.market.test_failure_what_if import home, line_at, people_at
from tests.tasks.alert_factories import open_alerts, run

ON = date(2026, 12, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.today(ON)]
URL = "/api/v1/market/oversight/"


@pytest.fixture
def failing():
    fenland = LocalityFactory(code="E07000010", name="Fenland", kind="district")
    provider, other = ProviderFactory(name="Failing Care Ltd"), ProviderFactory(name="Other Care Ltd")
    people_at(home(provider, 0, name="Failing Home", district=fenland), 2, care_type="nursing_dementia")
    line_at(home(other, 1, name="Near Home", district=fenland), beds=1, care_type="nursing_dementia")
    return provider


def fields_of(answer) -> dict:
    return answer.json()["error"].get("fields", {})


def test_a_compliance_officer_keeps_the_register_with_a_dated_history_in_cqcs_words(api, failing):
    api.as_role(Role.COMPLIANCE_OFFICER)

    entered = api.post(
        URL, {"provider": failing.pk, "stage": 3, "on": "2026-10-01", "notes": "Covenants breached"}, format="json"
    )
    assert entered.status_code == 201, entered.content
    entry = entered.json()
    assert (entry["provider_name"], entry["stage"], entry["stage_label"]) == (
        "Failing Care Ltd",
        3,
        "Stage 3: potential concerns identified",
    )
    raised = api.post(f"{URL}{entry['id']}/stage/", {"stage": 6, "on": "2026-11-30", "note": "CQC's notice"})
    assert raised.status_code == 200, raised.content
    assert raised.json()["stage_since"] == "2026-11-30"
    assert [(change["on"], change["stage_label"], change["note"]) for change in raised.json()["changes"]] == [
        ("2026-11-30", "Stage 6: formal notification of likely business failure", "CQC's notice"),
        ("2026-10-01", "Stage 3: potential concerns identified", "Covenants breached"),
    ]
    assert api.patch(f"{URL}{entry['id']}/", {"notes": "Lender's forbearance ends in January"}).json()["notes"] == (
        "Lender's forbearance ends in January"
    )

    # Stage 6 raises the critical alert with what its failure would mean today.
    run("market_oversight_stage")
    [alert] = open_alerts("market_oversight_stage")
    assert alert.severity == "critical" and alert.provider_id == failing.pk

    left = api.post(f"{URL}{entry['id']}/leave/", {"on": "2026-12-01", "note": "Refinanced"}).json()
    assert (left["in_scheme"], left["left_on"], left["changes"][0]["stage_label"]) == (
        False,
        "2026-12-01",
        "Left the scheme",
    )
    assert api.get(URL, {"in_scheme": "true"}).json()["count"] == 0
    assert api.get(URL, {"in_scheme": "false"}).json()["count"] == 1


def test_the_register_shows_the_providers_open_failure_response(api, failing):
    entry = oversight_enter(provider=failing, stage=6, on=ON)
    response = failure_response_open(provider=failing, reason="closure", opened_on=ON, target_date=ON)
    api.as_role(Role.BROKER)

    [listed] = api.get(URL, {"stage": "5,6"}).json()["results"]
    assert (listed["id"], listed["open_response"]) == (entry.pk, response.pk)
    assert api.get(URL, {"stage": "1,2"}).json()["count"] == 0


def test_bad_input_is_a_400_naming_the_field(api, failing):
    api.as_role(Role.COMMISSIONER)
    entry = oversight_enter(provider=failing, stage=4, on=ON - timedelta(days=10))

    assert "stage" in fields_of(api.post(f"{URL}{entry.pk}/stage/", {"stage": 7, "on": "2026-12-01"}))
    assert "on" in fields_of(api.post(f"{URL}{entry.pk}/stage/", {"stage": 5}))
    backdated = api.post(f"{URL}{entry.pk}/stage/", {"stage": 5, "on": "2026-11-01"})
    assert backdated.status_code == 400 and "on or after" in fields_of(backdated)["on"][0]
    same = api.post(f"{URL}{entry.pk}/stage/", {"stage": 4, "on": "2026-12-01"})
    assert same.status_code == 400 and "stage" in fields_of(same)
    again = api.post(URL, {"provider": failing.pk, "stage": 2, "on": "2026-12-01"})
    assert again.status_code == 409 and "provider" in fields_of(again)
    assert "provider" in fields_of(api.post(URL, {"provider": 999999, "stage": 2, "on": "2026-12-01"}))
    assert "on" in fields_of(api.post(URL, {"provider": failing.pk, "stage": 2, "on": "0001-01-01"}))
    early = api.post(f"{URL}{entry.pk}/leave/", {"on": "2026-11-01"})
    assert early.status_code == 400 and "on" in fields_of(early)

    for query in ({"colour": "red"}, {"stage": "9"}, {"in_scheme": "perhaps"}, {"provider": "x"}):
        refused = api.get(URL, query)
        assert refused.status_code == 400 and list(query) == list(fields_of(refused)), query


def test_other_staff_read_it_but_only_compliance_officers_and_commissioners_keep_it(api, failing):
    entry = oversight_enter(provider=failing, stage=2, on=ON - timedelta(days=3))
    for role in (Role.BROKER, Role.CONTRACT_OFFICER):
        api.as_role(role)
        assert api.get(f"{URL}{entry.pk}/").json()["stage_label"] == "Stage 2: regular monitoring"
        assert api.post(f"{URL}{entry.pk}/stage/", {"stage": 3, "on": "2026-12-01"}).status_code == 403
        assert api.patch(f"{URL}{entry.pk}/", {"notes": "x"}).status_code == 403
        assert api.post(URL, {"provider": ProviderFactory().pk, "stage": 1, "on": "2026-12-01"}).status_code == 403
    api.as_role(Role.COMMISSIONER)
    assert api.post(f"{URL}{entry.pk}/stage/", {"stage": 3, "on": "2026-12-01"}).status_code == 200


def test_a_provider_user_is_refused_even_their_own_providers_entry(api, failing):
    entry = oversight_enter(provider=failing, stage=6, on=ON)
    api.force_authenticate(ProviderMembershipFactory(provider=failing).user)

    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}{entry.pk}/").status_code == 403
    assert api.post(f"{URL}{entry.pk}/leave/", {"on": "2026-12-01"}).status_code == 403


def test_the_list_costs_the_same_number_of_queries_for_1_and_5_providers(api, failing):
    api.as_role(Role.COMMISSIONER)
    oversight_enter(provider=failing, stage=5, on=ON)

    def count():
        api.get(URL)  # the user's roles are read once per client
        with CaptureQueriesContext(connection) as queries:
            answer = api.get(URL, {"page_size": 100})
        assert answer.status_code == 200
        return len(queries), answer.json()["count"]

    one = count()
    assert one[1] == 1
    for stage in (1, 2, 3, 6):
        provider = ProviderFactory()
        oversight_enter(provider=provider, stage=stage, on=ON)
        failure_response_open(provider=provider, reason="closure", opened_on=ON, target_date=ON)
    assert count() == (one[0], 5)
