"""Provider vacancy reports: one at a time or a CSV, refused whole with the row at fault."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import VacancyReport
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

HEADER = "location,date,care_type,vacant_beds,accepting_admissions\n"


def upload(api, content: bytes):
    return api.post("/api/v1/vacancy-reports/upload/", {"file": io.BytesIO(content)}, format="multipart")


def test_a_file_that_is_not_utf8_is_refused_naming_the_row_and_nothing_is_written(api):
    LocationFactory(cqc_location_id="1-555000001")
    api.as_role(Role.CONTRACT_OFFICER)
    day = timezone.localdate().isoformat()
    good_row = f"1-555000001,{day},nursing,2,yes\n".encode()
    latin_row = f"1-555000001,{day},Résidential,1,yes\n".encode("latin-1")
    content = HEADER.encode() + good_row + latin_row
    response = upload(api, content)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert "UTF-8" in error["message"] and "row 3" in error["message"]
    assert [problem["row"] for problem in error["problems"]] == [3]
    assert not VacancyReport.objects.exists()


def test_a_row_longer_than_the_header_is_refused_naming_the_row_and_nothing_is_written(api):
    LocationFactory(cqc_location_id="1-555000001")
    api.as_role(Role.CONTRACT_OFFICER)
    day = timezone.localdate().isoformat()
    content = HEADER + f"1-555000001,{day},nursing,2,yes\n1-555000001,{day},residential,1,yes,extra,more\n"
    response = upload(api, content.encode())
    assert response.status_code == 400, response.content
    problems = response.json()["error"]["problems"]
    assert [problem["row"] for problem in problems] == [3]
    assert "7 values" in problems[0]["message"] and "5 columns" in problems[0]["message"]
    assert not VacancyReport.objects.exists()


def test_a_report_without_accepting_admissions_is_recorded_as_accepting(api):
    home = LocationFactory(registered_beds=20)
    api.as_role(Role.CONTRACT_OFFICER)
    response = api.post(
        "/api/v1/vacancy-reports/",
        {"location": home.pk, "report_date": str(timezone.localdate()), "care_type": "nursing", "vacant_beds": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["accepting_admissions"] is True
    assert VacancyReport.objects.get(location=home).accepting_admissions is True


def test_a_file_reporting_more_vacant_beds_than_the_home_has_is_refused_as_a_single_report_is(api):
    home = LocationFactory(cqc_location_id="1-555000002", registered_beds=60)
    api.as_role(Role.CONTRACT_OFFICER)
    day = timezone.localdate().isoformat()
    single = api.post(
        "/api/v1/vacancy-reports/",
        {"location": home.pk, "report_date": day, "care_type": "nursing", "vacant_beds": 999},
        format="json",
    )
    assert single.status_code == 400, single.content
    response = upload(
        api, (HEADER + f"1-555000002,{day},nursing,2,yes\n1-555000002,{day},residential,999,yes\n").encode()
    )
    assert response.status_code == 400, response.content
    problems = response.json()["error"]["problems"]
    assert [(problem["row"], problem["field"]) for problem in problems] == [(3, "vacant_beds")]
    assert problems[0]["message"] == single.json()["error"]["message"] == "The home has only 60 registered beds."
    assert not VacancyReport.objects.exists()


def test_an_imported_report_has_the_same_history_as_a_single_one(api):
    home = LocationFactory(cqc_location_id="1-555000003", registered_beds=60)
    officer = api.as_role(Role.CONTRACT_OFFICER)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    api.post(
        "/api/v1/vacancy-reports/",
        {"location": home.pk, "report_date": str(yesterday), "care_type": "nursing", "vacant_beds": 3},
        format="json",
    )
    assert upload(api, (HEADER + f"1-555000003,{today},nursing,2,yes\n").encode()).status_code == 201
    assert upload(api, (HEADER + f"1-555000003,{today},nursing,1,no\n").encode()).status_code == 201

    def history(day):
        rows = VacancyReport.history.filter(location=home, report_date=day).order_by("history_id")
        return [(row.history_type, row.vacant_beds, row.history_user_id) for row in rows]

    assert history(yesterday) == [("+", 3, officer.pk)]
    assert history(today) == [("+", 2, officer.pk), ("~", 1, officer.pk)]
