"""The provider's side in the portal: its own shared draft to comment on within the window, the published report,
the action plan (an action for every issue) and each action's progress, which the officer then sees. Another
provider's audit is a 404; a draft not yet shared is not there at all."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quality.models import ActionProgress, Score
from quality.services import audit_share
from tests.quality.factories import drafted, provider_user, published

pytestmark = pytest.mark.django_db


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_provider_reads_its_shared_draft_and_comments_on_it():
    audit = audit_share(audit=drafted(), by=drafted().officer)
    client = client_as(provider_user(audit.location))
    page = client.get(f"/portal/quality/{audit.pk}/").content.decode()
    assert "Comment on the draft" in page and "Seen on the visit." in page
    finding = audit.findings.get(standard__number=12)
    answer = client.post(
        f"/portal/quality/{audit.pk}/",
        {"form": "comment", "finding": finding.pk, "text": "Two more carers started on 1 May."},
        follow=True,
    )
    assert "Comment sent to the council." in answer.content.decode()
    officer_page = client_as(audit.officer).get(f"/quality/audits/{audit.pk}/").content.decode()
    assert "Two more carers started on 1 May." in officer_page and "standard 12" in officer_page


def test_a_draft_not_yet_shared_and_another_provider_s_audit_are_404():
    unshared = drafted()
    shared = audit_share(audit=drafted(), by=unshared.officer)
    client = client_as(provider_user(unshared.location))
    assert client.get(f"/portal/quality/{unshared.pk}/").status_code == 404
    assert client.get(f"/portal/quality/{shared.pk}/").status_code == 404
    assert client.post(f"/portal/quality/{shared.pk}/", {"form": "comment", "text": "x"}).status_code == 404
    assert unshared.location.name not in client.get("/portal/quality/").content.decode()


def test_the_provider_submits_an_action_plan_for_every_issue_and_the_officer_sees_progress():
    # Safeguarding and medicines Poor (weight 2), standards 1 to 5 Requires improvement (care and welfare at weight 2),
    # the other nine Good: (4 + 12 + 27) / 19 = 2.26, Requires improvement.
    audit = published({6: Score.POOR, 8: Score.POOR, **dict.fromkeys(range(1, 6), Score.REQUIRES_IMPROVEMENT)})
    assert audit.rating == "Requires improvement"
    client = client_as(provider_user(audit.location))
    due = timezone.localdate() + timedelta(days=30)
    issues = [finding.standard.number for finding in audit.findings.all() if finding.is_issue]
    form = {"form": "plan"}
    for number in issues:
        form.update(
            {
                f"description-{number}": f"Put right standard {number}.",
                f"owner-{number}": "Home manager",
                f"due_on-{number}-day": due.day,
                f"due_on-{number}-month": due.month,
                f"due_on-{number}-year": due.year,
            }
        )
    missing_owner = {**form, "owner-6": ""}
    refused = client.post(f"/portal/quality/{audit.pk}/", missing_owner)
    assert refused.status_code == 400 and "Say who is responsible for standard 6" in refused.content.decode()

    answer = client.post(f"/portal/quality/{audit.pk}/", form, follow=True)
    assert "Action plan submitted." in answer.content.decode()
    action = audit.action_plan.actions.get(finding__standard__number=8)
    client.post(
        f"/portal/quality/{audit.pk}/",
        {
            "form": "progress",
            "action": action.pk,
            f"action-{action.pk}-progress": ActionProgress.DONE,
            f"action-{action.pk}-note": "New medicines audit weekly.",
        },
    )
    officer_page = client_as(audit.officer).get(f"/quality/audits/{audit.pk}/").content.decode()
    assert f"1 of {len(issues)} actions done" in officer_page and "New medicines audit weekly." in officer_page


def test_the_comment_form_is_gone_once_the_report_is_published():
    audit = published()
    page = client_as(provider_user(audit.location)).get(f"/portal/quality/{audit.pk}/").content.decode()
    assert "Comment on the draft" not in page and "Published" in page


def test_an_issue_takes_several_actions_added_one_at_a_time():
    audit = published({6: Score.POOR, 8: Score.POOR, **dict.fromkeys(range(1, 6), Score.REQUIRES_IMPROVEMENT)})
    client = client_as(provider_user(audit.location))
    due = timezone.localdate() + timedelta(days=30)
    issues = [finding.standard.number for finding in audit.findings.all() if finding.is_issue]
    form = {"form": "plan"}
    for number in issues:
        form.update(
            {
                f"description-{number}": f"Put right standard {number}.",
                f"owner-{number}": "Home manager",
                f"due_on-{number}-day": due.day,
                f"due_on-{number}-month": due.month,
                f"due_on-{number}-year": due.year,
            }
        )
    # "Add another action" to standard 8 gives the same answers back with a second action's fields, no errors.
    added = client.post(f"/portal/quality/{audit.pk}/", {**form, "add": "8"})
    page = added.content.decode()
    assert added.status_code == 200 and "There is a problem" not in page
    assert 'name="description-8-2"' in page and 'name="actions-8" value="2"' in page
    assert "Put right standard 6." in page

    later = due + timedelta(days=30)
    second = {
        **form,
        "actions-8": "2",
        "description-8-2": "Weekly medicines audit by the deputy manager.",
        "owner-8-2": "",
        "due_on-8-2-day": later.day,
        "due_on-8-2-month": later.month,
        "due_on-8-2-year": later.year,
    }
    refused = client.post(f"/portal/quality/{audit.pk}/", second)
    assert refused.status_code == 400
    assert "Say who is responsible for action 2 for standard 8" in refused.content.decode()

    # An empty further action is left out; a filled one joins the plan.
    answer = client.post(
        f"/portal/quality/{audit.pk}/", {**second, "owner-8-2": "Deputy manager", "actions-6": "2"}, follow=True
    )
    assert "Action plan submitted." in answer.content.decode()
    actions = audit.action_plan.actions.filter(finding__standard__number=8).order_by("due_on")
    assert [(a.owner, a.due_on) for a in actions] == [("Home manager", due), ("Deputy manager", later)]
    assert audit.action_plan.actions.filter(finding__standard__number=6).count() == 1
    assert audit.action_plan.actions.count() == len(issues) + 1
