"""The quality officer's pages: plan, do and publish an audit, the schedule and a home's quality history; other roles
get the 403 page. Errors show on their fields and in the summary."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from quality.models import Audit, AuditStatus, Intelligence
from tests.factories import LocationFactory, RatingFactory, UserFactory
from tests.quality.factories import drafted, planned

pytestmark = pytest.mark.django_db


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def date_fields(name, day):
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def test_an_officer_plans_carries_out_shares_and_publishes_an_audit_from_the_pages():
    today = timezone.localdate()
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    home = LocationFactory(name="Fen View Care Home")
    client = client_as(officer)

    answer = client.post("/quality/audits/new/", {"location": home.pk, **date_fields("planned_for", today)})
    audit = Audit.objects.get(location=home)
    assert answer.status_code == 302 and answer.url == f"/quality/audits/{audit.pk}/"
    client.post(f"/quality/audits/{audit.pk}/", {"step": "start", **date_fields("visited_on", today)})

    form = {f"score-{number}": "3" for number in range(1, 17)}
    form.update({f"evidence-{number}": "Seen on the visit." for number in range(1, 17)})
    form.update({"score-8": "1", "evidence-8": "Medicine records incomplete.", "score-16": ""})
    assert client.post(f"/quality/audits/{audit.pk}/findings/", form).status_code == 302
    client.post(f"/quality/audits/{audit.pk}/", {"step": "draft", "summary": "Good care; medicines poor."})
    client.post(f"/quality/audits/{audit.pk}/", {"step": "share"})
    client.post(f"/quality/audits/{audit.pk}/", {"step": "review"})
    answer = client.post(f"/quality/audits/{audit.pk}/", {"step": "publish"}, follow=True)

    audit.refresh_from_db()
    assert audit.status == AuditStatus.PUBLISHED and audit.rating == "Good"
    page = answer.content.decode()
    assert "Report published." in page and "Medicine records incomplete." in page and "Not assessed" in page


def test_a_score_without_evidence_is_an_error_on_its_field_and_in_the_summary():
    audit = planned()
    client = client_as(audit.officer)
    client.post(f"/quality/audits/{audit.pk}/", {"step": "start", **date_fields("visited_on", audit.planned_for)})
    answer = client.post(f"/quality/audits/{audit.pk}/findings/", {"score-6": "1", "evidence-6": ""})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "There is a problem" in page and 'href="#id_evidence-6"' in page
    assert 'id="id_evidence-6-error"' in page and "Standard 6: give the evidence for the score." in page


def test_publishing_inside_the_window_is_refused_with_the_reason():
    audit = drafted()
    client = client_as(audit.officer)
    client.post(f"/quality/audits/{audit.pk}/", {"step": "share"})
    answer = client.post(f"/quality/audits/{audit.pk}/", {"step": "publish"})
    assert answer.status_code == 400 and "The provider may comment until" in answer.content.decode()


def test_a_missing_visit_date_is_shown_on_the_date_input():
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    answer = client_as(officer).post("/quality/audits/new/", {"location": LocationFactory().pk})
    page = answer.content.decode()
    assert answer.status_code == 400 and "Enter the first day of the visit" in page and "govuk-error-summary" in page


def test_the_schedule_puts_the_riskiest_home_first_and_says_why():
    today = timezone.localdate()
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    calm = LocationFactory(name="Calm Meadows")
    calm.current_rating = RatingFactory(location=calm, overall="Good", report_date=today.replace(day=1))
    calm.save()
    worrying = LocationFactory(name="Worrying Lodge")
    worrying.current_rating = RatingFactory(location=worrying, overall="Inadequate", report_date=today.replace(day=1))
    worrying.save()
    page = client_as(officer).get("/quality/").content.decode()
    assert page.index("Worrying Lodge") < page.index("Calm Meadows")
    assert "CQC rating Inadequate" in page


def test_a_home_s_quality_history_records_intelligence_without_personal_data():
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    home = LocationFactory()
    client = client_as(officer)
    today = timezone.localdate()
    base = {**date_fields("received_on", today), "category": "complaint", "severity": "high", "summary": "Call missed."}
    refused = client.post(f"/quality/homes/{home.pk}/", {**base, "reference": "Margaret Smith"})
    assert refused.status_code == 400 and "case reference only" in refused.content.decode()
    answer = client.post(f"/quality/homes/{home.pk}/", {**base, "reference": "CMP-2026-0012"}, follow=True)
    assert "Call missed." in answer.content.decode() and Intelligence.objects.get().reference == "CMP-2026-0012"


@pytest.mark.parametrize(
    "role", [Role.COMMISSIONER, Role.BROKER, Role.CONTRACT_OFFICER, Role.ADMINISTRATOR, Role.PROVIDER_USER]
)
def test_other_roles_get_the_403_page(role):
    audit = planned()
    client = client_as(UserFactory(roles=[role]))
    for address in ["/quality/", "/quality/audits/", "/quality/audits/new/", f"/quality/audits/{audit.pk}/"]:
        assert client.get(address).status_code == 403, address
    assert client.get(f"/quality/homes/{audit.location_id}/").status_code == 403
