"""The engine: pending periods, resolve delays, recurrences, idempotence, inhibition and silences, on a rule
whose risks the test decides."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from tasks.models import Alert, AlertChange, AlertEvent, AlertStatus, PendingRisk, Rule, RuleRun, Silence
from tasks.rules import RULES, Risk, RuleDefinition, register, says
from tasks.services import engine
from tasks.services.alerts import alerts_acknowledge, alerts_resolve
from tasks.services.engine import rule_run
from tasks.services.silences import silences_sweep
from tests.factories import LocationFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

PRESENT: dict[str, list[Risk]] = {"test_rule": [], "test_provider_wide": []}


def _evaluate(code):
    return lambda *, rule, now: list(PRESENT[code])


@pytest.fixture(autouse=True)
def test_rules():
    for code, wide in (("test_rule", False), ("test_provider_wide", True)):
        if code not in RULES:
            says(code)(lambda evidence, alert: "A test risk.")
            register(
                RuleDefinition(
                    code=code,
                    name=code,
                    description="",
                    evaluate=_evaluate(code),
                    owning_role=Role.COMPLIANCE_OFFICER,
                    inhibits_provider=wide,
                )
            )
        PRESENT[code] = []
    yield
    for code in ("test_rule", "test_provider_wide"):
        RULES.pop(code, None)


def _rule(code="test_rule", **fields):
    return Rule.objects.update_or_create(code=code, defaults={"name": code, **fields})[0]


def _risk(location, *, code="test_rule", evidence=None, severity=None) -> Risk:
    return Risk(
        fingerprint=f"{code}:location:{location.pk}",
        subject_kind="location",
        subject_id=location.pk,
        title=f"{location.name} at risk",
        evidence=evidence or {"level": 1},
        severity=severity,
        provider_id=location.provider_id,
        location_id=location.pk,
    )


def test_a_risk_opens_one_alert_with_an_opened_event_and_running_again_changes_nothing():
    rule = _rule()
    location = LocationFactory()
    PRESENT["test_rule"] = [_risk(location)]
    now = timezone.now()
    rule_run(rule=rule, now=now)
    rule_run(rule=rule, now=now + timedelta(minutes=15))

    alert = Alert.objects.get()
    assert (alert.status, alert.location_id, alert.provider_id) == (AlertStatus.OPEN, location.pk, location.provider_id)
    assert alert.first_seen == now and alert.last_seen == now + timedelta(minutes=15)
    assert list(AlertEvent.objects.values_list("kind", "notify")) == [("opened", True)]
    assert AlertChange.objects.count() == 1


def test_a_risk_waits_out_the_pending_period_before_it_opens():
    rule = _rule(pending_for=timedelta(days=3))
    PRESENT["test_rule"] = [_risk(LocationFactory())]
    now = timezone.now()
    rule_run(rule=rule, now=now)
    rule_run(rule=rule, now=now + timedelta(days=2))
    assert not Alert.objects.exists() and PendingRisk.objects.count() == 1

    rule_run(rule=rule, now=now + timedelta(days=3))
    alert = Alert.objects.get()
    assert alert.first_seen == now  # first seen when the risk was, not when the alert opened
    assert not PendingRisk.objects.exists()


def test_a_pending_risk_that_clears_starts_its_wait_again():
    rule = _rule(pending_for=timedelta(days=3))
    location = LocationFactory()
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now)
    PRESENT["test_rule"] = []
    rule_run(rule=rule, now=now + timedelta(days=1))
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now + timedelta(days=2))
    rule_run(rule=rule, now=now + timedelta(days=4))
    assert not Alert.objects.exists()


def test_evidence_follows_the_risk_and_a_raised_severity_is_an_event():
    rule = _rule()
    location = LocationFactory()
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location, evidence={"level": 1})]
    rule_run(rule=rule, now=now)
    PRESENT["test_rule"] = [_risk(location, evidence={"level": 2}, severity="critical")]
    rule_run(rule=rule, now=now + timedelta(minutes=15))

    alert = Alert.objects.get()
    assert alert.evidence == {"level": 2} and alert.severity == "critical"
    assert list(AlertEvent.objects.order_by("pk").values_list("kind", flat=True)) == ["opened", "severity_raised"]
    assert AlertChange.objects.filter(field="severity", old_value="warning", new_value="critical").exists()


def test_an_alert_resolves_only_after_staying_clear_for_the_resolve_delay():
    rule = _rule(resolve_after=timedelta(days=2))
    location = LocationFactory()
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now)
    PRESENT["test_rule"] = []
    rule_run(rule=rule, now=now + timedelta(days=1))
    assert Alert.objects.get().status == AlertStatus.OPEN

    PRESENT["test_rule"] = [_risk(location)]  # back before the delay: the clock starts again
    rule_run(rule=rule, now=now + timedelta(days=1, hours=1))
    PRESENT["test_rule"] = []
    rule_run(rule=rule, now=now + timedelta(days=2))
    rule_run(rule=rule, now=now + timedelta(days=3, hours=2))
    assert Alert.objects.get().status == AlertStatus.OPEN
    rule_run(rule=rule, now=now + timedelta(days=4, hours=1))
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by is None
    assert AlertEvent.objects.filter(kind="resolved").count() == 1


def test_a_risk_that_returns_after_it_resolved_opens_a_recurrence():
    rule = _rule()
    location = LocationFactory()
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now)
    PRESENT["test_rule"] = []
    rule_run(rule=rule, now=now + timedelta(hours=1))
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now + timedelta(hours=2))

    first, second = Alert.objects.order_by("pk")
    assert first.status == AlertStatus.RESOLVED and second.status == AlertStatus.OPEN
    assert second.recurrence_of == first
    assert AlertEvent.objects.filter(alert=second).get().kind == "recurred"


def test_a_risk_resolved_by_hand_while_present_reopens_only_after_it_has_cleared():
    rule = _rule()
    location = LocationFactory()
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now)
    alerts_resolve(ids=[Alert.objects.get().pk], by=officer, note="Visited; the home has a plan.")
    rule_run(rule=rule, now=now + timedelta(hours=1))
    assert Alert.objects.count() == 1

    PRESENT["test_rule"] = []
    rule_run(rule=rule, now=now + timedelta(hours=2))
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=rule, now=now + timedelta(hours=3))
    assert Alert.objects.count() == 2 and Alert.objects.latest("pk").recurrence_of_id is not None


def test_a_provider_wide_alert_inhibits_the_providers_location_alerts_but_keeps_them():
    provider = ProviderFactory()
    location = LocationFactory(provider=provider)
    PRESENT["test_provider_wide"] = [
        Risk(
            fingerprint=f"wide:{provider.pk}",
            subject_kind="provider",
            subject_id=provider.pk,
            title="deregistered",
            evidence={},
            provider_id=provider.pk,
        )
    ]
    PRESENT["test_rule"] = [_risk(location)]
    now = timezone.now()
    rule_run(rule=_rule("test_provider_wide"), now=now)
    rule_run(rule=_rule(), now=now)

    alert = Alert.objects.get(rule__code="test_rule")
    assert alert.inhibited and not alert.silenced
    assert AlertEvent.objects.get(alert=alert).notify is False
    assert AlertEvent.objects.get(alert__rule__code="test_provider_wide").notify is True


def test_a_silence_marks_matching_alerts_silenced_and_their_events_not_notified():
    location, other = LocationFactory(), LocationFactory()
    now = timezone.now()
    Silence.objects.create(
        provider=location.provider, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1), reason="Known"
    )
    PRESENT["test_rule"] = [_risk(location), _risk(other)]
    rule_run(rule=_rule(), now=now)

    silenced = Alert.objects.get(location=location)
    assert silenced.silenced and silenced.silenced_by is not None
    assert not Alert.objects.get(location=other).silenced
    assert dict(AlertEvent.objects.values_list("alert__location_id", "notify")) == {location.pk: False, other.pk: True}


def test_an_alert_is_no_longer_silenced_once_its_silence_has_ended_without_a_rule_run():
    location = LocationFactory()
    now = timezone.now()
    silence = Silence.objects.create(
        provider=location.provider, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2), reason="Known"
    )
    PRESENT["test_rule"] = [_risk(location)]
    rule_run(rule=_rule(), now=now)
    assert Alert.objects.get().silenced

    assert silences_sweep(now=now + timedelta(hours=1)) == 0  # still in force: nothing to change
    assert Alert.objects.get().silenced_by == silence

    assert silences_sweep(now=silence.ends_at) == 1
    alert = Alert.objects.get()
    assert not alert.silenced and alert.silenced_by is None
    assert silences_sweep(now=silence.ends_at + timedelta(minutes=1)) == 0


def test_a_silence_that_begins_later_silences_its_alerts_at_its_start():
    location, other = LocationFactory(), LocationFactory()
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location), _risk(other)]
    rule_run(rule=_rule(), now=now)
    silence = Silence.objects.create(
        rule=_rule(),
        provider=location.provider,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="Planned inspection",
    )
    assert silences_sweep(now=now + timedelta(minutes=30)) == 0
    assert not Alert.objects.filter(silenced=True).exists()

    assert silences_sweep(now=silence.starts_at) == 1
    assert list(Alert.objects.filter(silenced=True).values_list("location", "silenced_by")) == [
        (location.pk, silence.pk)
    ]


def test_the_silences_sweep_is_scheduled_every_minute():
    from tasks.schedules import SCHEDULES

    schedule = next(schedule for schedule in SCHEDULES if schedule.task == "tasks.tasks.silences_sweep")
    assert schedule.every == timedelta(minutes=1)


def test_a_switched_off_rule_resolves_its_alerts():
    rule = _rule()
    PRESENT["test_rule"] = [_risk(LocationFactory())]
    rule_run(rule=rule, now=timezone.now())
    rule.enabled = False
    rule.save()
    rule_run(rule=rule, now=timezone.now())
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_a_failing_rule_is_recorded_and_changes_nothing():
    def broken(*, rule, now):
        raise RuntimeError("boom")

    says("test_broken")(lambda evidence, alert: "A broken rule.")
    register(
        RuleDefinition(
            code="test_broken", name="b", description="", evaluate=broken, owning_role=Role.COMPLIANCE_OFFICER
        )
    )
    try:
        rule = _rule("test_broken")
        with pytest.raises(RuntimeError):
            rule_run(rule=rule, now=timezone.now())
        run = RuleRun.objects.get(rule=rule)
        assert "boom" in run.error and not Alert.objects.exists()
    finally:
        RULES.pop("test_broken")


def test_the_database_refuses_a_second_open_alert_for_one_fingerprint():
    from django.db import IntegrityError, transaction

    rule = _rule()
    PRESENT["test_rule"] = [_risk(LocationFactory())]
    rule_run(rule=rule, now=timezone.now())
    alert = Alert.objects.get()
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


def test_a_silence_with_no_matcher_that_begins_later_silences_every_alert_beside_a_narrower_one():
    location, other = LocationFactory(), LocationFactory()
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location), _risk(other)]
    rule_run(rule=_rule(), now=now)
    Silence.objects.create(
        provider=location.provider, starts_at=now, ends_at=now + timedelta(hours=3), reason="Planned inspection"
    )
    # Written straight to the table (the service asks for a matcher): one that matches everything.
    Silence.objects.create(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2), reason="Outage")
    silences_sweep(now=now + timedelta(minutes=1))
    assert list(Alert.objects.filter(silenced=True).values_list("location", flat=True)) == [location.pk]
    silences_sweep(now=now + timedelta(hours=1))
    assert Alert.objects.filter(silenced=True).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_made_while_a_run_updates_the_alert_is_kept(monkeypatch):
    location = LocationFactory()
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    now = timezone.now()
    PRESENT["test_rule"] = [_risk(location, evidence={"level": 1})]
    rule_run(rule=_rule(), now=now)
    alert = Alert.objects.get()
    PRESENT["test_rule"] = [_risk(location, evidence={"level": 2})]  # the next run writes new evidence
    acknowledged = threading.Event()

    def acknowledge():
        try:
            alerts_acknowledge(ids=[alert.pk], by=officer)
            acknowledged.set()
        finally:
            connection.close()

    real_mark, others = engine._mark, []

    def mark_after_an_acknowledgement(*args, **kwargs):
        if not others:  # the run has read the open alerts: an officer acknowledges one now
            others.append(threading.Thread(target=acknowledge))
            others[0].start()
            acknowledged.wait(timeout=2)
        return real_mark(*args, **kwargs)

    monkeypatch.setattr(engine, "_mark", mark_after_an_acknowledgement)
    rule_run(rule=_rule(), now=now + timedelta(minutes=15))
    others[0].join(timeout=30)
    alert.refresh_from_db()
    assert (alert.status, alert.evidence) == (AlertStatus.ACKNOWLEDGED, {"level": 2})
