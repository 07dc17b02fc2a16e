"""Vacancies reported for today or the VACANCY_REPORT_MAX_AGE_DAYS just gone, and refused before, by the one row
check that the API, the portal's form and the CSV import share (tested at the boundary day); the CSV template a
provider downloads; and the brokers' "vacancies today" shop window, stale reports marked and nearest first."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from contracts.models import VacancyReport
from contracts.services import vacancy_report_record
from tests.dates import TODAY, days_ago
from tests.factories import LocationFactory, PostcodeFactory, ProviderMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "location,date,care_type,vacant_beds,accepting_admissions\n"


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def provider_user_of(home):
    user = UserFactory(roles=[Role.PROVIDER_USER])
    ProviderMembershipFactory(user=user, provider=home.provider)
    return user


def form_report(day, home) -> dict:
    return {
        "location": home.pk,
        "care_type": "nursing",
        "report_date": day.isoformat(),
        "vacant_beds": "2",
        "accepting_admissions": "yes",
    }


@pytest.mark.parametrize("max_age", [1, 3])
def test_a_report_dated_the_last_allowed_day_is_taken_and_the_day_before_is_refused_by_api_page_and_file(
    settings, api, max_age
):
    settings.VACANCY_REPORT_MAX_AGE_DAYS = max_age
    home = LocationFactory()
    user = provider_user_of(home)
    api.force_authenticate(user)
    client = client_as(user)
    words = "today or yesterday" if max_age == 1 else "today or the 3 days before"
    too_old, oldest = days_ago(max_age + 1), days_ago(max_age)

    answer = api.post(
        "/api/v1/vacancy-reports/",
        {"location": home.pk, "report_date": too_old.isoformat(), "care_type": "nursing", "vacant_beds": 1},
        format="json",
    )
    assert answer.status_code == 400
    assert f"Vacancies are reported for {words}" in str(answer.json()) and "report_date" in str(answer.json())

    page = client.post("/portal/vacancies/", form_report(too_old, home))
    assert page.status_code == 200 and f"Vacancies are reported for {words}" in page.content.decode()

    file = SimpleUploadedFile(
        "vacancies.csv", (HEADER + f"{home.cqc_location_id},{too_old.isoformat()},nursing,1,yes\n").encode()
    )
    upload = client.post("/portal/vacancies/", {"action": "upload", "upload-file": file})
    text = upload.content.decode()
    assert f"Vacancies are reported for {words}" in text and "too old" in text
    assert not VacancyReport.objects.exists()

    answer = api.post(
        "/api/v1/vacancy-reports/",
        {"location": home.pk, "report_date": oldest.isoformat(), "care_type": "nursing", "vacant_beds": 1},
        format="json",
    )
    assert answer.status_code == 201
    file = SimpleUploadedFile(
        "vacancies.csv", (HEADER + f"{home.cqc_location_id},{oldest.isoformat()},residential,1,yes\n").encode()
    )
    assert (
        "1 vacancy report imported."
        in client.post("/portal/vacancies/", {"action": "upload", "upload-file": file}, follow=True).content.decode()
    )
    assert VacancyReport.objects.filter(report_date=oldest).count() == 2


def test_the_file_names_the_row_and_column_of_a_report_too_old():
    home = LocationFactory()
    client = client_as(provider_user_of(home))
    content = HEADER + f"{home.cqc_location_id},{TODAY.isoformat()},nursing,1,yes\n"
    content += f"{home.cqc_location_id},{days_ago(9).isoformat()},nursing,1,yes\n"
    page = client.post(
        "/portal/vacancies/", {"action": "upload", "upload-file": SimpleUploadedFile("v.csv", content.encode())}
    ).content.decode()
    problems = page.split('id="upload-problems"', 1)[1].split("</table>", 1)[0]
    assert "3</td>" in problems and ">date<" in problems and "too old" in problems


def test_the_template_names_every_column_the_care_types_and_the_provider_s_homes_and_imports_as_it_is(settings):
    settings.VACANCY_REPORT_MAX_AGE_DAYS = 1
    home = LocationFactory(name="Willow Court")
    other = LocationFactory(name="Someone Else's Home")
    client = client_as(provider_user_of(home))
    answer = client.get("/portal/vacancies/template.csv")
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["location", "date", "care_type", "vacant_beds", "accepting_admissions"]
    text = answer.content.decode()
    assert "Nursing dementia (nursing_dementia)" in text and "Planned respite (planned_respite)" in text
    assert "today or yesterday" in text and days_ago(1).isoformat() in text
    assert f"{home.cqc_location_id}: Willow Court" in text and other.name not in text

    # The notes are not rows: the template with one row added imports that row only.
    filled = text + f"{home.cqc_location_id},{TODAY.isoformat()},Nursing dementia,3,yes\n"
    page = client.post(
        "/portal/vacancies/",
        {"action": "upload", "upload-file": SimpleUploadedFile("v.csv", filled.encode())},
        follow=True,
    )
    assert "1 vacancy report imported." in page.content.decode()
    assert VacancyReport.objects.get().care_type == "nursing_dementia"

    # A problem names the row as a spreadsheet numbers it, the notes counted.
    wrong = text + f"{home.cqc_location_id},{TODAY.isoformat()},Nursing,many,yes\n"
    page = client.post(
        "/portal/vacancies/", {"action": "upload", "upload-file": SimpleUploadedFile("v.csv", wrong.encode())}
    ).content.decode()
    problems = page.split('id="upload-problems"', 1)[1].split("</table>", 1)[0]
    assert f">{len(rows) + 1}</td>" in problems and "is not a whole number of beds" in problems


def test_the_upload_says_which_columns_are_missing():
    home = LocationFactory()
    client = client_as(provider_user_of(home))
    file = SimpleUploadedFile("v.csv", f"location,date,vacant_beds\n{home.cqc_location_id},{TODAY},1\n".encode())
    page = client.post("/portal/vacancies/", {"action": "upload", "upload-file": file}).content.decode()
    assert "The file lacks the columns care_type and accepting_admissions" in page


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.PROVIDER_USER}))
def test_the_template_is_the_providers_own(role):
    assert client_as(UserFactory(roles=[role])).get("/portal/vacancies/template.csv").status_code == 403


# --- vacancies today ---------------------------------------------------------------------------------------


def table_of(page: str) -> str:
    return page.split('id="vacancies"', 1)[1].split("</table>", 1)[0]


def test_vacancies_today_shows_each_home_s_latest_report_with_stale_ones_marked_nearest_first(settings):
    settings.VACANCY_REPORT_STALE_DAYS = 7
    PostcodeFactory(postcode="CB1 1AA", latitude=52.20, longitude=0.12)
    near = LocationFactory(name="Near House", latitude=52.21, longitude=0.12)
    far = LocationFactory(name="Alder Far House", latitude=52.60, longitude=0.12)
    unplaced = LocationFactory(name="Aaron Lodge", latitude=None, longitude=None)
    vacancy_report_record(location=near, report_date=days_ago(8), care_type="nursing", vacant_beds=4, today=days_ago(8))
    vacancy_report_record(
        location=near, report_date=days_ago(7), care_type="residential", vacant_beds=2, today=days_ago(7)
    )
    vacancy_report_record(
        location=far, report_date=days_ago(20), care_type="nursing", vacant_beds=9, today=days_ago(20)
    )
    vacancy_report_record(location=far, report_date=TODAY, care_type="nursing", vacant_beds=1)
    vacancy_report_record(location=unplaced, report_date=TODAY, care_type="nursing", vacant_beds=5)
    client = client_as(UserFactory(roles=[Role.BROKER]))

    by_name = table_of(client.get("/beds/vacancies/").content.decode())
    assert by_name.index("Aaron Lodge") < by_name.index("Alder Far House") < by_name.index("Near House")
    assert ">9<" not in by_name  # the far home's older report is replaced by today's
    near_rows = by_name.split("Near House", 1)[1]
    nursing, residential = near_rows.split("Residential", 1)
    assert "Stale" in nursing.split("</tr>", 1)[0]  # 8 days old: stale
    assert "Stale" not in residential.split("</tr>", 1)[0]  # 7 days old: still fresh

    nearest = table_of(client.get("/beds/vacancies/", {"postcode": "cb1 1aa"}).content.decode())
    assert nearest.index("Near House") < nearest.index("Alder Far House") < nearest.index("Aaron Lodge")
    assert "1.1 km" in nearest and "Not known" in nearest


def test_vacancies_today_refuses_an_unknown_postcode_and_an_unknown_parameter_and_pages_through():
    for number in range(55):
        vacancy_report_record(
            location=LocationFactory(name=f"Home {number:02d}"), report_date=TODAY, care_type="nursing", vacant_beds=1
        )
    client = client_as(UserFactory(roles=[Role.BROKER]))
    unknown = client.get("/beds/vacancies/", {"postcode": "CB9 9ZZ"})
    assert unknown.status_code == 400 and "is not in the postcode directory" in unknown.content.decode()
    extra = client.get("/beds/vacancies/", {"sort": "name"})
    assert extra.status_code == 400 and "The page does not know sort" in extra.content.decode()
    first, second = (
        client.get("/beds/vacancies/").content.decode(),
        client.get("/beds/vacancies/?page=2").content.decode(),
    )
    assert "Home 00" in first and "Home 49" in first and "Home 50" not in first
    assert "Home 50" in second and "Home 54" in second and "55 reports" in second


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.BROKER}))
def test_vacancies_today_is_the_brokers(role):
    assert client_as(UserFactory(roles=[role])).get("/beds/vacancies/").status_code == 403
