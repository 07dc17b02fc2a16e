"""Every contracts endpoint, every role: who is refused (403) and who gets through to the view (any other
answer: 200, 201, or a 400/409 for the empty body sent here). One table, so a new endpoint without its
permission line shows up as a row that fails."""

from datetime import date

import pytest

from accounts.roles import ALL_ROLES, STAFF_ROLES, Role
from contracts.services import closure_create, hold_place, vacancy_report_record
from tests.contracts.factories import make_line, place
from tests.factories import ProviderMembershipFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]

EDITORS = {Role.CONTRACT_OFFICER, Role.COMMISSIONER}
PLACERS = {Role.BROKER, Role.CONTRACT_OFFICER}
PLACEMENT_READERS = {Role.BROKER, Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.COMPLIANCE_OFFICER, Role.PROVIDER_USER}
BED_FINDERS = {Role.BROKER, Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.COMPLIANCE_OFFICER}
REPORTERS = {Role.PROVIDER_USER, Role.BROKER, Role.CONTRACT_OFFICER}

# (method, url, roles let through). Deletes come last: they answer 409 here (the records are in use).
ENDPOINTS = [
    ("get", "/api/v1/contracts/", ALL_ROLES),
    ("get", "/api/v1/contracts/{contract}/", ALL_ROLES),
    ("get", "/api/v1/contracts/export/csv/", ALL_ROLES),
    ("get", "/api/v1/contracts/export/xlsx/", ALL_ROLES),
    ("post", "/api/v1/contracts/", EDITORS),
    ("patch", "/api/v1/contracts/{contract}/", EDITORS),
    ("get", "/api/v1/bed-lines/", ALL_ROLES),
    ("get", "/api/v1/bed-lines/{line}/", ALL_ROLES),
    ("post", "/api/v1/bed-lines/", EDITORS),
    ("patch", "/api/v1/bed-lines/{line}/", EDITORS),
    ("get", "/api/v1/rate-changes/", ALL_ROLES),
    ("get", "/api/v1/rate-changes/{rate}/", ALL_ROLES),
    ("post", "/api/v1/rate-changes/", EDITORS),
    ("post", "/api/v1/rate-changes/uplift/", EDITORS),
    ("get", "/api/v1/placements/", PLACEMENT_READERS),
    ("get", "/api/v1/placements/{placement}/", PLACEMENT_READERS),
    ("get", "/api/v1/placements/homecare-counts/", STAFF_ROLES),
    ("post", "/api/v1/placements/", PLACERS),
    ("patch", "/api/v1/placements/{placement}/", PLACERS),
    ("post", "/api/v1/placements/{placement}/end/", PLACERS),
    ("get", "/api/v1/holds/", PLACEMENT_READERS),
    ("get", "/api/v1/holds/{hold}/", PLACEMENT_READERS),
    ("post", "/api/v1/holds/", {Role.BROKER}),
    ("post", "/api/v1/holds/{hold}/release/", {Role.BROKER}),
    ("post", "/api/v1/holds/{hold}/convert/", {Role.BROKER}),
    ("get", "/api/v1/closures/", ALL_ROLES),
    ("get", "/api/v1/closures/{closure}/", ALL_ROLES),
    ("post", "/api/v1/closures/", EDITORS | {Role.PROVIDER_USER}),
    ("patch", "/api/v1/closures/{closure}/", EDITORS | {Role.PROVIDER_USER}),
    ("post", "/api/v1/closures/home/", EDITORS | {Role.PROVIDER_USER}),
    ("get", "/api/v1/vacancy-reports/", ALL_ROLES),
    ("get", "/api/v1/vacancy-reports/{report}/", ALL_ROLES),
    ("get", "/api/v1/vacancy-reports/status/", ALL_ROLES),
    ("post", "/api/v1/vacancy-reports/", REPORTERS),
    ("post", "/api/v1/vacancy-reports/upload/", REPORTERS),
    ("get", "/api/v1/voids/", STAFF_ROLES),
    ("get", "/api/v1/voids/export/csv/", STAFF_ROLES),
    ("get", "/api/v1/voids/export/xlsx/", STAFF_ROLES),
    ("get", "/api/v1/beds/available/", BED_FINDERS),
    ("delete", "/api/v1/bed-lines/{line}/", EDITORS),
    ("delete", "/api/v1/contracts/{contract}/", EDITORS),
]


@pytest.mark.parametrize("role", list(Role))
def test_every_endpoint_refuses_exactly_the_roles_it_should(api, role):
    line = make_line(beds=3)
    placement = place(line, start=date(2026, 1, 1))
    hold = hold_place(bed_line=line, reference="BRK-2026-9001", start_date=date(2026, 1, 2))
    closure = closure_create(
        bed_line=line, beds=1, start_date=date(2026, 2, 1), end_date=date(2026, 2, 28), reason="Outbreak"
    )
    report = vacancy_report_record(
        location=line.location,
        report_date=date(2026, 1, 5),
        today=date(2026, 1, 5),
        care_type="nursing",
        vacant_beds=1,
        accepting_admissions=True,
    )
    ids = {
        "contract": line.contract_id,
        "line": line.pk,
        "rate": line.rate_changes.get().pk,
        "placement": placement.pk,
        "hold": hold.pk,
        "closure": closure.pk,
        "report": report.pk,
    }
    user = api.as_role(role)
    if role == Role.PROVIDER_USER:  # their own provider's records, so that only the role decides
        ProviderMembershipFactory(user=user, provider=line.location.provider)
    wrong = []
    for method, url, allowed in ENDPOINTS:
        status = getattr(api, method)(url.format(**ids), {}).status_code
        if (status == 403) != (role not in allowed) or status in (401, 404, 405) or status >= 500:
            wrong.append((method, url, status))
    assert wrong == []
