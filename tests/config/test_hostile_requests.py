"""Requests built to break the parser rather than the rules: bodies nested too deep, days at the ends of the
calendar, more fields than Django reads, bodies larger than it holds. Each is a 4xx in the one JSON error shape
(core.api), never a server error or an HTML page."""

import pytest

from accounts.roles import Role

pytestmark = pytest.mark.django_db


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_a_json_body_nested_deeper_than_the_parser_goes_is_refused(api, depth):
    api.as_role(Role.COMMISSIONER)
    body = '{"locality": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/api/v1/market/demand/", body, content_type="application/json")
    error = error_of(response, 400)
    assert error["code"] == "parse_error" and "nested" in error["message"]


def test_a_json_body_nested_as_deep_as_a_boundary_file_is_still_read(api):
    api.as_role(Role.COMMISSIONER)
    body = '{"locality": ' + "[" * 10 + "]" * 10 + "}"
    response = api.post("/api/v1/market/demand/", body, content_type="application/json")
    assert "locality" in error_of(response, 400)["fields"]  # read, then refused on its field


@pytest.mark.parametrize("url", ["/api/v1/voids/", "/api/v1/voids/export/csv/"])
def test_a_void_report_from_year_1_to_9999_is_refused_naming_both_days(api, url):
    api.as_role(Role.COMMISSIONER)
    response = api.get(url, {"from": "0001-01-01", "to": "9999-12-31"})
    assert set(error_of(response, 400)["fields"]) == {"from", "to"}


def test_more_query_parameters_than_django_reads_are_refused_in_the_error_shape(api, settings):
    api.as_role(Role.COMMISSIONER)
    query = "&".join(f"p{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    error = error_of(api.get(f"/api/v1/contracts/?{query}"), 400)
    assert "fields" in error["message"]


def test_more_form_fields_than_django_reads_are_refused_in_the_error_shape(api, settings):
    api.as_role(Role.COMMISSIONER)
    body = {f"p{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    # An upload is the one body the API reads as a form.
    error = error_of(api.post("/api/v1/market/demand/import/", body, format="multipart"), 400)
    assert "fields" in error["message"]


def test_a_form_larger_than_django_holds_in_memory_is_refused_as_too_large(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api.as_role(Role.COMMISSIONER)
    response = api.post("/api/v1/market/demand/import/", {"notes": "x" * 20_000}, format="multipart")
    assert error_of(response, 413)["code"] == "too_large"


def test_a_host_the_service_does_not_serve_is_refused_in_the_error_shape_on_api_paths(api):
    api.as_role(Role.COMMISSIONER)
    error = error_of(api.get("/api/v1/contracts/", HTTP_HOST="attacker.example"), 400)
    assert error["code"] == "bad_request"
    page = api.get("/beds/", HTTP_HOST="attacker.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
