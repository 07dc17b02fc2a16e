import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from contracts.models import Contract, Hold, Placement, VacancyReport
from contracts.services import closure_create, hold_place, rate_change_create, vacancy_report_record
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocationFactory, PostcodeFactory, ProviderMembershipFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
TODAY = date(2026, 12, 7)  # the pinned day


def estate(beds=3):
    """One provider's block contract with a line, a placement, a hold, a closure, a rate change and a report."""
    line = make_line(beds=beds, activation_date=date(2026, 1, 1))
    place(line, start=date(2026, 1, 1))
    hold_place(bed_line=line, reference="BRK-2026-7777", start_date=date(2026, 1, 5))
    closure_create(bed_line=line, beds=1, start_date=date(2026, 2, 1), end_date=date(2026, 2, 28), reason="Outbreak")
    rate_change_create(bed_line=line, effective_from=date(2026, 4, 1), weekly_rate=Decimal("720"))
    vacancy_report_record(
        location=line.location, report_date=TODAY, care_type="nursing", vacant_beds=1, accepting_admissions=True
    )
    return line


LISTS = [
    "/api/v1/contracts/",
    "/api/v1/bed-lines/",
    "/api/v1/rate-changes/",
    "/api/v1/placements/",
    "/api/v1/holds/",
    "/api/v1/closures/",
    "/api/v1/vacancy-reports/",
    "/api/v1/vacancy-reports/status/",
]


# For each list: the field naming what a row belongs to, and that value for a given bed line.
SCOPE_KEYS = {
    "/api/v1/contracts/": ("id", lambda line: line.contract_id),
    "/api/v1/bed-lines/": ("id", lambda line: line.pk),
    "/api/v1/rate-changes/": ("bed_line", lambda line: line.pk),
    "/api/v1/placements/": ("bed_line", lambda line: line.pk),
    "/api/v1/holds/": ("bed_line", lambda line: line.pk),
    "/api/v1/closures/": ("bed_line", lambda line: line.pk),
    "/api/v1/vacancy-reports/": ("location", lambda line: line.location_id),
    "/api/v1/vacancy-reports/status/": ("location_id", lambda line: line.location_id),
}


@pytest.mark.parametrize("url", LISTS)
def test_provider_users_see_only_their_own_providers_rows(api, url):
    mine, theirs = estate(), estate()
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=mine.location.provider)
    response = api.get(url)
    assert response.status_code == 200
    key, value_of = SCOPE_KEYS[url]
    assert {row[key] for row in response.json()["results"]} == {value_of(mine)}
    api.as_role(Role.COMPLIANCE_OFFICER)
    everyone = {row[key] for row in api.get(url).json()["results"]}
    assert everyone == {value_of(mine), value_of(theirs)}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contracts/{contract}/",
        "/api/v1/bed-lines/{line}/",
        "/api/v1/placements/{placement}/",
        "/api/v1/holds/{hold}/",
        "/api/v1/closures/{closure}/",
        "/api/v1/rate-changes/{rate}/",
        "/api/v1/vacancy-reports/{report}/",
    ],
)
def test_provider_users_get_not_found_for_other_providers_records(api, url):
    theirs = estate()
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=estate().location.provider)
    ids = {
        "contract": theirs.contract_id,
        "line": theirs.pk,
        "placement": theirs.placements.get().pk,
        "hold": theirs.holds.get().pk,
        "closure": theirs.closures.get().pk,
        "rate": theirs.rate_changes.first().pk,
        "report": theirs.location.vacancy_reports.get().pk,
    }
    assert api.get(url.format(**ids)).status_code == 404


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/voids/?from=2026-01-01&to=2026-01-31"])
def test_anonymous_callers_are_refused(api, url):
    assert api.get(url).status_code in (401, 403)


def contract_payload(provider, **extra):
    return {
        "reference": f"CCC-{provider.pk}-{len(extra)}",
        "provider": provider.pk,
        "kind": "block",
        "start_date": "2021-01-18",
        "status": "live",
        "uplift_nlw_weight": "0.5",
        "uplift_cpi_weight": "0.5",
        "uplift_cap_percent": "3.00",
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.CONTRACT_OFFICER, 201),
        (Role.COMMISSIONER, 201),
        (Role.BROKER, 403),
        (Role.COMPLIANCE_OFFICER, 403),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_only_contract_officers_and_commissioners_edit_contracts_and_prices(api, role, expected):
    line = estate()
    api.as_role(role)
    created = api.post("/api/v1/contracts/", contract_payload(line.location.provider))
    assert created.status_code == expected
    changed = api.patch(f"/api/v1/contracts/{line.contract_id}/", {"notes": "Renewed"})
    assert changed.status_code == (200 if expected == 201 else 403)
    rate = api.post(
        "/api/v1/rate-changes/",
        {"bed_line": line.pk, "effective_from": "2027-04-01", "weekly_rate": "750.00", "reason": "negotiated"},
    )
    assert rate.status_code == expected
    uplift = api.post(
        "/api/v1/rate-changes/uplift/", {"effective_from": "2027-04-01", "nlw_percent": "4", "cpi_percent": "2"}
    )
    assert uplift.status_code == (200 if expected == 201 else 403)
    new_line = api.post(
        "/api/v1/bed-lines/",
        {
            "contract": line.contract_id,
            "location": line.location_id,
            "care_type": "residential",
            "beds": 1,
            "activation_date": "2026-06-01",
            "weekly_rate": "650.00",
        },
    )
    assert new_line.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.BROKER, 201),
        (Role.CONTRACT_OFFICER, 403),
        (Role.COMMISSIONER, 403),
        (Role.COMPLIANCE_OFFICER, 403),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_brokers_place_holds(api, role, expected):
    line = make_line(beds=2)
    api.as_role(role)
    response = api.post(
        "/api/v1/holds/", {"bed_line": line.pk, "reference": "BRK-2026-0100", "start_date": "2026-03-01"}
    )
    assert response.status_code == expected
    assert Hold.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.BROKER, 201),
        (Role.CONTRACT_OFFICER, 201),
        (Role.COMMISSIONER, 403),
        (Role.COMPLIANCE_OFFICER, 403),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_brokers_and_contract_officers_create_placements(api, role, expected):
    line = make_line(beds=2)
    api.as_role(role)
    response = api.post(
        "/api/v1/placements/",
        {
            "bed_line": line.pk,
            "reference": "BRK-2026-0101",
            "kind": "block",
            "start_date": "2026-03-01",
            "source": "hospital_discharge",
        },
    )
    assert response.status_code == expected


def test_broker_holds_converts_and_ends_a_placement_over_the_api(api):
    line = make_line(beds=1)
    api.as_role(Role.BROKER)
    hold = api.post("/api/v1/holds/", {"bed_line": line.pk, "reference": "BRK-2026-0200", "start_date": "2026-03-01"})
    assert hold.status_code == 201 and hold.json()["active"] is True
    taken = api.post(
        "/api/v1/placements/",
        {"bed_line": line.pk, "reference": "BRK-2026-0201", "kind": "block", "start_date": "2026-03-01"},
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "no_void_bed"
    placement = api.post(f"/api/v1/holds/{hold.json()['id']}/convert/", {"source": "hospital_discharge"})
    assert placement.status_code == 201
    ended = api.post(f"/api/v1/placements/{placement.json()['id']}/end/", {"end_date": "2026-04-30"})
    assert ended.status_code == 200 and ended.json()["end_date"] == "2026-04-30"
    assert Placement.objects.get().history.count() == 2
    released = api.post(f"/api/v1/holds/{hold.json()['id']}/release/")
    assert released.status_code == 409


def test_a_placement_cannot_use_another_brokers_hold_on_the_last_bed(api):
    line = make_line(beds=1)
    api.as_role(Role.BROKER)
    hold = api.post("/api/v1/holds/", {"bed_line": line.pk, "reference": "BRK-2026-0210", "start_date": "2026-03-01"})
    api.as_role(Role.BROKER)
    taken = api.post(
        "/api/v1/placements/",
        {
            "bed_line": line.pk,
            "reference": "BRK-2026-0211",
            "kind": "block",
            "start_date": "2026-03-01",
            "hold": hold.json()["id"],
        },
    )
    assert taken.status_code == 409
    assert not Placement.objects.exists()
    assert Hold.objects.get(pk=hold.json()["id"]).is_active()


def test_personal_data_in_a_reference_is_refused_over_the_api(api):
    line = make_line(beds=1)
    api.as_role(Role.BROKER)
    response = api.post(
        "/api/v1/placements/",
        {"bed_line": line.pk, "reference": "943 476 5919", "kind": "block", "start_date": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "reference" in response.json()["error"]["fields"]


def test_provider_users_report_closures_and_vacancies_only_for_their_own_homes(api):
    mine, theirs = make_line(beds=2), make_line(beds=2)
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=mine.location.provider)
    closure = {"start_date": "2026-05-01", "end_date": "2026-05-28", "reason": "Outbreak"}
    assert api.post("/api/v1/closures/", {"bed_line": mine.pk, **closure}).status_code == 201
    assert api.post("/api/v1/closures/", {"bed_line": theirs.pk, **closure}).status_code == 403
    report = {"report_date": str(TODAY), "care_type": "nursing", "vacant_beds": 2, "accepting_admissions": True}
    assert api.post("/api/v1/vacancy-reports/", {"location": mine.location_id, **report}).status_code == 201
    assert api.post("/api/v1/vacancy-reports/", {"location": theirs.location_id, **report}).status_code == 403
    assert api.post("/api/v1/contracts/", contract_payload(mine.location.provider)).status_code == 403


def test_writes_are_validated_by_the_services(api):
    line = make_line(beds=2, registered_beds=3)
    api.as_role(Role.CONTRACT_OFFICER)
    backwards = api.post("/api/v1/contracts/", contract_payload(line.location.provider, end_date="2020-01-01"))
    assert backwards.status_code == 400 and "end_date" in backwards.json()["error"]["fields"]
    too_many = api.post(
        "/api/v1/bed-lines/",
        {
            "contract": line.contract_id,
            "location": line.location_id,
            "care_type": "residential",
            "beds": 2,
            "activation_date": "2026-06-01",
            "weekly_rate": "650.00",
        },
    )
    assert too_many.status_code == 400 and "beds" in too_many.json()["error"]["fields"]
    closure = api.post(
        "/api/v1/closures/",
        {"bed_line": line.pk, "start_date": "2026-05-28", "end_date": "2026-05-01", "reason": "Outbreak"},
    )
    assert closure.status_code == 400 and "end_date" in closure.json()["error"]["fields"]
    duplicate = api.post(
        "/api/v1/contracts/", contract_payload(line.location.provider, reference=line.contract.reference)
    )
    assert duplicate.status_code == 409


def test_a_contract_with_bed_lines_keeps_its_provider_and_kind(api):
    line = make_line()
    other = make_line()
    api.as_role(Role.CONTRACT_OFFICER)
    moved = api.patch(f"/api/v1/contracts/{line.contract_id}/", {"provider": other.location.provider_id})
    assert moved.status_code == 400 and "provider" in moved.json()["error"]["fields"]
    spot = api.patch(f"/api/v1/contracts/{line.contract_id}/", {"kind": "spot"})
    assert spot.status_code == 400 and "kind" in spot.json()["error"]["fields"]


def test_contract_edits_keep_an_audit_history(api):
    line = make_line()
    user = api.as_role(Role.CONTRACT_OFFICER)
    assert api.patch(f"/api/v1/contracts/{line.contract_id}/", {"status": "ending"}).status_code == 200
    contract = Contract.objects.get(pk=line.contract_id)
    latest = contract.history.first()
    assert (latest.status, latest.history_user) == ("ending", user)
    assert contract.history.count() == 2


FACTORIES = {
    "/api/v1/contracts/": lambda: make_line(),
    "/api/v1/bed-lines/": lambda: make_line(),
    "/api/v1/rate-changes/": lambda: make_line(),
    "/api/v1/placements/": lambda: place(make_line()),
    "/api/v1/holds/": lambda: hold_place(bed_line=make_line(), reference="BRK-2026-3000", start_date=date(2026, 2, 1)),
    "/api/v1/closures/": lambda: closure_create(
        bed_line=make_line(), start_date=date(2026, 2, 1), end_date=date(2026, 2, 2), reason="Repairs"
    ),
    "/api/v1/vacancy-reports/": lambda: vacancy_report_record(
        location=LocationFactory(), report_date=TODAY, care_type="nursing", vacant_beds=1, accepting_admissions=True
    ),
    "/api/v1/vacancy-reports/status/": lambda: LocationFactory(),
    "/api/v1/voids/?from=2026-01-01&to=2026-03-31&group_by=line": lambda: place(make_line()),
}


@pytest.mark.parametrize("url", list(FACTORIES))
def test_list_query_count_does_not_grow_with_rows(api, url):
    api.as_role(Role.CONTRACT_OFFICER)
    make = FACTORIES[url]
    make()
    api.get(url)  # loads the user's roles once

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, {"page_size": 100} if "?" not in url else None)
        assert response.status_code == 200
        return len(queries)

    one = count()
    for _ in range(49):
        make()
    assert count() == one


def test_contracts_register_exports_as_csv_and_xlsx(api):
    line = make_line(beds=4)
    make_line(contract=line.contract, location=line.location, beds=2, care_type="residential")
    api.as_role(Role.COMMISSIONER)
    response = api.get("/api/v1/contracts/export/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    [row] = rows
    assert row["Reference"] == line.contract.reference
    assert row["Active block beds"] == "6" and row["Bed lines"] == "2"
    assert row["Uplift cap %"] == "3.00" and row["Break clause date"] == str(line.contract.break_clause_date)

    sheet = load_workbook(io.BytesIO(api.get("/api/v1/contracts/export/xlsx/").content)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Reference"] == line.contract.reference
    assert values["Active block beds"] == 6
    assert values["Start date"].date() == line.contract.start_date


def test_register_export_does_not_let_a_provider_name_run_as_a_spreadsheet_formula(api):
    from tests.factories import ProviderFactory

    make_contract(provider=ProviderFactory(name='=HYPERLINK("http://example.com","Click")'))
    api.as_role(Role.COMMISSIONER)
    [row] = list(csv.DictReader(io.StringIO(api.get("/api/v1/contracts/export/csv/").content.decode())))
    assert row["Provider"] == '\'=HYPERLINK("http://example.com","Click")'
    sheet = load_workbook(io.BytesIO(api.get("/api/v1/contracts/export/xlsx/").content)).active
    provider_cell = sheet.cell(row=2, column=2)
    assert provider_cell.data_type == "s"
    assert provider_cell.value.startswith("'=")


def test_void_report_exports_as_csv_and_xlsx(api):
    line = make_line(beds=2, weekly_rate=Decimal("700"))
    place(line, start=date(2026, 1, 1), end=date(2026, 1, 10))
    api.as_role(Role.COMMISSIONER)
    params = {"from": "2026-01-01", "to": "2026-01-31", "group_by": "contract"}
    [json_row] = api.get("/api/v1/voids/", params).json()["results"]
    assert json_row["void_bed_days"] == 62 - 10 and json_row["void_cost"] == "5200.00"
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/voids/export/csv/", params).content.decode())))
    assert [(r["Key"], r["Void bed-days"], r["Void cost (£)"]) for r in rows] == [
        (line.contract.reference, "52", "5200.00")
    ]
    sheet = load_workbook(io.BytesIO(api.get("/api/v1/voids/export/xlsx/", params).content)).active
    assert [cell.value for cell in sheet[2]][1:] == [line.contract.reference, 1, 62, 52, round(52 / 62, 4), 5200.0]
    bad = api.get("/api/v1/voids/", {"from": "2026-02-01", "to": "2026-01-01"})
    assert bad.status_code == 400 and "to" in bad.json()["error"]["fields"]
    assert api.get("/api/v1/voids/", {"to": "2026-01-01"}).json()["error"]["fields"].keys() == {"from"}
    assert api.get("/api/v1/voids/", {"from": "2026-01-01"}).json()["error"]["fields"].keys() == {"to"}
    assert api.get("/api/v1/voids/", {**params, "from": "1 Jan"}).json()["error"]["fields"].keys() == {"from"}
    wrong_group = api.get("/api/v1/voids/", {**params, "group_by": "ward"})
    assert wrong_group.status_code == 400 and "group_by" in wrong_group.json()["error"]["fields"]
    only_one = api.get("/api/v1/voids/", {**params, "group_by": "line", "contract": line.contract_id}).json()
    assert only_one["count"] == 1 and only_one["results"][0]["void_bed_days"] == 52


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"contract": "abc"}, "contract"),
        ({"contract": "999999"}, "contract"),
        ({"district": "E07999999"}, "district"),
        ({"care_type": "spa"}, "care_type"),
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/voids/", "/api/v1/voids/export/csv/"])
def test_void_report_refuses_an_unknown_contract_district_or_care_type_rather_than_answering_nothing(
    api, url, params, field
):
    make_line()
    api.as_role(Role.COMMISSIONER)
    response = api.get(url, {"from": "2026-01-01", "to": "2026-01-31", **params})
    assert response.status_code == 400
    assert response.json()["error"]["fields"].keys() == {field}


def upload(api, text):
    return api.post("/api/v1/vacancy-reports/upload/", {"file": io.BytesIO(text.encode())}, format="multipart")


def test_vacancy_csv_upload_checks_every_row_before_writing_any(api):
    mine = LocationFactory(cqc_location_id="1-555000001")
    other = LocationFactory(cqc_location_id="1-555000002")
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=mine.provider)
    day = TODAY.isoformat()
    bad = upload(
        api,
        "location,date,care_type,vacant_beds,accepting_admissions\n"
        f"1-555000001,{day},Nursing dementia,2,yes\n"
        f"1-555000002,{day},nursing,1,yes\n"
        f"1-555000001,2026-02-30,nursing,x,maybe\n",
    )
    assert bad.status_code == 400
    problems = {(p["row"], p["field"]) for p in bad.json()["error"]["problems"]}
    assert problems == {(3, "location"), (4, "date"), (4, "vacant_beds"), (4, "accepting_admissions")}
    assert VacancyReport.objects.count() == 0

    good = upload(
        api,
        f"location,date,care_type,vacant_beds,accepting_admissions\n1-555000001,{day},Nursing dementia,2,yes\n"
        f"1-555000001,{day},residential,0,no\n",
    )
    assert good.status_code == 201 and good.json() == {"imported": 2}
    again = upload(
        api, f"location,date,care_type,vacant_beds,accepting_admissions\n1-555000001,{day},nursing_dementia,1,yes\n"
    )
    assert again.status_code == 201
    assert VacancyReport.objects.get(care_type="nursing_dementia").vacant_beds == 1  # the same day's report replaced
    assert not VacancyReport.objects.filter(location=other).exists()


def test_each_home_shows_when_it_last_reported_and_stale_reports_are_marked(api, settings):
    settings.VACANCY_REPORT_STALE_DAYS = 7
    fresh, stale, never = LocationFactory(), LocationFactory(), LocationFactory()
    vacancy_report_record(
        location=fresh,
        report_date=TODAY - timedelta(days=2),
        today=TODAY - timedelta(days=2),
        care_type="nursing",
        vacant_beds=0,
        accepting_admissions=True,
    )
    vacancy_report_record(
        location=stale,
        report_date=TODAY - timedelta(days=8),
        today=TODAY - timedelta(days=8),
        care_type="nursing",
        vacant_beds=0,
        accepting_admissions=True,
    )
    api.as_role(Role.BROKER)
    rows = {row["location_id"]: row for row in api.get("/api/v1/vacancy-reports/status/").json()["results"]}
    assert rows[fresh.pk]["stale"] is False and rows[fresh.pk]["last_reported_on"] == str(TODAY - timedelta(days=2))
    assert rows[stale.pk]["stale"] is True
    assert rows[never.pk]["stale"] is True and rows[never.pk]["last_reported_on"] is None


def test_homecare_counts_endpoint_is_for_council_staff(api):
    PostcodeFactory()
    api.as_role(Role.COMMISSIONER)
    assert api.get("/api/v1/placements/homecare-counts/").json()["lead_provider"] == 0
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/placements/homecare-counts/").status_code == 403


def test_provider_users_export_only_their_own_contracts_and_cannot_read_the_void_report(api):
    mine, theirs = make_line(), make_line()
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=mine.location.provider)
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/contracts/export/csv/").content.decode())))
    assert [row["Reference"] for row in rows] == [mine.contract.reference]
    assert theirs.contract.reference not in api.get("/api/v1/contracts/export/csv/").content.decode()
    params = {"from": "2026-01-01", "to": "2026-01-31"}
    assert api.get("/api/v1/voids/", params).status_code == 403
    assert api.get("/api/v1/voids/export/xlsx/", params).status_code == 403


@pytest.mark.parametrize("role", [Role.COMPLIANCE_OFFICER, Role.COMMISSIONER, Role.PROVIDER_USER])
def test_only_brokers_convert_or_release_holds_and_only_placers_end_placements(api, role):
    line = make_line(beds=2)
    hold = hold_place(bed_line=line, reference="BRK-2026-8001", start_date=date(2026, 3, 1))
    placement = place(line, start=date(2026, 3, 1))
    user = api.as_role(role)
    if role == Role.PROVIDER_USER:
        ProviderMembershipFactory(user=user, provider=line.location.provider)
        assert api.get(f"/api/v1/holds/{hold.pk}/").status_code == 200  # may see holds on their own beds
    assert api.post(f"/api/v1/holds/{hold.pk}/convert/", {}).status_code == 403
    assert api.post(f"/api/v1/holds/{hold.pk}/release/").status_code == 403
    assert api.post(f"/api/v1/placements/{placement.pk}/end/", {"end_date": "2026-04-01"}).status_code == 403
    assert api.patch(f"/api/v1/placements/{placement.pk}/", {"end_date": "2026-04-01"}).status_code == 403
    upload = api.post("/api/v1/vacancy-reports/upload/", {"file": io.BytesIO(b"x")}, format="multipart")
    assert upload.status_code == (400 if role == Role.PROVIDER_USER else 403)


def test_a_provider_closes_its_whole_home_for_28_days(api):
    line = make_line(beds=3)
    second = make_line(contract=line.contract, location=line.location, beds=2, care_type="residential")
    other = make_line(beds=2)
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=line.location.provider)
    closure = {"start_date": "2026-03-01", "end_date": "2026-03-28", "reason": "Outbreak of norovirus"}
    response = api.post("/api/v1/closures/home/", {"location": line.location_id, **closure})
    assert response.status_code == 201
    closed = {(row["bed_line"], row["beds"]) for row in response.json()["closures"]}
    assert closed == {(line.pk, 3), (second.pk, 2)}
    from contracts.selectors import voids_on

    assert voids_on(line=line, on=date(2026, 3, 28)) == 0 and voids_on(line=line, on=date(2026, 3, 29)) == 3
    assert api.post("/api/v1/closures/home/", {"location": other.location_id, **closure}).status_code == 403
    api.as_role(Role.BROKER)
    assert api.post("/api/v1/closures/home/", {"location": line.location_id, **closure}).status_code == 403
    api.as_role(Role.CONTRACT_OFFICER)
    no_beds = api.post("/api/v1/closures/home/", {"location": LocationFactory().pk, **closure})
    assert no_beds.status_code == 400 and no_beds.json()["error"]["fields"].keys() == {"location"}


@pytest.mark.parametrize(
    ("url", "role", "payload", "field"),
    [
        ("/api/v1/placements/", Role.BROKER, {"kind": "block", "start_date": "2026-03-01"}, "bed_line"),
        (
            "/api/v1/placements/",
            Role.BROKER,
            {"kind": "spot", "start_date": "2026-03-01", "care_type": "nursing"},
            "location",
        ),
        ("/api/v1/placements/", Role.BROKER, {"kind": "lead_provider", "start_date": "2026-03-01"}, "provider"),
        ("/api/v1/placements/", Role.BROKER, {"kind": "sofa", "start_date": "2026-03-01"}, "kind"),
        (
            "/api/v1/placements/",
            Role.BROKER,
            {"kind": "block", "start_date": "2026-03-01", "end_date": "2026-02-01", "bed_line": "LINE"},
            "end_date",
        ),
        (
            "/api/v1/holds/",
            Role.BROKER,
            {"bed_line": "LINE", "start_date": "2026-03-01", "reference": "CB6 1AA"},
            "reference",
        ),
        (
            "/api/v1/closures/",
            Role.CONTRACT_OFFICER,
            {"bed_line": "LINE", "beds": 9, "start_date": "2026-03-01", "end_date": "2026-03-28", "reason": "Outbreak"},
            "beds",
        ),
        ("/api/v1/contracts/", Role.CONTRACT_OFFICER, {"break_clause_date": "2020-01-01"}, "break_clause_date"),
        ("/api/v1/contracts/", Role.CONTRACT_OFFICER, {"uplift_nlw_weight": "0.9"}, "uplift_cpi_weight"),
        (
            "/api/v1/rate-changes/",
            Role.CONTRACT_OFFICER,
            {"bed_line": "LINE", "effective_from": "2020-01-01", "weekly_rate": "700"},
            "effective_from",
        ),
        (
            "/api/v1/rate-changes/uplift/",
            Role.CONTRACT_OFFICER,
            {"effective_from": "2027-04-01", "nlw_percent": "x", "cpi_percent": "2"},
            "nlw_percent",
        ),
        (
            "/api/v1/vacancy-reports/",
            Role.CONTRACT_OFFICER,
            {"location": "HOME", "report_date": "2026-11-01", "care_type": "spa", "vacant_beds": 1},
            "care_type",
        ),
    ],
)
def test_bad_writes_are_refused_naming_the_field(api, url, role, payload, field):
    line = make_line(beds=2)
    api.as_role(role)
    body = {"reference": "BRK-2026-0300", **payload}
    if url == "/api/v1/contracts/":
        body = contract_payload(line.location.provider, **payload)
    body = {
        key: (line.pk if value == "LINE" else line.location_id if value == "HOME" else value)
        for key, value in body.items()
    }
    response = api.post(url, body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"], response.json()
