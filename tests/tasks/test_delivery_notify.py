"""E-mail through GOV.UK Notify (respx at the transport) and through Django's mail backends."""

import base64
import hashlib
import hmac
import json

import httpx
import pytest
import respx
from django.core import mail

from accounts.roles import Role
from tasks.models import Channel, Notification, NotificationStatus
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.notify import NotifyKey
from tasks.services.delivery.sending import notification_send
from tests.factories import UserFactory
from tests.tasks.delivery_factories import AlertFactory, event_for, subscribe
from tests.tasks.test_delivery import later

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY = "https://notify.example"
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def notify(settings):
    settings.ALERT_EMAIL_BACKEND = "notify"
    settings.NOTIFY_API_KEY = f"care_market_live-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_API_BASE_URL = NOTIFY
    settings.NOTIFY_EMAIL_TEMPLATE_ID = TEMPLATE


@pytest.fixture
def emailed(db):
    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER], email="quality.lead@council.example")
    channel = Channel.objects.create(user=user, kind="email")
    subscribe(user, channel)
    event_for(AlertFactory(title="Block beds void for a month at Ely Grange"))
    notifications_fan_out()
    return Notification.objects.get()


def _claims(token: str, secret: str) -> dict:
    header, payload, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    return json.loads(base64.urlsafe_b64decode(payload + "=="))


@respx.mock
def test_an_alert_email_goes_through_notify_signed_for_the_service(notify, emailed):
    route = respx.post(f"{NOTIFY}/v2/notifications/email").mock(return_value=httpx.Response(201, json={"id": "n-1"}))
    assert notification_send(notification_id=emailed.pk, now=later()) == "sent"
    request = route.calls.last.request
    body = json.loads(request.content)
    assert body["email_address"] == "quality.lead@council.example"
    assert body["template_id"] == TEMPLATE
    assert body["reference"] == emailed.idempotency_key
    assert "Ely Grange" in body["personalisation"]["subject"] and "Ely Grange" in body["personalisation"]["body"]
    scheme, token = request.headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    assert _claims(token, SECRET)["iss"] == SERVICE_ID


@respx.mock
def test_notify_refusing_the_address_is_a_dead_letter_at_once_with_its_reason(notify, emailed):
    refusal = "Can't send to this recipient using a team-only API key"
    errors = {"errors": [{"error": "BadRequestError", "message": refusal}]}
    respx.post(f"{NOTIFY}/v2/notifications/email").mock(return_value=httpx.Response(400, json=errors))
    assert notification_send(notification_id=emailed.pk, now=later()) == "dead"
    emailed.refresh_from_db()
    assert "team-only API key" in emailed.last_error
    assert SECRET not in emailed.last_error


@respx.mock
def test_notify_busy_or_down_is_retried(notify, emailed):
    respx.post(f"{NOTIFY}/v2/notifications/email").mock(return_value=httpx.Response(429, json={"errors": []}))
    assert notification_send(notification_id=emailed.pk, now=later()) == "retrying"
    emailed.refresh_from_db()
    assert emailed.status == NotificationStatus.RETRYING and emailed.attempts == 1


def test_the_notify_key_is_split_into_service_and_secret_and_never_shown():
    key = NotifyKey.parse(f"my-key-name-{SERVICE_ID}-{SECRET}")
    assert (key.service_id, key.secret) == (SERVICE_ID, SECRET)
    assert SECRET not in repr(key)


def test_an_alert_email_goes_through_djangos_mail_backend_by_default(emailed, settings):
    settings.ALERT_EMAIL_BACKEND = "django"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_send(notification_id=emailed.pk, now=later()) == "sent"
    assert [message.to for message in mail.outbox] == [["quality.lead@council.example"]]
    assert "Ely Grange" in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["X-Care-Market-Notification"] == emailed.idempotency_key
