"""Two people's jobs in a real browser. A provider reports a milestone done and the staff recruited for its own
award, downloads the vacancy CSV template and has a report dated too long ago refused. A broker puts someone on the
waiting list, sees their waiting days, closes the wait, and reads the vacancies today nearest a postcode, a stale
report marked. Each page passes axe-core's WCAG 2.2 AA rules and is saved under var/screenshots/."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import VacancyReport
from contracts.services import vacancy_report_record
from market.models import MilestoneStatus, PendingArrangement, RecruitmentReport
from market.services.demand import pending_create
from market.services.mobilisation import milestone_create, plan_create, recruitment_trajectory_set
from tests.factories import LocalityFactory, LocationFactory, PostcodeFactory, ProviderFactory
from tests.market.mobilisation_factories import award_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, name: str, day) -> None:
    page.locator(f"#id_{name}-day").fill(str(day.day))
    page.locator(f"#id_{name}-month").fill(str(day.month))
    page.locator(f"#id_{name}-year").fill(str(day.year))


def test_a_provider_reports_mobilisation_progress_and_uses_the_vacancy_template(page_as, checked, settings, tmp_path):
    settings.VACANCY_REPORT_MAX_AGE_DAYS = 1
    today = timezone.localdate()
    provider = ProviderFactory(name="Careful Homecare Ltd")
    home = LocationFactory(provider=provider, name="Willow Court")
    award = award_for(provider=provider, awarded_on=today - timedelta(days=60), go_live_on=today + timedelta(days=90))
    plan = plan_create(award=award)
    milestone_create(plan=plan, kind="policies", title="Policies agreed", due_on=today + timedelta(days=10))
    recruitment_trajectory_set(plan=plan, weeks=[{"week_ending": today - timedelta(days=3), "planned_staff": 30}])
    page = page_as(Role.PROVIDER_USER, provider=provider)

    page.get_by_role("link", name="Your mobilisation").click()
    page.get_by_role("link", name="Report progress on Policies agreed").click()
    page.get_by_label("Link to the evidence").fill("not a link")
    page.get_by_role("button", name="Send progress to the council").click()
    assert "Enter the link in the right format" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "provider-milestone-errors")
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Link to the evidence").fill("https://docs.example.org/policies")
    page.get_by_role("button", name="Send progress to the council").click()
    assert "Policies agreed: progress sent to the council." in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name=f"Report staff recruited for lot {award.lot.code}").click()
    page.get_by_label("Staff recruited to date").fill("24")
    page.get_by_role("button", name="Send to the council").click()
    assert "24 staff recruited of 30 planned by now" in page.locator("main").inner_text()
    checked(page, "provider-mobilisation-reported")
    assert plan.milestones.get().status == MilestoneStatus.DONE
    assert RecruitmentReport.objects.get(plan=plan).staff_recruited == 24

    page.get_by_role("link", name="Report vacancies").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV template").click()
    template = download.value.path().read_text()
    assert next(csv.reader(io.StringIO(template))) == [
        "location",
        "date",
        "care_type",
        "vacant_beds",
        "accepting_admissions",
    ]
    assert "Nursing dementia (nursing_dementia)" in template and f"{home.cqc_location_id}: Willow Court" in template

    too_old = today - timedelta(days=2)
    file = tmp_path / "vacancies.csv"
    file.write_text(template + f"{home.cqc_location_id},{too_old.isoformat()},Nursing,2,yes\n")
    page.get_by_label("Upload a CSV file").set_input_files(str(file))
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Upload the file").click()
    page.wait_for_load_state()
    problems = page.locator("#upload-problems").inner_text()
    assert "Vacancies are reported for today or yesterday" in problems and "too old" in problems
    checked(page, "provider-vacancy-upload-too-old")
    assert not VacancyReport.objects.exists()


def test_a_broker_keeps_the_waiting_list_and_reads_the_vacancies_today(page_as, checked, settings):
    settings.PENDING_WAIT_LONG_DAYS = 42
    settings.VACANCY_REPORT_STALE_DAYS = 7
    today = timezone.localdate()
    district = LocalityFactory(name="East Cambridgeshire")
    pending_create(
        reference="BRK-2026-0001",
        locality=district,
        care_type="nursing",
        waiting_since=today - timedelta(days=50),
        bridging="interim_bed",
    )
    PostcodeFactory(postcode="CB1 1AA", latitude=52.20, longitude=0.12)
    near = LocationFactory(name="Near House", latitude=52.21, longitude=0.12)
    far = LocationFactory(name="Alder Far House", latitude=52.60, longitude=0.12)
    stale_day = today - timedelta(days=9)
    vacancy_report_record(location=near, report_date=stale_day, care_type="nursing", vacant_beds=3, today=stale_day)
    vacancy_report_record(location=far, report_date=today, care_type="nursing", vacant_beds=1)
    page = page_as(Role.BROKER)

    page.get_by_role("link", name="Waiting list").click()
    assert "Long wait" in page.get_by_role("row", name="BRK-2026-0001").inner_text()
    page.get_by_role("link", name="Add someone to the waiting list").click()
    page.get_by_role("button", name="Add to the waiting list").click()
    assert "Choose where the person lives" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "broker-waiting-new-errors")
    page.get_by_label("The person's reference").fill("BRK-2026-0002")
    page.get_by_label("Where they live").select_option(label="East Cambridgeshire (district)")
    page.get_by_label("Care they are waiting for").select_option(label="Residential")
    fill_date(page, "waiting_since", today - timedelta(days=4))
    page.get_by_label("Block car time").check()
    page.get_by_role("button", name="Add to the waiting list").click()
    row = page.get_by_role("row", name="BRK-2026-0002").inner_text()
    assert "Block car time" in row and "4" in row and "Long wait" not in row
    checked(page, "broker-waiting-list")

    page.get_by_role("link", name="Close BRK-2026-0001's wait").click()
    page.get_by_label("Placed in a care home").check()
    page.get_by_role("button", name="Close the wait").click()
    assert "BRK-2026-0001's wait ended" in page.locator(".govuk-notification-banner").inner_text()
    assert "BRK-2026-0001" in page.locator("#ended").inner_text()
    assert PendingArrangement.objects.get(reference="BRK-2026-0001").ended_on == today

    page.get_by_role("link", name="Vacancies today").click()
    page.get_by_label("Postcode").fill("cb1 1aa")
    page.get_by_role("button", name="Sort by distance").click()
    table = page.locator("#vacancies").inner_text()
    assert table.index("Near House") < table.index("Alder Far House")
    assert "Stale" in page.get_by_role("row", name="Near House").inner_text()
    assert "Stale" not in page.get_by_role("row", name="Alder Far House").inner_text()
    checked(page, "broker-vacancies-today")
