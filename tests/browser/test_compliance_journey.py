"""The compliance officer's journey in a real browser: a rating downgrade arriving by the CQC sync (the CQC API
mocked at the transport) raises an alert in the inbox; the officer acknowledges it, comments and resolves it. Every
inbox page is refused to the roles that may not use it, passes axe-core's WCAG 2.2 AA rules, and is saved as a
screenshot under var/screenshots/."""

import re
from datetime import timedelta

import pytest
import respx
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from providers.cqc import CqcClient
from providers.models import CqcSyncState, Location
from providers.services.sync import cqc_sync_run, sync_run_start
from tasks.models import Alert, AlertComment, AlertStatus
from tasks.services.engine import sweep
from tasks.services.rules import rules_sync
from tests.factories import LocalityFactory, square
from tests.providers.cqc_bodies import BASE, changes_page, location_body, provider_body
from tests.tasks.test_inbox_pages import make_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def downgrade_by_the_cqc_sync(settings) -> Location:
    """Two sync runs against the mocked CQC API: the first finds the home rated Good, the second Requires
    improvement with Safe Inadequate; then the sweep of the rules, as the scheduled task runs it."""
    settings.CQC_LOCAL_AUTHORITIES = ["Cambridgeshire"]
    settings.CQC_REGIONS = []
    district = LocalityFactory(code="E07000010", name="Fenland", boundary=square(0.0, 52.5, 0.2))
    LocalityFactory(
        code="E05000001", name="Wisbech North", kind="ward", parent=district, boundary=square(0.0, 52.5, 0.1)
    )
    rules_sync()
    now = timezone.now()
    with respx.mock, CqcClient(base_url=BASE, api_key="k", requests_per_second=0, sleep=lambda s: None) as client:
        respx.get(f"{BASE}/changes/location").respond(json=changes_page(["1-1000000001"], page=1, total_pages=1))
        respx.get(f"{BASE}/changes/provider").respond(
            json=changes_page([], page=1, total_pages=1, path="/changes/provider")
        )
        location = respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
        respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
        CqcSyncState.objects.update_or_create(key="cqc", defaults={"cursor": now - timedelta(days=2)})
        cqc_sync_run(run=sync_run_start(), client=client, now=now - timedelta(days=1))

        location.respond(
            json=location_body(
                overall="Requires improvement",
                report_date=str(timezone.localdate() - timedelta(days=3)),
                key_questions={"Safe": "Inadequate", "Caring": "Good"},
                historic=[{"reportDate": "2023-05-10", "overall": {"rating": "Good", "keyQuestionRatings": []}}],
            )
        )
        cqc_sync_run(run=sync_run_start(), client=client, now=now)
    sweep(now=timezone.now())
    return Location.objects.get(cqc_location_id="1-1000000001")


def test_a_downgrade_from_the_cqc_sync_is_acknowledged_commented_and_resolved(settings, page_as, checked):
    home = downgrade_by_the_cqc_sync(settings)
    alert = Alert.objects.filter(rule__code="rating_downgrade", location=home).exclude(status="resolved").first()
    assert alert is not None

    officer = page_as(Role.COMPLIANCE_OFFICER)
    assert officer.url.endswith("/alerts/")  # a compliance officer's start page
    row = officer.locator(f'tr[data-alert="{alert.pk}"]')
    assert row.count() == 1 and home.name in row.inner_text()
    checked(officer, "alerts-inbox")

    officer.get_by_role("group", name="Severity").get_by_label(alert.get_severity_display()).check()
    officer.get_by_role("button", name="Apply filters").click()
    assert officer.locator(f'tr[data-alert="{alert.pk}"]').count() == 1
    assert officer.locator(".moj-filter__tag").count() == 1
    checked(officer, "alerts-inbox-filtered")

    officer.get_by_role("link", name=alert.title).click()
    assert officer.get_by_role("heading", level=1).inner_text() == alert.title
    assert officer.get_by_text("Evidence").count() >= 1
    checked(officer, "alert")

    officer.get_by_role("button", name="Acknowledge").click()
    assert "Alert acknowledged." in officer.locator(".govuk-notification-banner").inner_text()

    officer.get_by_label("Add a comment").fill("Rang the registered manager; action plan due Friday.")
    officer.get_by_role("button", name="Add comment").click()
    assert officer.get_by_text("Rang the registered manager").count() == 1

    officer.get_by_role("button", name="Resolve").click()
    assert officer.get_by_role("alert").get_by_text("There is a problem").count() == 1
    assert "Say why the alert is resolved." in officer.locator(".govuk-error-message").inner_text()
    checked(officer, "alert-resolve-refused")

    officer.get_by_label("Why is it resolved?").fill("Action plan received and checked.")
    officer.get_by_role("button", name="Resolve").click()
    assert "Alert resolved." in officer.locator(".govuk-notification-banner").inner_text()
    checked(officer, "alert-resolved")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolution_note == "Action plan received and checked."
    assert AlertComment.objects.filter(alert=alert).count() == 1


def test_acting_on_alerts_in_bulk_says_what_was_done(page_as, checked):
    rules_sync()
    first, second = make_alert(), make_alert()
    officer = page_as(Role.COMPLIANCE_OFFICER)
    officer.goto("/alerts/")
    officer.get_by_label(re.compile(f"Select alert {first.pk}:")).check()
    officer.get_by_label(re.compile(f"Select alert {second.pk}:")).check()
    officer.get_by_role("radio", name="Acknowledge").check()
    officer.get_by_role("button", name="Apply to selected alerts").click()
    banner = officer.locator(".govuk-notification-banner--success").inner_text()
    named = " and ".join(alert.title for alert in sorted([first, second], key=lambda alert: alert.pk))
    assert f"2 alerts acknowledged: {named}." in banner
    checked(officer, "alerts-inbox-bulk-done")

    officer.get_by_label(re.compile(f"Select alert {first.pk}:")).check()
    officer.get_by_role("radio", name="Resolve").check()
    officer.get_by_role("button", name="Apply to selected alerts").click()
    assert "Say why the alert is resolved." in officer.locator(".govuk-error-summary").inner_text()
    checked(officer, "alerts-inbox-bulk-refused")


def test_a_provider_user_reads_only_their_own_alerts_and_every_inbox_page_refuses_who_may_not(
    live_server, page_as, open_page, checked
):
    rules_sync()
    mine, other = make_alert(), make_alert()
    provider = page_as(Role.PROVIDER_USER, provider=mine.provider)
    provider.goto("/portal/alerts/")
    assert provider.locator("tr[data-alert]").count() == 1
    assert provider.locator('input[name="ids"]').count() == 0
    checked(provider, "portal-alerts")

    provider.goto(f"/alerts/{mine.pk}/")
    assert provider.get_by_role("heading", level=1).inner_text() == mine.title
    assert provider.get_by_role("button", name="Acknowledge").count() == 0
    checked(provider, "portal-alert")

    answer = provider.goto(f"/alerts/{other.pk}/")
    assert answer.status == 404
    checked(provider, "portal-alert-of-another-provider")

    # Changing an alert is for council staff: a provider user's POST is a 403, whatever the alert.
    user = provider.user
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    for url in ("/alerts/", f"/alerts/{mine.pk}/acknowledge/", f"/alerts/{mine.pk}/comment/"):
        assert client.post(url, {"ids": [mine.pk], "action": "acknowledge", "comment-text": "x"}).status_code == 403
    assert Alert.objects.get(pk=mine.pk).status == AlertStatus.OPEN

    # Someone not signed in is sent to sign in from every inbox page.
    stranger = open_page()
    for path in ("/alerts/", f"/alerts/{mine.pk}/", "/portal/alerts/"):
        stranger.goto(path)
        assert "/sign-in/" in stranger.url
