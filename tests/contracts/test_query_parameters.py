"""Contracts reads refuse parameters they cannot read, exports follow their list, and the schema says so."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from contracts.models import ContractStatus
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, PostcodeFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
PERIOD = {"from": "2026-01-01", "to": "2026-01-31"}


def fields(response) -> set[str]:
    assert response.status_code == 400, response.content[:300]
    return set(response.json()["error"]["fields"])


def test_placements_by_an_empty_reference_are_refused_and_an_exact_reference_finds_the_person(api):
    line = make_line(beds=3)
    mine = place(line, reference="BRK-2026-0042")
    place(line, reference="BRK-2026-0043")
    api.as_role(Role.BROKER)
    assert fields(api.get("/api/v1/placements/", {"reference": ""})) == {"reference"}
    found = api.get("/api/v1/placements/", {"reference": "brk-2026-0042"}).json()
    assert [row["id"] for row in found["results"]] == [mine.pk]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contracts/",
        "/api/v1/contracts/export/csv/",
        "/api/v1/bed-lines/",
        "/api/v1/placements/homecare-counts/",
    ],
)
@pytest.mark.parametrize("value", ["", "2026-02-30", "tomorrow"])
def test_a_bad_or_empty_on_date_is_refused_naming_on(api, url, value):
    make_line()
    api.as_role(Role.CONTRACT_OFFICER)
    assert fields(api.get(url, {"on": value})) == {"on"}


def test_on_a_bed_line_detail_is_checked_too(api):
    line = make_line()
    api.as_role(Role.CONTRACT_OFFICER)
    assert fields(api.get(f"/api/v1/bed-lines/{line.pk}/", {"on": "31/01/2026"})) == {"on"}
    assert api.get(f"/api/v1/bed-lines/{line.pk}/", {"on": "2026-01-31"}).json()["contracted_beds"] == 2


def test_homecare_counts_refuse_parameters_they_do_not_understand(api):
    api.as_role(Role.COMMISSIONER)
    assert fields(api.get("/api/v1/placements/homecare-counts/", {"date": "2026-01-01"})) == {"date"}
    assert api.get("/api/v1/placements/homecare-counts/", {"on": "2026-01-01"}).status_code == 200


@pytest.fixture
def fenland():
    PostcodeFactory()
    return LocalityFactory(code="E07000010", name="Fenland")


@pytest.mark.parametrize("radius", ["-5", "10", "0"])
def test_a_radius_with_a_district_is_refused_because_a_district_search_has_no_centre(api, fenland, radius):
    api.as_role(Role.BROKER)
    query = {"care_type": "nursing", "district": "E07000010", "radius_km": radius}
    assert fields(api.get("/api/v1/beds/available/", query)) == {"radius_km"}
    assert api.get("/api/v1/beds/available/", {"care_type": "nursing", "district": "e07000010"}).status_code == 200


def test_a_district_search_needs_a_district_not_a_ward(api, fenland):
    LocalityFactory(code="E05002000", name="A ward", kind="ward")
    api.as_role(Role.BROKER)
    query = {"care_type": "nursing", "district": "E05002000"}
    assert fields(api.get("/api/v1/beds/available/", query)) == {"district"}


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/beds/available/", {"care_type": "nursing", "postcode": "CB6 1AA", "radius": "5"}),
        ("/api/v1/voids/", {**PERIOD, "grouping": "district"}),
        ("/api/v1/voids/export/csv/", {**PERIOD, "page": "2"}),
        ("/api/v1/contracts/export/csv/", {"page": "1"}),
        ("/api/v1/contracts/export/xlsx/", {"state": "live"}),
        ("/api/v1/vacancy-reports/status/", {"stale": "true"}),
    ],
)
def test_parameters_a_read_does_not_understand_are_refused_naming_them(api, url, query):
    PostcodeFactory()
    api.as_role(Role.COMMISSIONER)
    known = {"care_type", "postcode", "from", "to"}
    assert fields(api.get(url, query)) == set(query) - known


def test_vacancy_reports_refuse_a_flag_that_is_not_true_or_false(api):
    api.as_role(Role.CONTRACT_OFFICER)
    assert fields(api.get("/api/v1/vacancy-reports/", {"accepting_admissions": "banana"})) == {"accepting_admissions"}


def test_contract_filters_refuse_an_unknown_status_or_a_provider_that_is_not_an_id(api):
    api.as_role(Role.CONTRACT_OFFICER)
    assert fields(api.get("/api/v1/contracts/", {"status": "finished"})) == {"status"}
    assert fields(api.get("/api/v1/contracts/", {"provider": "1.5"})) == {"provider"}


def register_references(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    if response["Content-Type"].startswith("text/csv"):
        return [row["Reference"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [row[0].value for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_export_follows_the_lists_filters_search_and_ordering(api, fmt):
    live = make_contract(reference="CCC-LIVE-0002", start_date=date(2021, 1, 18))
    older = make_contract(reference="CCC-LIVE-0001", start_date=date(2022, 1, 18))
    make_contract(reference="CCC-DRAFT-0001", status=ContractStatus.DRAFT)
    api.as_role(Role.COMMISSIONER)
    url = f"/api/v1/contracts/export/{fmt}/"

    assert register_references(api.get(url, {"status": "live"})) == [older.reference, live.reference]
    assert register_references(api.get(url, {"status": "live", "ordering": "start_date"})) == [
        live.reference,
        older.reference,
    ]
    assert register_references(api.get(url, {"search": "DRAFT"})) == ["CCC-DRAFT-0001"]
    listed = api.get("/api/v1/contracts/", {"status": "live,draft", "ordering": "-start_date"}).json()["results"]
    exported = register_references(api.get(url, {"status": "live,draft", "ordering": "-start_date"}))
    assert exported == [row["reference"] for row in listed]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", ["/api/v1/contracts/export/{fmt}/", "/api/v1/voids/export/{fmt}/"])
def test_an_export_answers_a_client_that_asks_for_its_file_type(api, url, fmt):
    from core.exports import CONTENT_TYPES

    make_line()
    api.as_role(Role.COMMISSIONER)
    accept = CONTENT_TYPES[fmt].split(";")[0]
    query = PERIOD if url.startswith("/api/v1/voids/") else {}
    response = api.get(url.format(fmt=fmt), query, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    refused = api.get(url.format(fmt=fmt), {**query, "bogus": "1"}, HTTP_ACCEPT=accept)
    assert refused.status_code == 400 and "bogus" in refused.json()["error"]["fields"]


def test_the_void_report_export_follows_the_reports_filters(api):
    cambridge = LocalityFactory(code="E07000008", name="Cambridge")
    kept = make_line(beds=2, district=cambridge)
    make_line(beds=3)
    make_line(beds=1, care_type="residential", district=cambridge)
    api.as_role(Role.COMMISSIONER)
    query = {**PERIOD, "group_by": "line", "district": "E07000008", "care_type": "nursing"}
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/voids/export/csv/", query).content.decode())))
    [listed] = api.get("/api/v1/voids/", query).json()["results"]
    assert [row["Key"] for row in rows] == [listed["label"]]
    assert listed["key"] == str(kept.pk)


def test_the_void_report_pages_in_order_of_void_cost_and_every_page_agrees_with_the_whole_report(api):
    lines = [make_line(beds=1 + step % 3, weekly_rate=Decimal(700 + 10 * step)) for step in range(7)]
    for step, line in enumerate(lines[:4]):
        place(line, start=date(2026, 1, 1) + timedelta(days=step * 5))
    api.as_role(Role.COMMISSIONER)
    query = {**PERIOD, "group_by": "line", "page_size": 3}
    pages = [api.get("/api/v1/voids/", {**query, "page": page}).json() for page in (1, 2, 3)]
    assert [page["count"] for page in pages] == [7, 7, 7]
    paged = [row for page in pages for row in page["results"]]
    whole = api.get("/api/v1/voids/", {**PERIOD, "group_by": "line"}).json()["results"]
    assert paged == whole and len(whole) == 7
    costs = [Decimal(row["void_cost"]) for row in whole]
    assert costs == sorted(costs, reverse=True)


def test_a_page_past_the_end_of_the_void_report_is_not_found(api):
    make_line()
    api.as_role(Role.COMMISSIONER)
    assert api.get("/api/v1/voids/", {**PERIOD, "page": 2}).status_code == 404


@pytest.fixture
def schema(api):
    api.as_role(Role.COMMISSIONER)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def documented(schema, path: str) -> set[str]:
    return {parameter["name"] for parameter in schema["paths"][path]["get"].get("parameters", [])}


LIST = {"page", "page_size"}
CONTRACT_FILTERS = {"provider", "kind", "service", "status", "commissioning_partner", "search", "ordering", "on"}
VOID_PARAMETERS = {"from", "to", "group_by", "contract", "district", "care_type"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/contracts/", CONTRACT_FILTERS | LIST),
        ("/api/v1/contracts/{id}/", {"id", "on"}),
        ("/api/v1/contracts/export/{fmt}/", CONTRACT_FILTERS | {"fmt"}),
        (
            "/api/v1/bed-lines/",
            {"contract", "location", "care_type", "location__district", "district", "search", "ordering", "on"} | LIST,
        ),
        (
            "/api/v1/placements/",
            {"reference", "kind", "service", "bed_line", "location", "provider", "care_type", "source", "search"}
            | {"ordering"}
            | LIST,
        ),
        ("/api/v1/placements/homecare-counts/", {"on"}),
        ("/api/v1/rate-changes/", {"bed_line", "bed_line__contract", "reason", "effective_from", "ordering"} | LIST),
        ("/api/v1/holds/", {"bed_line", "status", "search", "ordering"} | LIST),
        ("/api/v1/closures/", {"bed_line", "bed_line__location", "bed_line__contract", "ordering"} | LIST),
        (
            "/api/v1/vacancy-reports/",
            {"location", "care_type", "report_date", "accepting_admissions", "ordering"} | LIST,
        ),
        ("/api/v1/vacancy-reports/status/", LIST),
        ("/api/v1/voids/", VOID_PARAMETERS | LIST),
        ("/api/v1/voids/export/{fmt}/", VOID_PARAMETERS | {"fmt"}),
        (
            "/api/v1/beds/available/",
            {"care_type", "postcode", "radius_km", "district", "from", "include_restricted", "include_spot", "limit"},
        ),
    ],
)
def test_the_schema_documents_every_parameter_each_contracts_read_accepts(schema, path, expected):
    assert documented(schema, path) == expected


@pytest.mark.parametrize("path", ["/api/v1/contracts/export/{fmt}/", "/api/v1/voids/export/{fmt}/"])
def test_the_schema_describes_exports_as_csv_and_xlsx_files(schema, path):
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    assert set(content) == {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_the_schema_describes_the_void_report_dates_as_required_dates(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/voids/"]["get"]["parameters"]}
    assert parameters["from"]["required"] and parameters["to"]["required"]
    assert parameters["from"]["schema"]["format"] == "date"


@pytest.mark.parametrize(
    "url", ["/api/v1/contracts/export/csv/?status=live", "/api/v1/voids/export/xlsx/?from=2026-01-01&to=2026-01-31"]
)
def test_an_export_takes_the_same_number_of_queries_for_1_and_30_rows(api, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.as_role(Role.COMMISSIONER)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    place(make_line())
    api.get(url)  # loads the user's roles once
    one = queries()
    for _ in range(29):
        place(make_line())
    assert queries() == one


def test_homes_in_no_district_are_one_group_of_the_report_by_district_with_a_null_key(api, schema):
    make_line(beds=2)  # a home with no district
    make_line(beds=1, district=LocalityFactory(code="E07000008", name="Cambridge"))
    body = api.get("/api/v1/voids/", {**PERIOD, "group_by": "district"}).json()
    assert {(row["key"], row["label"]) for row in body["results"]} == {(None, "(none)"), ("E07000008", "Cambridge")}
    assert schema["components"]["schemas"]["VoidFigures"]["properties"]["key"].get("nullable") is True


def test_bed_lines_in_a_district_no_locality_has_are_refused_not_an_empty_list(api, fenland):
    make_line(beds=2)
    api.as_role(Role.BROKER)
    assert fields(api.get("/api/v1/bed-lines/", {"district": "E99999999"})) == {"district"}
    assert api.get("/api/v1/bed-lines/", {"district": fenland.code.lower()}).status_code == 200


@pytest.mark.parametrize("word", ["on", "t", "y"])
def test_yes_no_parameters_take_the_same_words_everywhere(api, fenland, word):
    api.as_role(Role.BROKER)
    query = {"care_type": "nursing", "district": fenland.code, "include_spot": word}
    assert fields(api.get("/api/v1/beds/available/", query)) == {"include_spot"}
    assert fields(api.get("/api/v1/vacancy-reports/", {"accepting_admissions": word})) == {"accepting_admissions"}
