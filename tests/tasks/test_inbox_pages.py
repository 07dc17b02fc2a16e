"""The alert inbox and an alert's page: filters, order, bulk actions, the banner, actions and who may see what."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Team
from accounts.roles import Role
from tasks.models import Alert, AlertComment, AlertStatus
from tasks.services.alerts import alerts_assign, alerts_resolve
from tests.factories import LocalityFactory, LocationFactory, ProviderMembershipFactory, UserFactory
from tests.tasks.alert_factories import rule

pytestmark = pytest.mark.django_db

INBOX = "/alerts/"


def make_alert(*, location=None, code="home_in_use_at_risk", severity="critical", ago=0, **fields):
    location = location or LocationFactory()
    seen = timezone.now() - timedelta(hours=ago)
    return Alert.objects.create(
        rule=rule(code),
        severity=severity,
        subject_kind="location",
        subject_id=location.pk,
        provider=location.provider,
        location=location,
        fingerprint=f"{code}:location:{location.pk}:{Alert.objects.count()}",
        title=fields.pop("title", f"{location.name} at risk"),
        evidence=fields.pop("evidence", {"live_block_beds": 4, "void_cost": "1520.00"}),
        first_seen=seen,
        last_seen=seen,
        **fields,
    )


def date_input(name: str, day) -> dict:
    """The GOV.UK date input's three boxes for `day`."""
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def signed_in(*roles, user=None):
    client = Client()
    user = user or UserFactory(roles=roles)
    client.force_login(user)
    client.user = user
    return client


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-alert="(\d+)"', response.content.decode())]


@pytest.fixture
def officer():
    return signed_in(Role.COMPLIANCE_OFFICER)


def test_the_inbox_lists_unresolved_alerts_most_severe_then_newest_first(officer):
    warning = make_alert(severity="warning", ago=0)
    critical_old = make_alert(severity="critical", ago=5)
    critical_new = make_alert(severity="critical", ago=1)
    make_alert(severity="critical", status=AlertStatus.RESOLVED)

    response = officer.get(INBOX)
    assert response.status_code == 200
    assert listed(response) == [critical_new.pk, critical_old.pk, warning.pk]
    assert listed(officer.get(INBOX, {"sort": "newest"})) == [warning.pk, critical_new.pk, critical_old.pk]
    page = response.content.decode()
    assert "govuk-tag--red" in page and "Critical" in page and "govuk-tag--yellow" in page


def test_filters_by_status_severity_rule_provider_locality_and_mine(officer):
    district = LocalityFactory(code="E07000009", name="East Cambridgeshire")
    ward = LocalityFactory(code="E05000001", name="Soham North", parent=district)
    high = make_alert(severity="high", locality=ward)
    critical = make_alert(severity="critical")
    voids = make_alert(code="void_level", severity="warning", location=critical.location)
    resolved = make_alert(severity="high", status=AlertStatus.RESOLVED)
    alerts_assign(ids=[critical.pk], by=UserFactory(roles=[Role.ADMINISTRATOR]), user=officer.user)

    assert listed(officer.get(INBOX, {"severity": "high"})) == [high.pk]
    assert set(listed(officer.get(INBOX, {"status": ["resolved", "open"], "severity": "high"}))) == {
        high.pk,
        resolved.pk,
    }
    assert listed(officer.get(INBOX, {"rule": "void_level"})) == [voids.pk]
    assert set(listed(officer.get(INBOX, {"provider": critical.provider_id}))) == {critical.pk, voids.pk}
    assert listed(officer.get(INBOX, {"locality": "E07000009"})) == [high.pk]
    assert listed(officer.get(INBOX, {"mine": "on"})) == [critical.pk]


def test_an_unknown_filter_or_value_is_an_error_on_the_form_not_a_silent_full_list(officer):
    make_alert()
    unknown = officer.get(INBOX, {"colour": "red"})
    assert unknown.status_code == 200
    page = unknown.content.decode()
    assert "There is a problem" in page and "Unknown filter: colour." in page and listed(unknown) == []

    bad = officer.get(INBOX, {"severity": "apocalyptic"})
    assert "There is a problem" in bad.content.decode() and listed(bad) == []


def test_the_list_is_paginated_and_keeps_its_filters_on_the_next_page(officer):
    location = LocationFactory()
    for _ in range(51):
        make_alert(location=location, severity="high")
    first = officer.get(INBOX, {"severity": "high"})
    assert len(listed(first)) == 50
    assert "severity=high&amp;page=2" in first.content.decode()
    assert len(listed(officer.get(INBOX, {"severity": "high", "page": "2"}))) == 1


def test_bulk_acknowledge_then_a_message_says_what_was_done(officer):
    one, two, untouched = make_alert(), make_alert(), make_alert()
    response = officer.post(f"{INBOX}?severity=critical", {"ids": [one.pk, two.pk], "action": "acknowledge"})
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?severity=critical"

    page = officer.get(response["Location"]).content.decode()
    assert f"2 alerts acknowledged: {one.title} and {two.title}." in page
    statuses = dict(Alert.objects.values_list("pk", "status"))
    assert statuses[one.pk] == statuses[two.pk] == AlertStatus.ACKNOWLEDGED
    assert statuses[untouched.pk] == AlertStatus.OPEN


def test_bulk_assign_to_a_team_and_bulk_resolve_needs_a_note(officer):
    one, two = make_alert(), make_alert()
    team = Team.objects.create(name="Quality and compliance")
    assigned = officer.post(INBOX, {"ids": [one.pk, two.pk], "action": "assign", "team": team.pk})
    assert assigned.status_code == 302
    assert set(Alert.objects.values_list("owner_team_id", flat=True)) == {team.pk}

    refused = officer.post(INBOX, {"ids": [one.pk], "action": "resolve", "note": " "})
    assert refused.status_code == 200
    assert "Say why the alert is resolved." in refused.content.decode()
    assert Alert.objects.get(pk=one.pk).status == AlertStatus.OPEN

    done = officer.post(INBOX, {"ids": [one.pk, two.pk], "action": "resolve", "note": "Visited; fixed"})
    assert done.status_code == 302
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.RESOLVED}


def test_a_bulk_action_refused_for_some_alerts_changes_none_and_names_them(officer):
    open_one, gone = make_alert(), make_alert()
    alerts_resolve(ids=[gone.pk], by=officer.user, note="Closed")
    response = officer.post(
        f"{INBOX}?status=open&status=resolved", {"ids": [open_one.pk, gone.pk], "action": "acknowledge"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"No alerts were changed. Resolved alerts cannot be acknowledged: {gone.pk}." in page
    assert Alert.objects.get(pk=open_one.pk).status == AlertStatus.OPEN
    assert f'id="select-{open_one.pk}" name="ids" type="checkbox" value="{open_one.pk}" checked' in page


def test_a_bulk_action_with_nothing_selected_asks_for_a_selection(officer):
    make_alert()
    response = officer.post(INBOX, {"action": "acknowledge"})
    assert response.status_code == 200 and "Select at least one alert." in response.content.decode()


def test_a_banner_shows_what_was_assigned_to_me_since_my_last_visit(officer):
    lead = UserFactory(roles=[Role.ADMINISTRATOR])
    earlier = make_alert(title="Earlier risk")
    alerts_assign(ids=[earlier.pk], by=lead, user=officer.user)

    first = officer.get(INBOX).content.decode()
    assert "1 alert has been assigned to you and not yet acknowledged" in first and "Earlier risk" in first
    assert "Assigned to you" not in officer.get(INBOX).content.decode()  # seen now

    later = make_alert(title="Later risk")
    alerts_assign(ids=[later.pk], by=lead, user=officer.user)
    page = officer.get(INBOX).content.decode()
    assert "1 alert has been assigned to you since your last visit" in page
    assert "Later risk" in page and "Earlier risk" not in page.split("Assigned to you")[1].split("</div>")[2]


def test_a_provider_user_reads_their_own_providers_alerts_only_and_changes_none():
    mine, other = make_alert(), make_alert()
    membership = ProviderMembershipFactory(provider=mine.provider)
    client = signed_in(user=membership.user)

    response = client.get("/portal/alerts/")
    assert response.status_code == 200 and listed(response) == [mine.pk]
    assert 'name="ids"' not in response.content.decode()
    assert client.get(INBOX).status_code == 200
    assert client.get(f"{INBOX}{other.pk}/").status_code == 404
    page = client.get(f"{INBOX}{mine.pk}/").content.decode()
    assert mine.title in page and "Acknowledge" not in page and "Add comment" not in page
    assert client.post(INBOX, {"ids": [mine.pk], "action": "acknowledge"}).status_code == 403
    assert client.post(f"{INBOX}{mine.pk}/acknowledge/", {}).status_code == 403
    assert Alert.objects.get(pk=mine.pk).status == AlertStatus.OPEN


def test_signed_out_people_are_sent_to_sign_in():
    alert = make_alert()
    for url in (INBOX, f"{INBOX}{alert.pk}/", "/portal/alerts/"):
        response = Client().get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"]


def test_an_alerts_page_shows_its_evidence_and_subject(officer):
    alert = make_alert(evidence={"live_block_beds": 4, "void_cost": "1520.00", "key_questions": ["safe", "led"]})
    page = officer.get(f"{INBOX}{alert.pk}/").content.decode()
    assert alert.title in page and alert.location.name in page
    assert "Live block beds" in page and "Void cost" in page and "£1,520.00" in page and "Safe, led" in page
    assert officer.get(f"{INBOX}999999/").status_code == 404


def test_acknowledge_comment_snooze_resolve_and_reopen_from_the_alerts_page(officer):
    alert = make_alert()
    url = f"{INBOX}{alert.pk}/"
    assert officer.post(f"{url}acknowledge/", {"acknowledge-note": "On it"}).status_code == 302
    assert officer.post(f"{url}comment/", {"comment-text": "Rang the manager"}).status_code == 302
    tomorrow = timezone.localdate() + timedelta(days=1)
    snoozed = officer.post(f"{url}snooze/", {**date_input("snooze-until_date", tomorrow), "snooze-until_time": "09:00"})
    assert snoozed.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.SNOOZED
    assert officer.post(f"{url}resolve/", {"resolve-note": "Manager replaced"}).status_code == 302
    resolved = Alert.objects.get(pk=alert.pk)
    assert resolved.status == AlertStatus.RESOLVED and resolved.resolution_note == "Manager replaced"

    page = officer.get(url).content.decode()
    assert "Alert resolved." in page and "Rang the manager" in page and "Manager replaced" in page
    assert page.count('class="govuk-table__row"') >= 4  # the history's changes
    assert officer.post(f"{url}reopen/", {}).status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
    assert AlertComment.objects.filter(alert=alert).count() == 1


def test_the_services_messages_show_on_the_alerts_forms(officer):
    alert = make_alert()
    url = f"{INBOX}{alert.pk}/"
    past = timezone.localdate() - timedelta(days=1)
    snooze = officer.post(f"{url}snooze/", {**date_input("snooze-until_date", past), "snooze-until_time": "09:00"})
    assert snooze.status_code == 200
    page = snooze.content.decode()
    assert "There is a problem" in page and "Snooze until a time in the future." in page
    assert 'href="#id_snooze-until_date-day"' in page

    comment = officer.post(f"{url}comment/", {"comment-text": "  "}).content.decode()
    assert "A comment needs text." in comment
    resolve = officer.post(f"{url}resolve/", {"resolve-note": ""}).content.decode()
    assert "Say why the alert is resolved." in resolve
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_brokers_may_open_the_inbox_and_the_navigation_offers_it_to_compliance_officers(officer):
    assert 'href="/alerts/"' in officer.get(INBOX).content.decode()
    assert signed_in(Role.BROKER).get(INBOX).status_code == 200


def test_the_history_names_who_an_alert_was_assigned_to_and_evidence_dates_read_as_dates(officer):
    alert = make_alert(evidence={"detected_at": "2026-11-29T10:15:00+00:00", "report_date": "2026-11-28"})
    colleague = UserFactory(roles=[Role.COMPLIANCE_OFFICER], first_name="Asha", last_name="Patel")
    team = Team.objects.create(name="Quality and compliance")
    alerts_assign(ids=[alert.pk], by=officer.user, user=colleague, team=team)

    page = officer.get(f"{INBOX}{alert.pk}/").content.decode()
    assert "Assigned person: Asha Patel" in page
    assert "Assigned team: Quality and compliance" in page
    assert "none to" not in page
    assert "28 November 2026" in page and "29 November 2026" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_and_an_alerts_page_take_as_many_queries_for_many_alerts_as_for_two(officer):
    lead = UserFactory(roles=[Role.ADMINISTRATOR])
    team = Team.objects.create(name="Brokerage")
    few = [make_alert() for _ in range(2)]
    alerts_assign(ids=[alert.pk for alert in few], by=lead, user=officer.user, team=team)
    officer.get(INBOX)  # the first visit of the session marks it seen
    two = _queries(officer, INBOX)
    two_detail = _queries(officer, f"{INBOX}{few[0].pk}/")

    many = [make_alert(location=few[0].location) for _ in range(12)]
    alerts_assign(ids=[alert.pk for alert in many], by=lead, user=officer.user, team=team)
    alerts_assign(ids=[few[0].pk], by=lead, user=lead, team=None)
    alerts_assign(ids=[few[0].pk], by=lead, user=officer.user, team=team)
    officer.get(INBOX)
    assert _queries(officer, INBOX) == two
    assert _queries(officer, f"{INBOX}{few[0].pk}/") == two_detail


def test_the_snooze_date_is_a_gov_uk_date_input_with_its_errors_on_the_boxes_that_are_wrong(officer):
    alert = make_alert()
    url = f"{INBOX}{alert.pk}/"
    page = officer.get(url).content.decode()
    assert 'class="govuk-date-input"' in page and 'name="snooze-until_date-month"' in page

    answer = officer.post(
        f"{url}snooze/", {"snooze-until_date-day": "31", "snooze-until_date-year": "2099", "snooze-until_time": "09:00"}
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "The date to snooze until must include a month" in page
    assert 'href="#id_snooze-until_date-month"' in page
    assert 'govuk-input--width-2 govuk-input--error" id="id_snooze-until_date-month"' in page
    assert 'value="31"' in page  # what was typed is kept
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
