"""The pages administrators follow long jobs on, in a real browser: the boundary uploads and one rejected upload
with its rows, the upload form's error summary, the CQC sync runs and a run still going. Each passes axe-core's
WCAG 2.2 AA rules and is saved as a screenshot under var/screenshots/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from geo.models import BoundaryImport
from providers.models import SyncRun, SyncStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _uploads_in_tmp_path(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_administrator_follows_boundary_uploads_and_cqc_sync_runs(page_as, checked):
    rejected = BoundaryImport.objects.create(
        file=SimpleUploadedFile("wards.geojson", b"{}"),
        kind="ward",
        code_field="WD13CD",
        name_field="WD13NM",
        status=BoundaryImport.Status.REJECTED,
        report={
            "message": "The boundary file was rejected; nothing was imported.",
            "problems": [{"row": 2, "field": "WD13CD", "message": "The code is missing."}],
        },
    )
    running = SyncRun.objects.create(status=SyncStatus.RUNNING, full_load=False, to_fetch=40, fetched=10)
    SyncRun.objects.create(
        status=SyncStatus.SUCCEEDED,
        fetched=3,
        failed=1,
        errors=[{"kind": "location", "id": "1-1000000002", "field": "safe", "message": "'Very good' is not a rating."}],
    )
    page = page_as(Role.ADMINISTRATOR)

    page.get_by_role("link", name="Boundary uploads").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Boundary uploads").count() == 1
    checked(page, "jobs-boundary-uploads")

    page.get_by_role("link", name="wards.geojson").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/jobs/boundaries/{rejected.pk}/")
    row = page.get_by_role("row", name="2 WD13CD The code is missing.")
    assert row.count() == 1
    checked(page, "jobs-boundary-upload-rejected")

    page.get_by_role("link", name="Upload another boundary file").click()
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Select a boundary file" in summary.inner_text()
    checked(page, "jobs-boundary-upload-errors")

    page.get_by_role("link", name="CQC sync").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="CQC sync runs").count() == 1
    checked(page, "jobs-cqc-sync-runs")

    page.goto(f"/jobs/cqc-sync/{running.pk}/")
    assert "10 locations read of 40 changed" in page.locator("main").inner_text()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0  # reloading is the person's choice
    checked(page, "jobs-cqc-sync-run-running")
    page.get_by_role("link", name="Reload it every 10 seconds until the job has finished").click()
    page.wait_for_load_state()
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "10"
    assert page.get_by_role("link", name="Stop reloading automatically").count() == 1


def test_a_homes_page_lists_its_alerts_and_links_to_them(page_as, checked):
    from tests.factories import LocationFactory
    from tests.tasks.test_inbox_pages import make_alert

    home = LocationFactory(name="Meadow View Care Home", care_home=True)
    page = page_as(Role.COMPLIANCE_OFFICER)
    make_alert(location=home, title="Meadow View Care Home: two void beds", severity="high", owner_user=page.user)
    make_alert(location=home, title="Meadow View Care Home rated Inadequate", ago=1)

    page.goto(f"/homes/{home.pk}/")
    text = page.locator("main").inner_text()
    assert "2 unresolved alerts about this home, 2 not yet acknowledged; 1 assigned to you or your teams." in text
    checked(page, "page-home-alerts")
    page.get_by_role("link", name="Meadow View Care Home: two void beds").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Meadow View Care Home: two void beds").count() == 1
