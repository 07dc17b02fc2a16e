"""A webhook's address check is bound to its connection: the name is resolved once, every address is checked, and
the send connects to the checked address with the name kept for the Host header and TLS. DNS is faked
(tests/tasks/conftest.py), HTTP is respx: both outside the service."""

import httpx
import pytest
import respx

from accounts.roles import Role
from tasks.models import Channel, Notification, NotificationStatus
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_send
from tasks.services.delivery.subscriptions import channel_create
from tests.factories import UserFactory
from tests.tasks.delivery_factories import RECEIVER_ADDRESS, AlertFactory, event_for, subscribe
from tests.tasks.test_delivery import later

pytestmark = pytest.mark.django_db

CHANNELS = "/api/v1/notifications/channels/"


def one_notification_for(url: str) -> Notification:
    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    subscribe(user, channel_create(kind="webhook", user=user, url=url, by=user))
    event_for(AlertFactory(title="Inadequate rating at Meadow View"))
    notifications_fan_out()
    return Notification.objects.get()


@respx.mock
def test_a_name_rebound_to_loopback_after_the_check_is_still_delivered_to_the_checked_address(dns):
    # Public when the channel is saved and when the send checks it; 127.0.0.1 to anyone asking after that.
    dns.set("rebind.example", [RECEIVER_ADDRESS], [RECEIVER_ADDRESS], ["127.0.0.1"])
    notification = one_notification_for("https://rebind.example:8443/hooks/alerts")
    checked = respx.post(f"https://{RECEIVER_ADDRESS}:8443/hooks/alerts").mock(return_value=httpx.Response(200))
    loopback = respx.post(url__regex=r"https://(127\.0\.0\.1|rebind\.example)").mock(return_value=httpx.Response(200))
    lookups_before = len(dns.lookups)

    assert notification_send(notification_id=notification.pk, now=later()) == "sent"

    assert checked.call_count == 1 and not loopback.called
    request = checked.calls.last.request
    assert request.headers["Host"] == "rebind.example:8443"
    assert request.extensions["sni_hostname"] == "rebind.example"  # the certificate is checked against the name
    assert dns.lookups[lookups_before:] == ["rebind.example"]  # resolved once for the send


@respx.mock
def test_a_name_that_resolves_to_loopback_at_the_send_is_not_posted_to(dns):
    dns.set("rebind.example", [RECEIVER_ADDRESS], ["127.0.0.1"])
    notification = one_notification_for("https://rebind.example/hooks/alerts")
    anywhere = respx.route().mock(return_value=httpx.Response(200))
    assert notification_send(notification_id=notification.pk, now=later()) == "dead"
    assert not anywhere.called
    notification.refresh_from_db()
    assert "private or reserved network" in notification.last_error


def test_a_webhook_whose_name_does_not_resolve_is_refused_naming_the_address(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.post(CHANNELS, {"kind": "webhook", "url": "https://no-such-receiver.example/hook"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["url"] == ["no-such-receiver.example does not resolve to an address."]


@respx.mock
def test_a_stored_webhook_to_an_unresolvable_name_such_as_localhost_dot_is_not_posted_to():
    # The API's URL check refuses `localhost.`; a channel stored before, or by another way in, is checked at the send.
    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    subscribe(user, Channel.objects.create(user=user, kind="webhook", url="http://localhost./", secret="s"))
    event_for(AlertFactory())
    notifications_fan_out()
    anywhere = respx.route().mock(return_value=httpx.Response(200))
    assert notification_send(notification_id=Notification.objects.get().pk, now=later()) == "retrying"
    assert not anywhere.called


def test_a_name_with_one_private_address_among_public_ones_is_refused(api, dns):
    dns.set("mixed.example", [RECEIVER_ADDRESS, "10.0.0.7"])
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.post(CHANNELS, {"kind": "webhook", "url": "https://mixed.example/hook"}, format="json")
    assert answer.status_code == 400
    assert "private or reserved network" in answer.json()["error"]["fields"]["url"][0]


@respx.mock
def test_a_name_that_stops_resolving_is_retried_later_and_not_posted_to(dns):
    dns.set("flaky.example", [RECEIVER_ADDRESS], [])
    notification = one_notification_for("https://flaky.example/hook")
    anywhere = respx.route().mock(return_value=httpx.Response(200))
    assert notification_send(notification_id=notification.pk, now=later()) == "retrying"
    assert not anywhere.called
    notification.refresh_from_db()
    assert notification.status != NotificationStatus.DEAD and "does not resolve" in notification.last_error
