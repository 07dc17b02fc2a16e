"""The provider portal: a provider user's homes, vacancy reports (form and CSV) and mobilisation; nothing of
another provider's."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from contracts.models import VacancyReport
from market.services.mobilisation import milestone_create, plan_create, recruitment_report
from tests.factories import LocationFactory, ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.mobilisation_factories import award_for

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def mine():
    """A provider user's client, their home, and another provider's home."""
    membership = ProviderMembershipFactory()
    home = LocationFactory(
        provider=membership.provider, care_home=True, name="Willow House", registered_beds=40, cqc_location_id="1-101"
    )
    other = LocationFactory(provider=ProviderFactory(), care_home=True, name="Elsewhere Hall", cqc_location_id="1-202")
    client = Client()
    client.force_login(membership.user)
    return client, home, other


def test_a_provider_user_sees_their_own_homes_only(mine):
    client, home, other = mine
    page = client.get("/portal/").content.decode()
    assert "Willow House" in page and f'href="/portal/homes/{home.pk}/"' in page
    assert "Elsewhere Hall" not in page
    assert "Willow House" in client.get(f"/portal/homes/{home.pk}/").content.decode()


def test_another_provider_s_home_is_a_404(mine):
    client, _home, other = mine
    answer = client.get(f"/portal/homes/{other.pk}/")
    assert answer.status_code == 404
    assert b"Page not found" in answer.content
    assert b"Elsewhere Hall" not in answer.content


def test_a_vacancy_report_from_the_form_is_recorded_and_listed(mine):
    client, home, _other = mine
    answer = client.post(
        "/portal/vacancies/",
        {
            "location": home.pk,
            "care_type": "nursing",
            "report_date": str(TODAY),
            "vacant_beds": "3",
            "accepting_admissions": "yes",
        },
        follow=True,
    )
    html = answer.content.decode()
    assert "3 vacant nursing beds reported for Willow House" in html
    report = VacancyReport.objects.get()
    assert (report.location, report.vacant_beds, report.accepting_admissions) == (home, 3, True)


def test_the_service_s_own_messages_show_on_the_vacancy_form_s_fields(mine):
    client, home, other = mine
    future = client.post(
        "/portal/vacancies/",
        {
            "location": home.pk,
            "care_type": "nursing",
            "report_date": str(TODAY + timedelta(days=1)),
            "vacant_beds": "41",
            "accepting_admissions": "yes",
        },
    ).content.decode()
    assert "The home has only 40 registered beds." in future
    assert '<a href="#id_vacant_beds">' in future
    not_mine = client.post(
        "/portal/vacancies/",
        {"location": other.pk, "care_type": "nursing", "report_date": str(TODAY), "vacant_beds": "1"},
    ).content.decode()
    assert '<a href="#id_location">' in not_mine
    assert not VacancyReport.objects.exists()


def test_a_csv_upload_imports_every_row_or_shows_each_row_s_problem(mine):
    client, home, _other = mine
    good = f"location,date,care_type,vacant_beds,accepting_admissions\n1-101,{TODAY},nursing,2,yes\n"
    answer = client.post(
        "/portal/vacancies/",
        {"action": "upload", "upload-file": SimpleUploadedFile("v.csv", good.encode(), content_type="text/csv")},
        follow=True,
    )
    assert "1 vacancy report imported" in answer.content.decode()
    bad = (
        "location,date,care_type,vacant_beds,accepting_admissions\n"
        f"1-101,{TODAY},nursing,two,yes\n1-202,{TODAY},nursing,1,yes\n"
    )
    page = client.post(
        "/portal/vacancies/",
        {"action": "upload", "upload-file": SimpleUploadedFile("v.csv", bad.encode(), content_type="text/csv")},
    ).content.decode()
    assert "There is a problem" in page and '<a href="#id_upload-file">' in page
    assert "&#x27;two&#x27; is not a whole number of beds." in page
    assert "You may report only for your own provider&#x27;s locations." in page
    assert VacancyReport.objects.count() == 1
    # Counted in words once, not "2 problem(s)... nothing was imported. Nothing was imported".
    assert "2 problems in the file; nothing was imported. Correct the rows below" in page
    summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert "problem(s)" not in page and summary.count("othing was imported") == 1


def test_the_upload_names_the_missing_columns_and_asks_for_a_file_in_words(mine):
    client, _home, _other = mine
    short = f"location,date,vacant_beds\n1-101,{TODAY},2\n"
    page = client.post(
        "/portal/vacancies/",
        {"action": "upload", "upload-file": SimpleUploadedFile("v.csv", short.encode(), content_type="text/csv")},
    ).content.decode()
    assert "The file lacks the columns care_type and accepting_admissions; nothing was imported." in page
    assert "The header has no column care_type." in page
    empty = client.post("/portal/vacancies/", {"action": "upload"}).content.decode()
    assert '<a href="#id_upload-file">Select a CSV file</a>' in empty
    assert "Enter upload" not in empty
    assert "<title>Error: Report vacancies – Care market</title>" in empty


def test_mobilisation_shows_the_lots_the_provider_delivers_with_their_rag(mine):
    client, home, _other = mine
    provider = home.provider
    staff = UserFactory(roles=[Role.CONTRACT_OFFICER])
    plan = plan_create(
        award=award_for(
            provider=provider, awarded_on=TODAY - timedelta(days=30), go_live_on=TODAY + timedelta(days=90)
        ),
        by=staff,
    )
    milestone_create(
        plan=plan, kind="tupe_consultation", title="TUPE consultation", due_on=TODAY - timedelta(days=3), by=staff
    )
    recruitment_report(plan=plan, staff_recruited=7, by=staff)
    theirs = plan_create(
        award=award_for(awarded_on=TODAY - timedelta(days=30), go_live_on=TODAY + timedelta(days=90)), by=staff
    )
    milestone_create(plan=theirs, kind="tupe_consultation", title="Someone else's milestone", due_on=TODAY, by=staff)
    page = client.get("/portal/mobilisation/").content.decode()
    assert plan.award.lot.name in page
    assert "TUPE consultation" in page and "govuk-tag--red" in page and "overdue since" in page
    assert "7 staff recruited" in page
    assert "Someone else&#x27;s milestone" not in page and theirs.award.lot.name not in page


@pytest.mark.parametrize("role", [Role.BROKER, Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.ADMINISTRATOR])
@pytest.mark.parametrize("url", ["/portal/", "/portal/vacancies/", "/portal/mobilisation/"])
def test_the_portal_is_for_provider_users_only(role, url):
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    assert client.get(url).status_code == 403


def test_a_provider_user_s_home_page_is_their_homes_with_the_portal_navigation(mine):
    client, _home, _other = mine
    answer = client.get("/", follow=True)
    assert answer.redirect_chain[-1][0] == "/portal/"
    html = answer.content.decode()
    assert 'href="/portal/vacancies/"' in html and 'href="/portal/mobilisation/"' in html
    assert 'href="/beds/"' not in html
