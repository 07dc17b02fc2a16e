"""Signed webhooks: a request this service sends verifies with the recipe in docs/webhooks.md, and not otherwise."""

import hashlib
import hmac
import json
import logging
import time

import httpx
import pytest
import respx

from accounts.roles import Role
from tasks.models import Notification
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_send
from tasks.services.delivery.signing import webhook_headers, webhook_verify
from tasks.services.delivery.subscriptions import channel_create
from tests.factories import UserFactory
from tests.tasks.delivery_factories import RECEIVER_ADDRESS, AlertFactory, event_for, subscribe
from tests.tasks.test_delivery import later

HOOK = "https://receiver.example/hooks/alerts"
# Where a send to HOOK connects: the address receiver.example resolved to when it was checked.
AT_RECEIVER = HOOK.replace("receiver.example", RECEIVER_ADDRESS)


# Exactly the function in docs/webhooks.md, "Verifying the signature".
def care_market_request_is_genuine(secret: str, headers: dict, body: bytes, tolerance_seconds: int = 300) -> bool:
    headers = {name.lower(): value for name, value in headers.items()}
    timestamp = headers.get("care-market-timestamp", "")
    signature = headers.get("care-market-signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def test_the_documented_recipe_is_the_one_in_the_docs():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    assert "def care_market_request_is_genuine(" in docs
    assert 'timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()' in docs


@pytest.fixture
def delivered(db):
    """A webhook notification sent through respx: (channel, the request the receiver got)."""
    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    channel = channel_create(kind="webhook", user=user, url=HOOK, by=user)
    subscribe(user, channel)
    event_for(AlertFactory(title="Inadequate rating at Meadow View"))
    notifications_fan_out()
    with respx.mock:
        route = respx.post(AT_RECEIVER).mock(return_value=httpx.Response(200))
        assert notification_send(notification_id=Notification.objects.get().pk, now=later()) == "sent"
        return channel, route.calls.last.request


def test_a_delivered_webhook_verifies_with_the_documented_recipe(delivered):
    channel, request = delivered
    assert care_market_request_is_genuine(channel.secret, dict(request.headers), request.content)
    body = json.loads(request.content)
    assert body["events"][0]["alert"]["title"] == "Inadequate rating at Meadow View"
    assert request.headers["Idempotency-Key"] == body["idempotency_key"] == Notification.objects.get().idempotency_key


def test_a_changed_body_a_wrong_secret_or_an_old_timestamp_does_not_verify(delivered):
    channel, request = delivered
    headers = dict(request.headers)
    assert not care_market_request_is_genuine(channel.secret, headers, request.content.replace(b"Meadow", b"Willow"))
    assert not care_market_request_is_genuine("not-the-secret", headers, request.content)
    old = webhook_headers(secret=channel.secret, body=request.content, idempotency_key="k", timestamp=time.time() - 900)
    assert not care_market_request_is_genuine(channel.secret, old, request.content)
    assert not webhook_verify(secret=channel.secret, headers=old, body=request.content)
    assert webhook_verify(secret=channel.secret, headers=headers, body=request.content)


@pytest.mark.django_db
def test_the_signing_secret_is_never_logged_even_when_a_send_fails(caplog):
    caplog.set_level(logging.DEBUG)
    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    channel = channel_create(kind="webhook", user=user, url=HOOK, by=user)
    subscribe(user, channel)
    event_for(AlertFactory())
    notifications_fan_out()
    with respx.mock:
        respx.post(AT_RECEIVER).mock(side_effect=httpx.ConnectError("refused"))
        assert notification_send(notification_id=Notification.objects.get().pk, now=later()) == "retrying"
    assert caplog.records, "the failure was not logged at all"
    assert channel.secret not in caplog.text
    assert channel.secret not in Notification.objects.get().last_error


@pytest.mark.django_db
def test_the_secret_is_shown_when_a_webhook_is_made_and_rotated_never_when_listed(api):
    user = api.as_role(Role.COMPLIANCE_OFFICER)
    made = api.post("/api/v1/notifications/channels/", {"kind": "webhook", "url": HOOK}, format="json")
    assert made.status_code == 201, made.json()
    secret = made.json()["secret"]
    assert len(secret) >= 40
    listed = api.get("/api/v1/notifications/channels/").json()["results"]
    assert all("secret" not in channel for channel in listed)
    rotated = api.post(f"/api/v1/notifications/channels/{made.json()['id']}/rotate-secret/").json()["secret"]
    assert rotated != secret
    assert user.alert_channels.get(kind="webhook").secret == rotated


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/admin/", "http://169.254.169.254/latest/meta-data/", "https://10.1.2.3/hook"]
)
def test_a_webhook_may_not_point_at_the_services_own_or_private_networks(api, url):
    api.as_role(Role.PROVIDER_USER)
    answer = api.post("/api/v1/notifications/channels/", {"kind": "webhook", "url": url}, format="json")
    assert answer.status_code == 400
    assert "private or reserved network" in answer.json()["error"]["fields"]["url"][0]


@pytest.mark.django_db
@respx.mock
def test_a_webhook_whose_address_turned_private_is_not_posted_to(settings):
    from tasks.models import Channel

    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    channel = Channel.objects.create(user=user, kind="webhook", url="http://127.0.0.1:9/hook", secret="s")
    subscribe(user, channel)
    event_for(AlertFactory())
    notifications_fan_out()
    route = respx.post("http://127.0.0.1:9/hook").mock(return_value=httpx.Response(200))
    assert notification_send(notification_id=Notification.objects.get().pk, now=later()) == "dead"
    assert not route.called
