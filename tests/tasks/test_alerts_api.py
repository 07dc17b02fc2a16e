"""/api/v1/alerts/, /api/v1/alert-rules/ and /api/v1/alert-silences/: scoping, filters, actions, export."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Team
from accounts.roles import Role
from tasks.models import Alert, AlertChange, AlertEvent, AlertStatus
from tests.factories import LocationFactory, ProviderMembershipFactory, UserFactory
from tests.tasks.alert_factories import rule

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts/"


def make_alert(*, location=None, code="home_in_use_at_risk", severity="critical", status=AlertStatus.OPEN, **fields):
    location = location or LocationFactory()
    now = timezone.now()
    return Alert.objects.create(
        rule=rule(code),
        severity=severity,
        subject_kind="location",
        subject_id=location.pk,
        provider=location.provider,
        location=location,
        fingerprint=f"{code}:location:{location.pk}:{Alert.objects.count()}",
        title=f"{location.name} at risk",
        evidence={"live_block_beds": 4},
        first_seen=fields.pop("first_seen", now),
        last_seen=now,
        status=status,
        **fields,
    )


def test_a_provider_user_sees_only_alerts_about_their_own_providers_and_cannot_change_them(api):
    mine, other = make_alert(), make_alert()
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=mine.provider)

    listed = api.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.post(f"{URL}{mine.pk}/acknowledge/", {}, format="json").status_code == 403
    assert Alert.objects.get(pk=mine.pk).status == AlertStatus.OPEN


def test_a_provider_user_of_two_providers_sees_each_of_their_alerts_once_and_the_count_agrees(api):
    first, second, other = make_alert(), make_alert(), make_alert()
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=first.provider)
    ProviderMembershipFactory(user=user, provider=second.provider)

    body = api.get(URL).json()
    assert sorted(row["id"] for row in body["results"]) == sorted([first.pk, second.pk])
    assert body["count"] == 2 and other.pk not in [row["id"] for row in body["results"]]


def test_the_detail_shows_evidence_history_and_comments_and_the_list_its_evidence_only(api):
    alert = make_alert()
    officer = api.as_role(Role.COMPLIANCE_OFFICER)
    row = api.get(URL).json()["results"][0]
    assert row["id"] == alert.pk and row["rule_name"] and row["location_name"] == alert.location.name
    assert row["evidence"] == {"live_block_beds": 4}
    assert not {"history", "comments", "events"} & set(row)
    assert api.post(f"{URL}{alert.pk}/acknowledge/", {"note": "Looking"}, format="json").status_code == 200
    assert api.post(f"{URL}{alert.pk}/comment/", {"text": "Rang the manager"}, format="json").status_code == 201

    body = api.get(f"{URL}{alert.pk}/").json()
    assert body["status"] == "acknowledged" and body["evidence"] == {"live_block_beds": 4}
    assert [(h["field"], h["new_value"], h["by"]) for h in body["history"]] == [
        ("status", "acknowledged", officer.username)
    ]
    assert [c["text"] for c in body["comments"]] == ["Rang the manager"]
    assert [e["kind"] for e in body["events"]] == ["acknowledged", "commented"]


def test_assign_to_a_team_then_mine_finds_it_for_a_team_member(api):
    alert, other = make_alert(), make_alert()
    officer = api.as_role(Role.COMPLIANCE_OFFICER)
    team = Team.objects.create(name="Quality and compliance")
    team.members.add(officer)
    assert api.post(f"{URL}{alert.pk}/assign/", {"team": team.pk}, format="json").status_code == 200

    assert [row["id"] for row in api.get(URL, {"mine": "true"}).json()["results"]] == [alert.pk]
    assert {row["id"] for row in api.get(URL, {"mine": "false"}).json()["results"]} == {other.pk}
    assert AlertEvent.objects.filter(alert=alert, kind="assigned").exists()


def test_snooze_needs_a_future_time_and_resolve_needs_a_note(api):
    alert = make_alert()
    api.as_role(Role.COMPLIANCE_OFFICER)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert api.post(f"{URL}{alert.pk}/snooze/", {"until": past}, format="json").status_code == 400
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert api.post(f"{URL}{alert.pk}/snooze/", {"until": future}, format="json").json()["status"] == "snoozed"
    assert api.post(f"{URL}{alert.pk}/resolve/", {}, format="json").status_code == 400
    answer = api.post(f"{URL}{alert.pk}/resolve/", {"note": "New manager in post"}, format="json").json()
    assert answer["status"] == "resolved" and answer["resolution_note"] == "New manager in post"
    assert api.post(f"{URL}{alert.pk}/reopen/", {}, format="json").json()["status"] == "open"


def test_bulk_actions_are_all_or_nothing_and_name_the_ids_at_fault(api):
    first, second = make_alert(), make_alert()
    resolved = make_alert(status=AlertStatus.RESOLVED)
    api.as_role(Role.COMPLIANCE_OFFICER)

    refused = api.post(f"{URL}bulk/acknowledge/", {"ids": [first.pk, resolved.pk]}, format="json")
    assert refused.status_code == 409 and str(resolved.pk) in str(refused.json())
    assert Alert.objects.get(pk=first.pk).status == AlertStatus.OPEN

    missing = api.post(f"{URL}bulk/acknowledge/", {"ids": [first.pk, 999999]}, format="json")
    assert missing.status_code == 404 and "999999" in str(missing.json())

    done = api.post(f"{URL}bulk/acknowledge/", {"ids": [first.pk, second.pk]}, format="json").json()
    assert done["count"] == 2
    assert set(Alert.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"acknowledged"}
    assert AlertChange.objects.filter(field="status", new_value="acknowledged").count() == 2


def test_filters_by_status_severity_rule_and_since_and_refuse_unknown_values(api):
    old = make_alert(first_seen=timezone.now() - timedelta(days=10), severity="warning")
    new = make_alert(code="void_level", severity="high")
    api.as_role(Role.COMMISSIONER)

    def ids(**query):
        return [row["id"] for row in api.get(URL, query).json()["results"]]

    assert ids(severity="high") == [new.pk]
    assert ids(rule="home_in_use_at_risk") == [old.pk]
    assert ids(since=(timezone.now() - timedelta(days=1)).isoformat()) == [new.pk]
    assert set(ids(status="open")) == {old.pk, new.pk}
    assert set(ids(severity="warning,high")) == {old.pk, new.pk}
    assert api.get(URL, {"severity": "loud"}).status_code == 400
    for empty_part in ["open,", "open,,snoozed", ",open"]:  # never read as "open" alone
        refused = api.get(URL, {"status": empty_part})
        assert refused.status_code == 400, empty_part
        assert refused.json()["error"]["fields"]["status"] == ["Give values separated by commas, with none empty."]
    assert api.get(URL, {"colour": "red"}).status_code == 400
    assert api.get(URL, {"locality": "E99999999"}).status_code == 400


def test_the_export_is_a_csv_of_the_filtered_inbox(api):
    alert = make_alert()
    make_alert(severity="warning")
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.get(f"{URL}export/csv/", {"severity": "critical"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    lines = answer.content.decode().strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{alert.pk},home_in_use_at_risk,critical")


def test_the_inbox_answers_in_the_same_number_of_queries_for_two_alerts_or_twenty(api):
    officer = api.as_role(Role.COMPLIANCE_OFFICER)
    team = Team.objects.create(name="Quality")
    make_alert(owner_user=officer)
    make_alert(owner_team=team)
    api.get(URL)  # the first request also reads the user's roles
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    for n in range(18):
        make_alert(owner_user=UserFactory() if n % 2 else None, owner_team=Team.objects.create(name=f"Team {n}"))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL).json()["results"]) == 20
    assert len(many) == len(few)


def test_rules_are_read_by_staff_and_changed_by_administrators_with_thresholds_checked(api):
    rule("void_level")
    api.as_role(Role.COMPLIANCE_OFFICER)
    listed = api.get("/api/v1/alert-rules/").json()["results"]
    assert "void_level" in [row["code"] for row in listed]
    assert api.patch("/api/v1/alert-rules/void_level/", {"enabled": False}, format="json").status_code == 403

    api.as_role(Role.ADMINISTRATOR)
    bad = api.patch("/api/v1/alert-rules/void_level/", {"thresholds": {"level": 3}}, format="json")
    assert bad.status_code == 400 and "level" in str(bad.json())
    unknown = api.patch("/api/v1/alert-rules/void_level/", {"thresholds": {"colour": 1}}, format="json")
    assert unknown.status_code == 400
    good = api.patch(
        "/api/v1/alert-rules/void_level/", {"thresholds": {"level": 0.3}, "pending_for": "2 00:00:00"}, format="json"
    ).json()
    assert good["thresholds"]["level"] == 0.3 and good["thresholds"]["days"] == 28
    assert good["pending_for"] == "2 00:00:00"


def test_rules_sync_keeps_what_an_administrator_changed():
    from tasks.models import Rule
    from tasks.services.rules import rules_sync

    rules_sync()
    Rule.objects.filter(code="void_level").update(enabled=False, thresholds={"level": 0.4})
    rules_sync()
    row = Rule.objects.get(code="void_level")
    assert row.enabled is False and row.thresholds["level"] == 0.4 and row.thresholds["days"] == 28


def test_a_silence_marks_matching_open_alerts_and_expiring_it_unmarks_them(api):
    alert, other = make_alert(), make_alert()
    api.as_role(Role.BROKER)
    ends = (timezone.now() + timedelta(days=2)).isoformat()
    body = {"provider": alert.provider_id, "ends_at": ends, "reason": "Council visit booked"}
    assert api.post("/api/v1/alert-silences/", body, format="json").status_code == 403

    api.as_role(Role.COMPLIANCE_OFFICER)
    created = api.post("/api/v1/alert-silences/", body, format="json")
    assert created.status_code == 201 and created.json()["active"] is True
    assert Alert.objects.get(pk=alert.pk).silenced and not Alert.objects.get(pk=other.pk).silenced
    assert api.get(URL, {"silenced": "true"}).json()["results"][0]["id"] == alert.pk

    expired = api.post(f"/api/v1/alert-silences/{created.json()['id']}/expire/").json()
    assert expired["active"] is False
    assert not Alert.objects.get(pk=alert.pk).silenced


def test_a_silence_needs_a_matcher_and_a_reason(api):
    api.as_role(Role.ADMINISTRATOR)
    ends = (timezone.now() + timedelta(days=2)).isoformat()
    assert api.post("/api/v1/alert-silences/", {"ends_at": ends, "reason": "x"}, format="json").status_code == 400
    assert (
        api.post(
            "/api/v1/alert-silences/", {"ends_at": ends, "severity": "info", "reason": " "}, format="json"
        ).status_code
        == 400
    )


def test_alerts_are_assigned_to_council_staff_only(api):
    alert = make_alert()
    provider_user = UserFactory(roles=[Role.PROVIDER_USER])
    api.as_role(Role.COMPLIANCE_OFFICER)
    assert api.post(f"{URL}{alert.pk}/assign/", {"user": provider_user.pk}, format="json").status_code == 400


def test_each_request_filters_as_its_own_user_though_the_filters_are_copied_once(api):
    # The inbox's filters are copied one level deep for each request and its form class built once
    # (core.query.CopiedOnceFilterSet): a method filter must still ask the request it belongs to.
    first, second = UserFactory(roles=[Role.COMPLIANCE_OFFICER]), UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    theirs = {first: make_alert(owner_user=first), second: make_alert(owner_user=second)}
    for _ in range(2):
        for user in (first, second, first):
            api.force_authenticate(user)
            assert [row["id"] for row in api.get(URL, {"mine": "true"}).json()["results"]] == [theirs[user].pk]
            refused = api.get(URL, {"severity": "catastrophic", "mine": "maybe"})
            assert refused.status_code == 400
            assert set(refused.json()["error"]["fields"]) == {"severity", "mine"}
            assert api.get(URL, {"status": "open"}).json()["count"] == 2
