"""The delivery admin: channels save through the services, dead letters are found and retried, tests are sent."""

import pytest
from django.urls import reverse

from tasks.models import Channel, Notification, NotificationKind, NotificationStatus
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_send
from tests.factories import UserFactory
from tests.market.admin_forms import form_errors
from tests.tasks.delivery_factories import AlertFactory, event_for, subscribe
from tests.tasks.test_delivery import later

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_a_webhook_without_an_address_on_the_form(admin_client):
    user = UserFactory()
    answer = admin_client.post(
        reverse("admin:tasks_channel_add"), {"kind": "webhook", "user": user.pk, "name": "", "enabled": "on"}
    )
    assert "address" in form_errors(answer)["url"]
    assert not Channel.objects.filter(kind="webhook").exists()


def test_the_admin_makes_a_webhook_with_a_secret(admin_client):
    user = UserFactory()
    answer = admin_client.post(
        reverse("admin:tasks_channel_add"),
        {"kind": "webhook", "user": user.pk, "url": "https://hooks.example/a", "enabled": "on"},
    )
    assert answer.status_code == 302, form_errors(answer)
    assert len(Channel.objects.get(kind="webhook").secret) >= 40


def test_dead_letters_are_listed_and_retried_now_from_the_admin(admin_client):
    user = UserFactory(email="")
    channel = Channel.objects.create(user=user, kind="email")
    subscribe(user, channel)
    event_for(AlertFactory())
    notifications_fan_out()
    notification = Notification.objects.get()
    assert notification_send(notification_id=notification.pk, now=later()) == "dead"
    listed = admin_client.get(reverse("admin:tasks_notification_changelist"), {"status__exact": "dead"})
    assert notification.idempotency_key in listed.content.decode()
    admin_client.post(
        reverse("admin:tasks_notification_changelist"),
        {"action": "retry_now", "_selected_action": [notification.pk]},
    )
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.RETRYING


def test_send_a_test_from_the_channel_admin(admin_client):
    channel = Channel.objects.create(user=UserFactory(), kind="in_app")
    admin_client.post(
        reverse("admin:tasks_channel_changelist"), {"action": "send_test", "_selected_action": [channel.pk]}
    )
    test = Notification.objects.get(kind=NotificationKind.TEST)
    assert notification_send(notification_id=test.pk) == "sent"
