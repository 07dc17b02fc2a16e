"""A person's default subscriptions follow their roles: made when a role is given (in the admin, by the demo, by
user_upsert), removed when it is taken, never written by a read, and made by a migration for those who held
roles before."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_roles_set, user_upsert
from tasks.models import Channel, Notification, Subscription, SubscriptionDefaults
from tasks.services.delivery.fanout import notifications_fan_out
from tasks.services.delivery.sending import notification_send
from tests.contracts.factories import make_line
from tests.factories import RatingFactory, UserFactory
from tests.tasks.alert_factories import days, rule, run

pytestmark = pytest.mark.django_db


def _inadequate_home_with_beds():
    today = timezone.localdate()
    line = make_line(beds=3, activation_date=today - days(30))
    rating = RatingFactory(location=line.location, overall="Inadequate", report_date=today - days(10))
    line.location.current_rating = rating
    line.location.save(update_fields=["current_rating"])
    return line.location


def _send_everything_due(now) -> None:
    for pk in Notification.objects.order_by("id").values_list("id", flat=True):
        notification_send(notification_id=pk, now=now)


def test_a_compliance_officer_added_in_the_admin_who_uses_only_the_pages_gets_the_email_of_a_critical_alert(
    client,
):
    rule("home_in_use_at_risk")
    administrator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(administrator)
    added = client.post(
        "/admin/accounts/user/add/",
        {"username": "quality1", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"},
    )
    assert added.status_code == 302, added.content
    officer = User.objects.get(username="quality1")
    changed = client.post(
        f"/admin/accounts/user/{officer.pk}/change/",
        {
            "username": "quality1",
            "email": "quality1@council.example",
            "is_active": "on",
            "groups": [Group.objects.get(name=Role.COMPLIANCE_OFFICER).pk],
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2026-01-05",
            "initial-date_joined_1": "09:00:00",
        },
    )
    assert changed.status_code == 302, changed.content

    client.logout()
    client.force_login(officer)
    assert client.get("/alerts/").status_code == 200  # the pages only; never the API

    home = _inadequate_home_with_beds()
    now = timezone.now()
    run("home_in_use_at_risk", at=now)
    notifications_fan_out(now=now)
    _send_everything_due(now + timedelta(minutes=10))

    to_officer = [message for message in mail.outbox if message.to == ["quality1@council.example"]]
    assert len(to_officer) == 1
    assert home.name in to_officer[0].subject and "critical" in to_officer[0].subject


def test_a_role_given_makes_its_defaults_and_a_role_taken_removes_them_but_not_what_the_person_changed():
    person = user_upsert(username="jo", roles=[Role.COMMISSIONER], email="jo@council.example")
    assert set(Subscription.objects.filter(user=person).values_list("name", flat=True)) == {"Capacity and market"}

    user_roles_set(user=person, roles=[Role.COMMISSIONER, Role.COMPLIANCE_OFFICER])
    names = set(Subscription.objects.filter(user=person).values_list("name", flat=True))
    assert names == {"Capacity and market", "Quality and registration", "High and critical alerts"}
    assert Channel.objects.filter(user=person, kind="email").count() == 1  # high and critical by e-mail too

    mine = Subscription.objects.get(user=person, name="Quality and registration")
    mine.is_default = False  # what subscription_update does to a default the person changes
    mine.save(update_fields=["is_default"])
    user_roles_set(user=person, roles=[Role.COMMISSIONER])
    names = set(Subscription.objects.filter(user=person).values_list("name", flat=True))
    assert names == {"Capacity and market", "Quality and registration"}


def test_a_default_deleted_stays_deleted_while_the_role_is_held():
    person = user_upsert(username="sam", roles=[Role.BROKER])
    Subscription.objects.filter(user=person).delete()
    user_roles_set(user=person, roles=[Role.BROKER, Role.CONTRACT_OFFICER])
    names = set(Subscription.objects.filter(user=person).values_list("name", flat=True))
    assert names == {"Contracts, mobilisation and contingency"}


def test_opening_ones_subscriptions_and_inbox_through_the_api_writes_nothing(api):
    api.as_role(Role.COMPLIANCE_OFFICER)  # roles set directly, as a person from before the change
    assert api.get("/api/v1/notifications/subscriptions/").json()["count"] == 0
    assert api.get("/api/v1/notifications/inbox/").status_code == 200
    assert not Subscription.objects.exists() and not Channel.objects.exists()


def test_the_migration_makes_defaults_for_people_who_held_roles_and_respects_those_made_before():
    rule("rating_downgrade")
    rule("void_level")
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])  # roles given before defaults followed them
    earlier = UserFactory(roles=[Role.COMPLIANCE_OFFICER, Role.BROKER])  # had the API's defaults, then deleted one
    SubscriptionDefaults.objects.create(user=earlier)
    migration = importlib.import_module("tasks.migrations.0009_role_default_subscriptions")
    migration.make_defaults(apps, None)

    officer_sets = {s.name: s for s in Subscription.objects.filter(user=officer)}
    assert set(officer_sets) == {"Quality and registration", "High and critical alerts"}
    assert "rating_downgrade" in set(officer_sets["Quality and registration"].rules.values_list("code", flat=True))
    assert sorted(officer_sets["High and critical alerts"].channels.values_list("kind", flat=True)) == [
        "email",
        "in_app",
    ]
    # The sets new in this release are made; the ones they had been given and deleted are not.
    assert set(Subscription.objects.filter(user=earlier).values_list("name", flat=True)) == {"Quality and registration"}
