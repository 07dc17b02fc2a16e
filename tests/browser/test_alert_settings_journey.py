"""A compliance officer's own alerting in a real browser: from the inbox to their settings, where the defaults
their role gave them are listed; they add a team mailbox as a channel (after a mistake the form names), subscribe
to critical alerts in one district on it (after leaving out the channel), send it a test, see the delivery, then
change and remove the subscription. Each page passes axe-core and is saved under var/screenshots/."""

import pytest

from accounts.roles import Role
from accounts.services import user_upsert
from tasks.models import Channel, Notification, Subscription
from tests.browser.conftest import PASSWORD, sign_in
from tests.factories import LocalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_adds_a_channel_and_a_subscription_tests_it_changes_and_removes_it(open_page, checked):
    LocalityFactory(name="Fenland", code="E07000010", kind="district")
    officer = user_upsert(
        username="officer", roles=[Role.COMPLIANCE_OFFICER], email="officer@council.example", password=PASSWORD
    )
    page = open_page()
    sign_in(page, officer.username)
    assert page.url.endswith("/alerts/")

    page.get_by_role("link", name="Your alert settings").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your alert settings"
    assert page.locator("[data-subscription]").count() == 2  # the role's defaults
    assert "High and critical alerts" in page.locator("[data-owner=me]").inner_text()
    checked(page, "alert-settings")

    page.get_by_role("link", name="Add an e-mail or a webhook").click()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Add the channel").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter an e-mail address in the correct format" in summary.inner_text()
    checked(page, "alert-settings-channel-error")
    summary.get_by_role("link").first.click()
    page.get_by_label("E-mail address").fill("duty@council.example")
    page.get_by_label("Name (optional)").fill("Duty mailbox")
    page.get_by_role("button", name="Add the channel").click()
    assert "Channel added: Duty mailbox: E-mail to duty@council.example." in page.inner_text("main")

    page.get_by_role("link", name="Add a subscription").click()
    page.get_by_label("Name (optional)").fill("Critical in Fenland")
    page.get_by_role("group", name="Severities").get_by_label("Critical").check()
    page.get_by_role("group", name="Areas").get_by_label("Fenland (District)").check()
    page.get_by_label("As they happen (gathered for a few minutes)").check()
    page.get_by_role("button", name="Add the subscription").click()
    assert "Choose at least one channel to hear on." in page.locator(".govuk-error-summary").inner_text()
    checked(page, "alert-settings-subscription-error")
    page.get_by_label("Duty mailbox: E-mail to duty@council.example").check()
    page.get_by_role("button", name="Add the subscription").click()
    assert "Subscription added: Critical in Fenland." in page.inner_text("main")
    subscription = Subscription.objects.get(user=officer, name="Critical in Fenland")
    mailbox = Channel.objects.get(user=officer, email="duty@council.example")
    assert list(subscription.channels.all()) == [mailbox] and subscription.severities == ["critical"]
    row = page.locator(f'[data-subscription="{subscription.pk}"]')
    assert "Critical" in row.inner_text() and "Fenland" in row.inner_text()

    page.get_by_role("button", name="Send a test to Duty mailbox: E-mail to duty@council.example").click()
    assert "Test sent to Duty mailbox" in page.inner_text("main")
    test = Notification.objects.get(channel=mailbox, kind="test")
    assert page.locator(f'[data-notification="{test.pk}"]').count() == 1
    checked(page, "alert-settings-after-test")

    row.get_by_role("link", name="Change Critical in Fenland").click()
    page.get_by_label("Both").check()
    page.get_by_role("button", name="Save the subscription").click()
    assert "Subscription changed." in page.inner_text("main")
    subscription.refresh_from_db()
    assert subscription.immediate and subscription.digest

    page.locator(f'[data-subscription="{subscription.pk}"]').get_by_role(
        "link", name="Remove Critical in Fenland"
    ).click()
    checked(page, "alert-settings-remove")
    page.get_by_role("button", name="Remove it").click()
    assert "Subscription removed." in page.inner_text("main")
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
