"""Every message links people to the alert's page and its subject's page in the service, never to the API."""

import json

import httpx
import pytest
import respx
from django.conf import settings
from django.core import mail

from accounts.roles import Role
from tasks.models import Channel, Notification, NotificationKind
from tasks.services.delivery.digest import digests_send
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_send
from tasks.services.delivery.subscriptions import channel_create
from tests.factories import LocationFactory, UserFactory
from tests.tasks.delivery_factories import RECEIVER_ADDRESS, AlertFactory, event_for, inbox_of, subscribe
from tests.tasks.test_delivery import later

pytestmark = pytest.mark.django_db
HOOK = "https://receiver.example/hooks/alerts"
# Where a send to HOOK connects: the address receiver.example resolved to when it was checked.
AT_RECEIVER = HOOK.replace("receiver.example", RECEIVER_ADDRESS)


def test_email_inbox_webhook_and_digest_link_to_the_alert_page_and_the_home_page_not_the_api():
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER], email="quality@council.example")
    email = Channel.objects.create(user=officer, kind="email")
    hook = channel_create(kind="webhook", user=officer, url=HOOK, by=officer)
    subscribe(officer, inbox_of(officer), email, hook, digest=True)
    home = LocationFactory(name="Meadow View")
    alert = AlertFactory(location=home, provider=home.provider, subject_id=home.pk, title="Meadow View void")
    event_for(alert)
    notifications_fan_out()
    with respx.mock:
        route = respx.post(AT_RECEIVER).mock(return_value=httpx.Response(200))
        for pk in Notification.objects.values_list("pk", flat=True):
            assert notification_send(notification_id=pk, now=later()) == "sent"
        body = json.loads(route.calls.last.request.content)
    digests_send()

    alert_page = f"{settings.SITE_URL}/alerts/{alert.pk}/"
    home_page = f"{settings.SITE_URL}/homes/{home.pk}/"
    [sent] = mail.outbox
    inbox = Notification.objects.get(channel=inbox_of(officer), kind=NotificationKind.ALERTS)
    digest = Notification.objects.get(channel=inbox_of(officer), kind=NotificationKind.DIGEST)
    for text in (sent.body, inbox.payload["text"], digest.payload["text"]):
        assert alert_page in text and home_page in text and "/api/" not in text
    [event] = body["events"]
    assert event["alert"]["url"] == alert_page and event["alert"]["subject_url"] == home_page
    assert "/api/" not in json.dumps(body)
