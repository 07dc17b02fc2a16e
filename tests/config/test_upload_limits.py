"""Uploads larger than UPLOAD_MAX_MB are refused with a 413 before anything is read; files within it are read
line by line from where Django spooled them."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from contracts.models import VacancyReport
from market.models import Demand
from tests.factories import LocalityFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HEADER = "location,date,care_type,vacant_beds,accepting_admissions\n"
LIMIT = 64 * 1024


def vacancy_csv(rows: int) -> bytes:
    lines = [f"1-555000001,{TODAY - timedelta(days=n)},nursing,{n % 3},yes\n" for n in range(rows)]
    return (HEADER + "".join(lines)).encode()


@pytest.fixture
def limit(settings):
    settings.UPLOAD_MAX_BYTES = LIMIT
    return LIMIT


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/api/v1/vacancy-reports/upload/", Role.CONTRACT_OFFICER),
        ("/api/v1/market/demand/import/", Role.COMMISSIONER),
        ("/api/v1/market/pending-arrangements/import/", Role.COMMISSIONER),
        ("/api/v1/geo/boundary-imports/", Role.ADMINISTRATOR),
    ],
)
def test_an_upload_over_the_limit_is_refused_with_413_in_the_error_shape(api, limit, url, role):
    LocationFactory(cqc_location_id="1-555000001", registered_beds=60)
    api.as_role(role)
    content = vacancy_csv(2 * LIMIT // 40)
    assert len(content) > limit
    response = api.post(url, {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 413, response.content[:300]
    error = response.json()["error"]
    assert error["status"] == 413 and error["code"] == "too_large"
    assert "at most 64 KB" in error["message"] and "UPLOAD_MAX_MB" in error["message"]
    assert not VacancyReport.objects.exists() and not Demand.objects.exists()


def test_a_page_upload_over_the_limit_answers_a_page_saying_so(limit):
    LocationFactory(cqc_location_id="1-555000001", registered_beds=60)
    client = Client()
    client.force_login(UserFactory(roles=[Role.CONTRACT_OFFICER]))
    response = client.post("/portal/vacancies/", {"upload-file": io.BytesIO(vacancy_csv(2 * LIMIT // 40))})
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert not VacancyReport.objects.exists()


def test_a_file_within_the_limit_spooled_to_disk_is_imported_whole(api, limit, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so Django keeps the upload in a temporary file
    settings.VACANCY_REPORT_MAX_AGE_DAYS = LIMIT  # a report a day going back far enough to fill the file
    LocationFactory(cqc_location_id="1-555000001", registered_beds=60)
    api.as_role(Role.CONTRACT_OFFICER)
    content = b"\xef\xbb\xbf" + vacancy_csv(LIMIT // 60)  # with the byte order mark Excel writes
    assert 1024 < len(content) < limit
    response = api.post("/api/v1/vacancy-reports/upload/", {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["imported"] == LIMIT // 60 == VacancyReport.objects.count()


def test_a_demand_file_with_old_mac_line_endings_is_read_row_by_row(api):
    district = LocalityFactory(code="E07000009", kind="district")
    api.as_role(Role.COMMISSIONER)
    start, end = TODAY, TODAY + timedelta(days=90)
    content = (
        f"locality,care_type,period_start,period_end,quantity\r"
        f"{district.code},nursing,{start},{end},4\r"
        f"{district.code},residential,{start},{end},2\r"
    ).encode()
    response = api.post("/api/v1/market/demand/import/", {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 201, response.content[:300]
    assert Demand.objects.count() == 2


def demand_csv(district, rows: int) -> bytes:
    """Need for `rows` quarters in a row (periods of one kind that overlap are refused)."""
    lines = [
        f"{district.code},nursing,{TODAY + timedelta(days=91 * n)},{TODAY + timedelta(days=91 * n + 90)},4\n"
        for n in range(rows)
    ]
    return ("locality,care_type,period_start,period_end,quantity\n" + "".join(lines)).encode()


@pytest.fixture
def read_only_in_chunks(monkeypatch, settings):
    """Uploads spooled to disk (as every one past FILE_UPLOAD_MAX_MEMORY_SIZE is) that fail the request if anything
    reads them whole (`.read()` with no size)."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0

    def read(self, size=-1):
        assert size is not None and size >= 0, "the upload was read whole"
        return self.file.read(size)

    monkeypatch.setattr(TemporaryUploadedFile, "read", read)


def test_a_demand_file_uploaded_on_its_page_is_read_in_chunks_not_whole(read_only_in_chunks):
    district = LocalityFactory(code="E07000009", kind="district")
    client = Client()
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    answer = client.post("/demand/import/", {"file": SimpleUploadedFile("need.csv", demand_csv(district, 3))})
    assert answer.status_code == 302, answer.content.decode()[:500]
    assert Demand.objects.count() == 3


@pytest.mark.parametrize(
    ("url", "role"),
    [("/api/v1/vacancy-reports/upload/", Role.CONTRACT_OFFICER), ("/api/v1/market/demand/import/", Role.COMMISSIONER)],
)
def test_an_api_upload_is_read_in_chunks_not_whole(api, read_only_in_chunks, settings, url, role):
    settings.VACANCY_REPORT_MAX_AGE_DAYS = 3  # the file's reports go back a day each
    LocationFactory(cqc_location_id="1-555000001", registered_beds=60)
    district = LocalityFactory(code="E07000009", kind="district")
    api.as_role(role)
    content = vacancy_csv(3) if "vacancy" in url else demand_csv(district, 3)
    response = api.post(url, {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["imported"] == 3


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/api/v1/vacancy-reports/upload/", Role.CONTRACT_OFFICER),
        ("/api/v1/market/demand/import/", Role.COMMISSIONER),
        ("/api/v1/market/pending-arrangements/import/", Role.COMMISSIONER),
    ],
)
def test_a_file_of_more_lines_than_the_limit_is_refused_naming_it_and_nothing_is_imported(api, settings, url, role):
    settings.IMPORT_MAX_ROWS = 5
    LocationFactory(cqc_location_id="1-555000001", registered_beds=60)
    api.as_role(role)
    response = api.post(url, {"file": io.BytesIO(vacancy_csv(10))}, format="multipart")
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert "more than 5 lines" in error["message"] and "IMPORT_MAX_ROWS" in error["message"]
    assert error["problems"] == [{"row": 6, "field": None, "message": "More than 5 lines."}]
    assert not VacancyReport.objects.exists() and not Demand.objects.exists()
