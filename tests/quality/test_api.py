"""The quality API for systems: audits scoped to a provider's own from sharing on (another provider's is a 404),
published ratings exported as CSV and XLSX for partners, intelligence kept by compliance officers, and the schedule;
other roles get 403."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from quality.models import Score
from quality.services import audit_share
from tests.factories import LocationFactory, ProviderMembershipFactory
from tests.quality.factories import drafted, published

pytestmark = pytest.mark.django_db


def test_a_provider_user_sees_its_own_shared_audit_and_a_404_for_another(api):
    mine = audit_share(audit=drafted(), by=drafted().officer)
    theirs = audit_share(audit=drafted(), by=mine.officer)
    api.force_authenticate(ProviderMembershipFactory(provider=mine.location.provider).user)
    listed = api.get("/api/v1/quality/audits/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    detail = api.get(f"/api/v1/quality/audits/{mine.pk}/").json()
    assert detail["status"] == "shared" and len(detail["findings"]) == 16
    assert api.get(f"/api/v1/quality/audits/{theirs.pk}/").status_code == 404


def test_published_ratings_export_as_csv_and_xlsx(api):
    poor = published(dict.fromkeys(range(1, 17), Score.POOR), location=LocationFactory(name="Low Fen House"))
    published(location=LocationFactory(name="High Fen House"))
    drafted(location=LocationFactory(name="Not Yet House"))
    api.as_role(Role.COMMISSIONER)
    csv = api.get("/api/v1/quality/ratings/export/csv/").content.decode()
    assert "Low Fen House" in csv and "High Fen House" in csv and "Not Yet House" not in csv
    assert f"Low Fen House,{poor.location.cqc_location_id}" in csv and ",Poor,1.00," in csv
    sheet = load_workbook(io.BytesIO(api.get("/api/v1/quality/ratings/export/xlsx/").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "Rating" and {row[4] for row in rows[1:]} == {"Poor", "Good"}


def test_the_ratings_list_reads_in_the_same_queries_for_more_rows(api):
    published()
    api.as_role(Role.COMMISSIONER)
    api.get("/api/v1/quality/ratings/")  # the user's roles are read once and kept
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/quality/ratings/")
    published()
    published()
    with CaptureQueriesContext(connection) as three:
        assert api.get("/api/v1/quality/ratings/").json()["count"] == 3
    assert len(three) == len(one)


def test_compliance_officers_record_intelligence_and_others_may_not(api):
    home = LocationFactory()
    entry = {
        "location": home.pk,
        "received_on": timezone.localdate().isoformat(),
        "category": "missed_call",
        "severity": "medium",
        "summary": "Two calls missed on one round.",
        "reference": "MC-0042",
    }
    api.as_role(Role.COMMISSIONER)
    assert api.post("/api/v1/quality/intelligence/", entry, format="json").status_code == 403
    api.as_role(Role.COMPLIANCE_OFFICER)
    created = api.post("/api/v1/quality/intelligence/", entry, format="json")
    assert created.status_code == 201 and created.json()["reference"] == "MC-0042"
    named = api.post("/api/v1/quality/intelligence/", {**entry, "reference": "JONES-1"}, format="json")
    assert named.status_code == 400 and "reference" in named.json()["error"]["fields"]
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/quality/intelligence/").status_code == 403


def test_the_schedule_answers_staff_with_reasons_and_refuses_provider_users(api):
    LocationFactory(name="Never Seen House")
    api.as_role(Role.COMPLIANCE_OFFICER)
    body = api.get("/api/v1/quality/schedule/").json()
    rows = body["results"]
    assert body["count"] == len(rows) == 1
    assert rows[0]["position"] == 1 and "never audited by the council" in rows[0]["reasons"]
    assert api.get("/api/v1/quality/schedule/?when=today").status_code == 400
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/quality/schedule/").status_code == 403
