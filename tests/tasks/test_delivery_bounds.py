"""No message carries more than ALERT_MESSAGE_EVENTS_LIMIT alert events: the first sweep of a new council reaches
a receiver in messages it accepts, each with its own idempotency key, every event once."""

import json

import httpx
import pytest
import respx

from accounts.roles import Role
from tasks.models import Notification
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_send
from tasks.services.delivery.subscriptions import channel_create
from tests.factories import UserFactory
from tests.tasks.delivery_factories import RECEIVER_ADDRESS, AlertFactory, event_for, subscribe
from tests.tasks.test_delivery import later

pytestmark = pytest.mark.django_db
HOOK = "https://receiver.example/hooks/alerts"
# Where a send to HOOK connects: the address receiver.example resolved to when it was checked.
AT_RECEIVER = HOOK.replace("receiver.example", RECEIVER_ADDRESS)


def test_a_sweep_of_450_alerts_reaches_a_webhook_in_messages_of_at_most_200_events_each_with_its_own_key():
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    hook = channel_create(kind="webhook", user=officer, url=HOOK, by=officer)
    subscribe(officer, hook)
    events = [event_for(AlertFactory()) for _ in range(450)]
    notifications_fan_out()
    with respx.mock:
        route = respx.post(AT_RECEIVER).mock(return_value=httpx.Response(200))
        for pk in Notification.objects.order_by("pk").values_list("pk", flat=True):
            assert notification_send(notification_id=pk, now=later()) == "sent"
        requests = [call.request for call in route.calls]
    sizes = [len(json.loads(request.content)["events"]) for request in requests]
    assert sorted(sizes) == [50, 200, 200]
    assert len({request.headers["Idempotency-Key"] for request in requests}) == 3
    delivered = [event["id"] for request in requests for event in json.loads(request.content)["events"]]
    assert sorted(delivered) == sorted(event.pk for event in events)  # every event once


def test_events_of_a_later_fan_out_join_the_open_batch_only_until_it_is_full(settings):
    settings.ALERT_MESSAGE_EVENTS_LIMIT = 3
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    hook = channel_create(kind="webhook", user=officer, url=HOOK, by=officer)
    subscribe(officer, hook)
    event_for(AlertFactory())
    event_for(AlertFactory())
    notifications_fan_out()
    for _ in range(3):
        event_for(AlertFactory())
    notifications_fan_out()
    # The first batch takes one more event and is full; the other two go in a message of their own.
    assert sorted(n.items.count() for n in Notification.objects.all()) == [2, 3]
