"""The Market Oversight register, its alert, and a failure response from opening to everyone settled, through the
pages as a commissioner and a broker do it."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import Placement
from core.errors import Conflict, DomainError
from geo.models import LocalityKind
from market.models import FailureResponse, OversightStageChange, PersonStatus
from market.services.failure import (
    failure_person_stay,
    failure_response_open,
    oversight_enter,
    oversight_leave,
    oversight_stage_set,
)
from tests.factories import LocalityFactory, ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.test_failure_what_if import home, line_at, people_at
from tests.tasks.alert_factories import open_alerts, run

ON = date(2026, 12, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.today(ON)]


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))


@pytest.fixture
def estate():
    fenland = LocalityFactory(code="E07000010", name="Fenland", kind=LocalityKind.DISTRICT)
    failing, other = ProviderFactory(name="Failing Care Ltd"), ProviderFactory(name="Other Care Ltd")
    people_at(home(failing, 0, name="Failing Home", district=fenland), 4, care_type="nursing_dementia")
    line_at(home(other, 1, name="Near Home", district=fenland), beds=3, care_type="nursing_dementia")
    return failing


def test_stage_5_raises_high_stage_6_critical_with_the_what_if_and_leaving_resolves(estate):
    entry = oversight_enter(provider=estate, stage=4, on=ON - timedelta(days=30))
    run("market_oversight_stage")
    assert open_alerts("market_oversight_stage") == []

    oversight_stage_set(entry=entry, stage=5, on=ON - timedelta(days=10))
    run("market_oversight_stage")
    [alert] = open_alerts("market_oversight_stage")
    assert alert.severity == "high"

    oversight_stage_set(entry=entry, stage=6, on=ON - timedelta(days=1), note="CQC's notice")
    run("market_oversight_stage")
    [alert] = open_alerts("market_oversight_stage")
    assert alert.severity == "critical"
    assert alert.evidence["headline"] == "4 people in 1 home; 1 nursing dementia place short in Fenland"
    assert [change.stage for change in OversightStageChange.objects.filter(entry=entry)] == [6, 5, 4]

    oversight_leave(entry=entry, on=ON)
    run("market_oversight_stage")
    assert open_alerts("market_oversight_stage") == []


def test_the_register_refuses_a_second_entry_a_backdated_change_and_an_unknown_stage(estate):
    entry = oversight_enter(provider=estate, stage=2, on=ON - timedelta(days=5))
    with pytest.raises(Conflict):
        oversight_enter(provider=estate, stage=3, on=ON)
    with pytest.raises(DomainError, match="on or after"):
        oversight_stage_set(entry=entry, stage=3, on=ON - timedelta(days=6))
    with pytest.raises(DomainError, match="1 to 6"):
        oversight_stage_set(entry=entry, stage=7, on=ON)


def test_a_response_freezes_the_plan_then_moves_from_the_page_show_progress_and_the_rule_raises_and_resolves(
    client, estate
):
    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    client.force_login(commissioner)
    opened = client.post(
        f"/providers/{estate.pk}/failure/respond/",
        {
            "reason": "likely_failure_notice",
            "opened_on": ON - timedelta(days=14),
            "target_date": ON + timedelta(days=14),
        },
    )
    response = FailureResponse.objects.get()
    assert opened.status_code == 302 and opened.url == f"/market/failure-responses/{response.pk}/"
    people = list(response.people.order_by("reference"))
    assert [person.planned_location.name if person.planned_location else None for person in people].count(
        "Near Home"
    ) == 3

    # Half the time to the target has gone and nobody is settled: behind.
    run("failure_response_behind", at=at(ON))
    [alert] = open_alerts("failure_response_behind")
    assert alert.evidence["planned"] == 2 and alert.evidence["settled"] == 0

    client.force_login(UserFactory(roles=[Role.BROKER]))
    movable = [person for person in people if person.planned_bed_line_id]
    for person in movable[:2]:
        client.post(f"/market/failure-responses/{response.pk}/people/{person.pk}/", {"action": "move"})
    page = client.get(f"/market/failure-responses/{response.pk}/").content.decode()
    assert "2 of 4 people settled (2 moved, 0 stayed with a new operator); 2 planned" in page

    moved = Placement.objects.filter(reference=movable[0].reference).order_by("start_date", "id")
    assert [(p.location.name, p.end_date) for p in moved] == [("Failing Home", ON), ("Near Home", None)]
    run("failure_response_behind", at=at(ON))
    assert open_alerts("failure_response_behind") == []

    short = next(person for person in people if not person.planned_bed_line_id)
    failure_person_stay(person=short, on=ON, note="The new operator keeps the home open")
    with pytest.raises(Conflict):
        failure_person_stay(person=short, on=ON)
    assert response.people.filter(status=PersonStatus.TO_MOVE).count() == 1


def test_only_one_open_response_per_provider(estate):
    failure_response_open(provider=estate, reason="closure", opened_on=ON, target_date=ON + timedelta(days=7))
    with pytest.raises(Conflict):
        failure_response_open(provider=estate, reason="closure", opened_on=ON, target_date=ON + timedelta(days=7))


def test_failure_impact_warns_about_a_provider_whose_failure_leaves_more_than_the_threshold_short(estate):
    run("failure_impact", thresholds={"people_short": 0})
    [alert] = open_alerts("failure_impact")
    assert alert.provider_id == estate.pk and alert.evidence["short"] == 1

    run("failure_impact", thresholds={"people_short": 1})
    assert open_alerts("failure_impact") == []


def test_provider_users_see_none_of_it(client, estate):
    entry = oversight_enter(provider=estate, stage=6, on=ON)
    response = failure_response_open(provider=estate, reason="closure", opened_on=ON, target_date=ON)
    client.force_login(ProviderMembershipFactory(provider=estate).user)

    for address in (
        "/market/oversight/",
        f"/market/oversight/{entry.pk}/",
        f"/market/failure-responses/{response.pk}/",
        f"/providers/{estate.pk}/failure/respond/",
    ):
        assert client.get(address).status_code == 403, address


def test_a_broker_reads_the_register_but_only_keepers_change_it(client, estate):
    entry = oversight_enter(provider=estate, stage=2, on=ON - timedelta(days=3))
    client.force_login(UserFactory(roles=[Role.BROKER]))
    assert "Stage 2: regular monitoring" in client.get("/market/oversight/").content.decode()
    assert client.post(f"/market/oversight/{entry.pk}/", {"stage": 3, "on": ON}).status_code == 403

    client.force_login(UserFactory(roles=[Role.COMPLIANCE_OFFICER]))
    assert client.post(f"/market/oversight/{entry.pk}/", {"stage": 3, "on": ON}).status_code == 302
    refused = client.post(f"/market/oversight/{entry.pk}/", {"stage": 4, "on": ON - timedelta(days=10)})
    assert refused.status_code == 400 and "on or after" in refused.content.decode()


def test_the_register_names_cqcs_six_stages_in_its_words_and_a_change_says_which(client, estate):
    entry = oversight_enter(provider=estate, stage=4, on=ON - timedelta(days=3))
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))

    page = client.get("/market/oversight/").content.decode()
    for words in (
        "Stage 1: entry to the scheme",
        "Stage 2: regular monitoring",
        "Stage 3: potential concerns identified",
        "Stage 4: financial sustainability concerns identified",
        "Stage 5: significant risk to financial sustainability",
        "Stage 6: formal notification of likely business failure",
    ):
        assert words in page
    assert "independent business review and a risk mitigation plan" in page

    changed = client.post(f"/market/oversight/{entry.pk}/", {"stage": 6, "on": ON}, follow=True).content.decode()
    assert "Failing Care Ltd is now at stage 6: formal notification of likely business failure." in changed
    run("market_oversight_stage")
    [alert] = open_alerts("market_oversight_stage")
    assert alert.title == "Failing Care Ltd: Market Oversight stage 6 (formal notification of likely business failure)"
