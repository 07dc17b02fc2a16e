"""One's own alerting on the pages (/alerts/settings/): subscriptions listed, added, changed and removed; e-mail and
webhook channels added, tested, their secret rotated, removed; recent deliveries with their status; a team's owner
manages the team's. Another person's subscription or channel is a 404."""

import re

import pytest

from accounts.roles import Role
from accounts.services import team_upsert, user_upsert
from tasks.models import Channel, ChannelKind, Notification, NotificationStatus, Subscription
from tests.factories import LocalityFactory
from tests.tasks.delivery_factories import RuleFactory, inbox_of
from tests.tasks.test_inbox_pages import signed_in

pytestmark = pytest.mark.django_db

SETTINGS = "/alerts/settings/"


def person(username: str, *roles: Role, email: str):
    """A person given their roles as the admin gives them (so their role's default subscriptions are made)."""
    return user_upsert(username=username, roles=roles, email=email)


@pytest.fixture
def officer():
    return signed_in(user=person("officer", Role.COMPLIANCE_OFFICER, email="o@council.example"))


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_settings_page_lists_ones_defaults_in_words(officer):
    page = officer.get(SETTINGS)
    assert page.status_code == 200
    words = text(page)
    # The compliance officer's role gave them subscriptions: listed by name, with the channels they hear on.
    assert "High and critical alerts" in words and "High and Critical" in words
    assert "Your inbox in this service" in words and "E-mail to o@council.example" in words
    assert "Nothing has been sent to your channels yet." in words
    assert "None" not in words


def test_a_subscription_is_added_changed_and_removed_through_the_forms(officer):
    rule = RuleFactory(code="void_level_high", name="Void level high")
    fenland = LocalityFactory(name="Fenland", kind="district")
    inbox = inbox_of(officer.user)
    answer = officer.post(
        f"{SETTINGS}subscriptions/new/",
        {
            "name": "Voids in Fenland",
            "rules": [rule.code],
            "severities": ["warning", "high"],
            "localities": [fenland.code],
            "channels": [str(inbox.pk)],
            "timing": "digest",
            "enabled": "on",
        },
    )
    assert answer.status_code == 302
    subscription = Subscription.objects.get(user=officer.user, name="Voids in Fenland")
    assert list(subscription.rules.all()) == [rule] and list(subscription.localities.all()) == [fenland]
    assert subscription.digest and not subscription.immediate and subscription.severities == ["warning", "high"]
    words = text(officer.get(SETTINGS))
    assert "Subscription added: Voids in Fenland." in words
    assert "Void level high" in words and "Warning and High" in words and "Fenland" in words and "Daily digest" in words

    change = officer.get(f"{SETTINGS}subscriptions/{subscription.pk}/")
    assert 'value="void_level_high" checked' in change.content.decode().replace("\n", "")
    officer.post(
        f"{SETTINGS}subscriptions/{subscription.pk}/",
        {"name": "Voids anywhere", "channels": [str(inbox.pk)], "timing": "both", "enabled": "off"},
    )
    subscription.refresh_from_db()
    assert subscription.name == "Voids anywhere" and subscription.immediate and subscription.digest
    assert not subscription.enabled and not subscription.localities.exists() and not subscription.rules.exists()

    confirm = officer.get(f"{SETTINGS}subscriptions/{subscription.pk}/remove/")
    assert "Remove the subscription “Voids anywhere”?" in text(confirm)
    officer.post(f"{SETTINGS}subscriptions/{subscription.pk}/remove/")
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_subscription_without_a_channel_or_a_time_is_refused_with_the_govuk_error_summary(officer):
    page = officer.post(f"{SETTINGS}subscriptions/new/", {"name": "Nothing", "enabled": "on"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html and "govuk-error-summary" in html
    assert 'href="#id_channels_0"' in html or 'href="#id_channels"' in html
    assert "Choose at least one channel to hear on." in html and "Choose when to hear." in html
    assert page.context["form"].errors
    assert not Subscription.objects.filter(name="Nothing").exists()


def test_a_webhook_is_added_with_its_secret_shown_once_tested_and_its_secret_rotated(officer):
    answer = officer.post(
        f"{SETTINGS}channels/new/", {"kind": "webhook", "name": "Duty system", "url": "https://hooks.example/in"}
    )
    assert answer.status_code == 200
    channel = Channel.objects.get(user=officer.user, kind=ChannelKind.WEBHOOK)
    assert channel.secret and channel.secret in answer.content.decode()
    assert channel.secret not in officer.get(SETTINGS).content.decode()  # shown once, in the answer to the POST

    old = channel.secret
    rotated = officer.post(f"{SETTINGS}channels/{channel.pk}/rotate/")
    channel.refresh_from_db()
    assert channel.secret != old and channel.secret in rotated.content.decode()
    assert "The old secret no longer signs requests." in text(rotated)

    officer.post(f"{SETTINGS}channels/{channel.pk}/test/")
    test = Notification.objects.get(channel=channel, kind="test")
    words = text(officer.get(SETTINGS))
    assert "Test notification from" in words
    assert test.get_status_display() in words

    officer.post(f"{SETTINGS}channels/{channel.pk}/remove/")
    assert not Channel.objects.filter(pk=channel.pk).exists()


def test_a_bad_webhook_or_email_is_refused_on_its_field(officer):
    page = officer.post(f"{SETTINGS}channels/new/", {"kind": "webhook", "url": "http://127.0.0.1/hook"})
    html = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in html and 'href="#id_url"' in html
    page = officer.post(f"{SETTINGS}channels/new/", {"kind": "email", "email": "not an address"})
    assert 'href="#id_email"' in page.content.decode()
    page = officer.post(f"{SETTINGS}channels/new/", {"name": "No kind"})
    assert "Choose e-mail or webhook." in page.content.decode()
    assert not Channel.objects.filter(user=officer.user).exclude(kind__in=["in_app", "email"]).exists()


def test_recent_deliveries_show_their_status_in_words(officer):
    channel = Channel.objects.get(user=officer.user, kind=ChannelKind.EMAIL)
    Notification.objects.create(
        channel=channel,
        kind="alerts",
        status=NotificationStatus.DEAD,
        idempotency_key="k-dead",
        subject="2 new alerts",
        due_at="2026-01-01T09:00Z",
        last_error="550 mailbox unavailable",
    )
    words = text(officer.get(SETTINGS))
    assert "2 new alerts" in words and "Dead letter" in words and "550 mailbox unavailable" in words


def test_another_persons_subscription_and_channel_are_404_even_to_an_administrator(officer):
    other = person("other", Role.COMPLIANCE_OFFICER, email="x@council.example")
    theirs = Subscription.objects.filter(user=other).first()
    their_channel = Channel.objects.get(user=other, kind=ChannelKind.EMAIL)
    admin = signed_in(Role.ADMINISTRATOR)
    for client in (officer, admin):
        assert client.get(f"{SETTINGS}subscriptions/{theirs.pk}/").status_code == 404
        assert client.post(f"{SETTINGS}subscriptions/{theirs.pk}/", {"timing": "digest"}).status_code == 404
        assert client.post(f"{SETTINGS}subscriptions/{theirs.pk}/remove/").status_code == 404
        for action in ("test", "rotate", "remove"):
            assert client.post(f"{SETTINGS}channels/{their_channel.pk}/{action}/").status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists() and Channel.objects.filter(pk=their_channel.pk).exists()
    assert not Notification.objects.filter(channel=their_channel).exists()
    # Nor may a subscription use another person's channel.
    officer.post(
        f"{SETTINGS}subscriptions/new/",
        {"name": "Borrowed", "channels": [str(their_channel.pk)], "timing": "immediate", "enabled": "on"},
    )
    assert not Subscription.objects.filter(name="Borrowed").exists()


def test_a_team_owner_manages_the_teams_settings_and_a_member_does_not(officer):
    member = signed_in(Role.COMPLIANCE_OFFICER)
    team = team_upsert(name="Out of hours", members=[officer.user, member.user], owners=[officer.user], description="")
    team.email = "duty@council.example"
    team.save(update_fields=["email"])
    added = officer.post(f"{SETTINGS}teams/{team.pk}/channels/new/", {"kind": "email", "name": "Duty mailbox"})
    assert added.status_code == 302
    mailbox = Channel.objects.get(team=team)
    officer.post(
        f"{SETTINGS}teams/{team.pk}/subscriptions/new/",
        {
            "name": "Out of hours critical",
            "severities": ["critical"],
            "channels": [str(mailbox.pk)],
            "timing": "immediate",
            "enabled": "on",
        },
    )
    subscription = Subscription.objects.get(team=team)
    assert list(subscription.channels.all()) == [mailbox]
    words = text(officer.get(SETTINGS))
    assert (
        "Team: Out of hours" in words
        and "Out of hours critical" in words
        and "Duty mailbox: E-mail to duty@council.example" in words
    )

    assert member.get(f"{SETTINGS}teams/{team.pk}/subscriptions/new/").status_code == 404
    assert member.get(f"{SETTINGS}subscriptions/{subscription.pk}/").status_code == 404
    assert member.post(f"{SETTINGS}channels/{mailbox.pk}/remove/").status_code == 404
    assert "Out of hours critical" not in text(member.get(SETTINGS))


def test_the_settings_page_is_for_people_who_are_signed_in(client):
    answer = client.get(SETTINGS)
    assert answer.status_code == 302
    assert "sign-in" in answer["Location"] or "login" in answer["Location"]
