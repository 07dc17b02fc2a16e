"""The quality audit in a real browser: a quality officer plans an audit, carries it out (findings on the
tablet-sized form), shares the draft; the provider comments on it from the portal; the officer takes it to review
and publishes it rated Requires improvement; the provider submits the action plan and reports an action done; the
officer sees the progress. Each page passes axe-core's WCAG 2.2 AA rules and is saved as a screenshot."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from quality.models import Audit, AuditStatus
from tests.factories import LocationFactory, RatingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, name: str, day) -> None:
    page.fill(f"#id_{name}-day", str(day.day))
    page.fill(f"#id_{name}-month", str(day.month))
    page.fill(f"#id_{name}-year", str(day.year))


def test_officer_audits_provider_comments_and_plans_officer_sees_progress(page_as, checked):
    today = timezone.localdate()
    home = LocationFactory(name="Ouse Meadows Care Home")
    home.current_rating = RatingFactory(location=home, overall="Requires improvement")
    home.save()
    officer = page_as(Role.COMPLIANCE_OFFICER)
    officer.set_viewport_size({"width": 800, "height": 1100})  # a tablet held upright

    # The schedule, from the navigation, lists the home; plan its audit from there.
    officer.goto("/")
    officer.get_by_role("link", name="Quality", exact=True).first.click()
    checked(officer, "quality-schedule")
    officer.get_by_role("link", name=re.compile("Plan an audit of Ouse Meadows")).click()
    fill_date(officer, "planned_for", today)
    officer.get_by_role("button", name="Plan the audit").click()
    officer.get_by_role("button", name="Start the audit").click()

    officer.get_by_role("link", name="Record the findings").click()
    checked(officer, "quality-findings")
    for number in range(1, 17):
        officer.check(f"#id_score-{number}_2")  # Requires improvement
        officer.fill(f"#id_evidence-{number}", f"Gaps seen against standard {number}.")
    officer.check("#id_score-8_3")  # Poor
    officer.get_by_role("button", name="Save the findings").click()
    officer.fill("#id_summary", "Kind staff; medicines and records need work.")
    officer.get_by_role("button", name="Make the draft report").click()
    officer.get_by_role("button", name="Share the draft with the provider").click()
    assert "Shared with the provider" in officer.content()
    checked(officer, "quality-audit-shared")
    audit = Audit.objects.get(location=home)

    provider = page_as(Role.PROVIDER_USER, provider=home.provider)
    provider.goto("/portal/quality/")
    provider.get_by_role("link", name="Ouse Meadows Care Home").click()
    provider.select_option("#id_finding", label="8. Medicines")
    provider.fill("#id_text", "Our medicines audit of that week found every record complete.")
    provider.get_by_role("button", name="Send the comment").click()
    assert "Comment sent to the council." in provider.content()
    checked(provider, "quality-portal-draft")

    officer.reload()
    assert "Our medicines audit of that week" in officer.content()
    officer.get_by_role("button", name="Take the report to review").click()
    officer.get_by_role("button", name="Publish the report").click()
    assert "Report published." in officer.content()
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PUBLISHED and audit.rating == "Requires improvement"

    provider.reload()
    due = today + timedelta(days=28)
    for number in range(1, 17):
        provider.fill(f"#id_description-{number}", f"Put right what was found against standard {number}.")
        provider.fill(f"#id_owner-{number}", "Registered manager")
        fill_date(provider, f"due_on-{number}", due)
    provider.get_by_role("button", name="Submit the action plan").click()
    assert "Action plan submitted." in provider.content()
    first = audit.action_plan.actions.order_by("finding__standard__number").first()
    provider.select_option(f"#id_action-{first.pk}-progress", label="Done")
    provider.fill(f"#id_action-{first.pk}-note", "New consent forms in use.")
    provider.locator(f"#progress-{first.pk} button").click()
    assert "Progress saved." in provider.content()
    checked(provider, "quality-portal-action-plan")

    officer.reload()
    text = officer.content()
    assert "1 of 16 actions done" in text and "New consent forms in use." in text
    checked(officer, "quality-audit-progress")
