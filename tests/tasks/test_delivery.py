"""Fan-out, batching, retries, dead letters, failing channels, tests, digests and the inbox."""

from datetime import timedelta

import httpx
import pytest
import respx
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from tasks.models import (
    Channel,
    DeliveryAttempt,
    Notification,
    NotificationItem,
    NotificationKind,
    NotificationStatus,
)
from tasks.services.delivery.digest import digests_send
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_retry_now, notification_send, retry_delay
from tasks.services.delivery.subscriptions import channel_create
from tests.factories import UserFactory
from tests.tasks.delivery_factories import (
    RECEIVER_ADDRESS,
    AlertFactory,
    RuleFactory,
    event_for,
    inbox_of,
    subscribe,
)

HOOK = "https://receiver.example/hooks/alerts"
# Where a send to HOOK connects: the address receiver.example resolved to when it was checked.
AT_RECEIVER = HOOK.replace("receiver.example", RECEIVER_ADDRESS)


def later(minutes: float = 3):
    return timezone.now() + timedelta(minutes=minutes)


def send_all(now=None) -> list[str]:
    return [
        notification_send(notification_id=pk, now=now or later())
        for pk in Notification.objects.order_by("id").values_list("id", flat=True)
    ]


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def webhook(officer):
    return channel_create(kind="webhook", user=officer, url=HOOK, by=officer)


@pytest.mark.django_db
def test_forty_void_alerts_from_one_sweep_reach_a_subscriber_as_one_message(officer):
    subscribe(officer)
    rule = RuleFactory(code="void-level")
    for _ in range(40):
        event_for(AlertFactory(rule=rule))
    assert notifications_fan_out() == 40
    notification = Notification.objects.get()
    assert notification.items.count() == 40
    assert send_all() == ["sent"]
    notification.refresh_from_db()
    assert notification.subject.startswith("40 alert updates")
    assert len(notification.payload["data"]["events"]) == 40


@pytest.mark.django_db
def test_events_within_the_window_join_the_open_batch_and_later_ones_start_another(officer, settings):
    settings.ALERT_BATCH_WINDOW_SECONDS = 120
    subscribe(officer)
    event_for(AlertFactory())
    notifications_fan_out(now=timezone.now())
    event_for(AlertFactory())
    notifications_fan_out(now=timezone.now() + timedelta(seconds=60))
    assert Notification.objects.count() == 1
    event_for(AlertFactory())
    notifications_fan_out(now=timezone.now() + timedelta(seconds=180))
    assert Notification.objects.count() == 2
    assert [notification.items.count() for notification in Notification.objects.order_by("id")] == [2, 1]


@pytest.mark.django_db
def test_with_no_batch_window_each_fan_out_is_its_own_message_and_every_one_is_sent(officer, settings):
    settings.ALERT_BATCH_WINDOW_SECONDS = 0
    subscribe(officer)
    for _ in range(2):
        event_for(AlertFactory())
        assert notifications_fan_out() == 1
    assert [notification.items.count() for notification in Notification.objects.order_by("id")] == [1, 1]
    assert send_all() == ["sent", "sent"]


@pytest.mark.django_db
def test_fanning_out_again_sends_nobody_an_event_twice(officer):
    subscribe(officer)
    subscribe(officer)  # two subscriptions matching the same alert: still one item on the inbox
    event_for(AlertFactory())
    assert notifications_fan_out() == 1
    assert notifications_fan_out() == 0
    assert NotificationItem.objects.count() == 1


@pytest.mark.django_db
def test_events_not_to_be_notified_reach_no_one(officer):
    subscribe(officer)
    event_for(AlertFactory(silenced=True), notify=False)
    assert notifications_fan_out() == 0
    assert not Notification.objects.exists()


def _subscribers(count: int):
    rule = RuleFactory(code="void-level")
    for _ in range(count):
        user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
        subscribe(user, inbox_of(user), rules=[rule], severities=["high"])
    for _ in range(5):
        event_for(AlertFactory(rule=rule))


@pytest.mark.django_db
def test_fan_out_takes_as_many_queries_for_many_subscribers_as_for_two():
    _subscribers(2)
    with CaptureQueriesContext(connection) as few:
        notifications_fan_out()
    Notification.objects.all().delete()
    _subscribers(30)
    with CaptureQueriesContext(connection) as many:
        assert notifications_fan_out() == 32 * 5  # the first two hear of the new alerts too
    assert len(many) == len(few)


@pytest.mark.django_db
@respx.mock
def test_a_failed_webhook_is_retried_with_doubling_delays_then_dead_lettered(webhook, settings):
    settings.ALERT_RETRY_SECONDS = 60
    settings.ALERT_RETRY_MAX_SECONDS = 3600
    settings.ALERT_DELIVERY_ATTEMPTS = 4
    subscribe(webhook.user, webhook)
    event_for(AlertFactory())
    notifications_fan_out()
    respx.post(AT_RECEIVER).mock(return_value=httpx.Response(503))
    notification = Notification.objects.get()
    gaps = []
    now = later()
    for _ in range(3):
        assert notification_send(notification_id=notification.pk, now=now) == "retrying"
        notification.refresh_from_db()
        gaps.append(round((notification.due_at - timezone.now()).total_seconds() / 60))
        assert notification_send(notification_id=notification.pk, now=notification.due_at - timedelta(seconds=1)) == (
            "skipped"
        )
        now = notification.due_at + timedelta(seconds=1)
    assert gaps == [1, 2, 4]
    assert notification_send(notification_id=notification.pk, now=now) == "dead"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    assert notification.last_error == "The receiver answered 503."
    assert (
        list(DeliveryAttempt.objects.filter(notification=notification).values_list("status_code", flat=True))
        == [503] * 4
    )


def test_the_backoff_doubles_and_stops_at_its_ceiling(settings):
    settings.ALERT_RETRY_SECONDS = 60
    settings.ALERT_RETRY_MAX_SECONDS = 600
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


@pytest.mark.django_db
@respx.mock
def test_a_channel_with_dead_letters_in_a_row_is_marked_failing_and_its_owner_told_in_the_inbox(webhook, settings):
    settings.ALERT_CHANNEL_FAILING_AFTER = 3
    subscribe(webhook.user, webhook)
    respx.post(AT_RECEIVER).mock(return_value=httpx.Response(410))  # Gone: a dead letter at once
    for minutes in (3, 6, 9):
        event_for(AlertFactory())
        notifications_fan_out(now=timezone.now() + timedelta(minutes=minutes - 3))
        for pk in Notification.objects.filter(status="pending").values_list("id", flat=True):
            assert notification_send(notification_id=pk, now=later(minutes + 1)) == "dead"
    webhook.refresh_from_db()
    assert webhook.failing and webhook.dead_letters_in_a_row == 3
    note = Notification.objects.get(kind=NotificationKind.CHANNEL_FAILING)
    assert note.channel == inbox_of(webhook.user) and note.status == NotificationStatus.SENT
    assert "could not be delivered" in note.payload["text"]
    # A later send that works clears the mark.
    respx.post(AT_RECEIVER).mock(return_value=httpx.Response(200))
    dead = Notification.objects.filter(status="dead").first()
    notification_retry_now(notification=dead, by=webhook.user)
    assert notification_send(notification_id=dead.pk) == "sent"
    webhook.refresh_from_db()
    assert not webhook.failing and webhook.dead_letters_in_a_row == 0


@pytest.mark.django_db
@respx.mock
def test_retry_now_sends_a_dead_letter_again_and_logs_each_attempt(webhook, settings):
    settings.ALERT_DELIVERY_ATTEMPTS = 1
    subscribe(webhook.user, webhook)
    event_for(AlertFactory())
    notifications_fan_out()
    route = respx.post(AT_RECEIVER)
    route.side_effect = [httpx.Response(500), httpx.Response(204)]
    notification = Notification.objects.get()
    assert notification_send(notification_id=notification.pk, now=later()) == "dead"
    notification_retry_now(notification=notification, by=webhook.user)
    assert notification_send(notification_id=notification.pk) == "sent"
    assert list(notification.delivery_attempts.values_list("number", "succeeded")) == [(1, False), (2, True)]


@pytest.mark.django_db
def test_the_daily_digest_lists_the_most_severe_first_and_newest_first_within_a_severity(officer):
    subscribe(officer, digest=True, immediate=False)
    now = timezone.now()
    AlertFactory(severity="warning", title="warning, new", first_seen=now)
    AlertFactory(severity="critical", title="critical, old", first_seen=now - timedelta(days=9))
    AlertFactory(severity="critical", title="critical, new", first_seen=now - timedelta(days=1))
    AlertFactory(severity="high", title="resolved", status="resolved", first_seen=now)
    assert digests_send(now=now) == 1
    assert digests_send(now=now) == 0  # one a day
    digest = Notification.objects.get(kind=NotificationKind.DIGEST)
    titles = [alert["title"] for alert in digest.payload["data"]["alerts"]]
    assert titles == ["critical, new", "critical, old", "warning, new"]
    assert notification_send(notification_id=digest.pk) == "sent"


@pytest.mark.django_db
def test_the_inbox_lists_what_was_delivered_and_marks_it_read(api, officer):
    api.force_authenticate(officer)
    subscribe(officer)
    event_for(AlertFactory(title="Inadequate: Meadow View"))
    notifications_fan_out()
    assert api.get("/api/v1/notifications/inbox/").json()["count"] == 0  # not until its window closes
    send_all()
    listed = api.get("/api/v1/notifications/inbox/?unread=true").json()
    assert listed["count"] == 1
    item = listed["results"][0]
    assert "Inadequate: Meadow View" in item["subject"] and item["unread"] is True
    assert api.post(f"/api/v1/notifications/inbox/{item['id']}/read/").json()["unread"] is False
    assert api.get("/api/v1/notifications/inbox/?unread=true").json()["count"] == 0
    assert api.get("/api/v1/notifications/inbox/?unread=maybe").status_code == 400
    assert api.get("/api/v1/notifications/inbox/?colour=red").status_code == 400


@pytest.mark.django_db
def test_someone_elses_inbox_notification_is_not_found(api, officer):
    subscribe(officer)
    event_for(AlertFactory())
    notifications_fan_out()
    send_all()
    api.as_role(Role.COMPLIANCE_OFFICER)
    notification = Notification.objects.get()
    assert api.post(f"/api/v1/notifications/inbox/{notification.pk}/read/").status_code == 404


@pytest.mark.django_db
@respx.mock
def test_send_a_test_goes_to_the_channel_and_shows_in_the_delivery_log(api, webhook):
    respx.post(AT_RECEIVER).mock(return_value=httpx.Response(200))
    api.force_authenticate(webhook.user)
    answer = api.post(f"/api/v1/notifications/channels/{webhook.pk}/test/")
    assert answer.status_code == 202, answer.json()
    test = Notification.objects.get(kind=NotificationKind.TEST)
    assert notification_send(notification_id=test.pk) == "sent"
    assert respx.calls.last.request.headers["Idempotency-Key"] == test.idempotency_key
    assert api.get("/api/v1/notifications/deliveries/").status_code == 403
    api.as_role(Role.ADMINISTRATOR)
    log = api.get("/api/v1/notifications/deliveries/?kind=test").json()
    assert log["count"] == 1 and log["results"][0]["status"] == "sent"
    assert log["results"][0]["delivery_attempts"][0]["status_code"] == 200


@pytest.mark.django_db
def test_an_administrator_retries_a_dead_letter_from_the_delivery_log(api, officer, settings):
    email = Channel.objects.create(user=officer, kind="email", email="")
    officer.email = ""
    officer.save()
    subscribe(officer, email)
    event_for(AlertFactory())
    notifications_fan_out()
    notification = Notification.objects.get()
    assert notification_send(notification_id=notification.pk, now=later()) == "dead"  # no address: permanent
    api.as_role(Role.ADMINISTRATOR)
    dead = api.get("/api/v1/notifications/deliveries/?status=dead").json()["results"]
    assert [row["id"] for row in dead] == [notification.pk]
    assert "no address" in dead[0]["last_error"]
    assert api.post(f"/api/v1/notifications/deliveries/{notification.pk}/retry/").status_code == 202
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.RETRYING


def _delivered_to(user, count: int):
    for _ in range(count):
        event_for(AlertFactory())
        notifications_fan_out()
        send_all()  # each its own message


@pytest.mark.django_db
def test_the_inbox_list_takes_as_many_queries_for_many_notifications_as_for_two(
    api, officer, django_assert_max_num_queries
):
    api.force_authenticate(officer)
    subscribe(officer)
    _delivered_to(officer, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/v1/notifications/inbox/").json()["count"] == 2
    _delivered_to(officer, 20)
    with django_assert_max_num_queries(len(few)):
        assert api.get("/api/v1/notifications/inbox/").json()["count"] == 22


@pytest.mark.django_db
@respx.mock
def test_the_sweep_takes_closed_batches_and_due_retries_and_leaves_the_rest(webhook, settings):
    from tasks.services.delivery.sending import notifications_due

    settings.ALERT_RETRY_SECONDS = 600
    subscribe(webhook.user, webhook)
    respx.post(AT_RECEIVER).mock(return_value=httpx.Response(502))
    event_for(AlertFactory())
    notifications_fan_out(now=timezone.now() - timedelta(minutes=30))
    retrying = Notification.objects.get()
    assert notification_send(notification_id=retrying.pk) == "retrying"  # due again in 10 minutes
    event_for(AlertFactory())
    notifications_fan_out(now=timezone.now() - timedelta(minutes=5))  # its window closed 3 minutes ago
    closed = Notification.objects.exclude(pk=retrying.pk).get()
    event_for(AlertFactory())
    notifications_fan_out()  # joins no batch of the past; its window is still open
    assert notifications_due() == [closed.pk]
    assert set(notifications_due(now=later(11))) == set(Notification.objects.values_list("id", flat=True))


@pytest.mark.django_db
def test_events_the_engine_writes_are_fanned_out_once_its_transaction_commits(
    django_capture_on_commit_callbacks, monkeypatch
):
    from tasks.services import enqueue
    from tasks.services.delivery.fanout import alert_events_written

    sent = []
    monkeypatch.setattr(enqueue, "_publish", lambda task, args, kwargs, countdown=None: sent.append(task))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert_events_written()
    assert len(callbacks) == 1 and sent == []  # nothing before the commit
    callbacks[0]()
    assert sent == ["tasks.tasks.notifications_fan_out"]
