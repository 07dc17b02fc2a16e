import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from core.errors import DomainError
from market.models import MicroEnterprise, MicroEnterpriseStatus
from market.selectors.micro_enterprises import micro_enterprise_hours
from market.services.micro_enterprises import micro_enterprise_member_add, micro_enterprise_status_set
from tests.factories import LocalityFactory, LocationFactory, UserFactory
from tests.market.micro_factories import district_with_wards, micro_enterprise

pytestmark = pytest.mark.django_db

ADDRESS = "/api/v1/market/micro-enterprises/"
RETURNS = "/api/v1/market/micro-enterprise-returns/"


def test_a_late_status_change_takes_its_place_in_the_history_and_the_latest_by_date_is_current():
    _, (ward, _) = district_with_wards()
    enterprise = micro_enterprise(locality=ward, enquiry=date(2023, 1, 5), trading=date(2023, 3, 1))
    micro_enterprise_status_set(micro_enterprise=enterprise, status="ceased", on=date(2023, 9, 1))
    # Recorded afterwards: it had paused in June (back to developing).
    micro_enterprise_status_set(micro_enterprise=enterprise, status="developing", on=date(2023, 6, 1))
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.status_since) == ("ceased", date(2023, 9, 1))
    assert [(change.on, change.status) for change in enterprise.status_changes.order_by("on")] == [
        (date(2023, 1, 5), "enquiry"),
        (date(2023, 2, 28), "developing"),
        (date(2023, 3, 1), "trading"),
        (date(2023, 6, 1), "developing"),
        (date(2023, 9, 1), "ceased"),
    ]


def test_a_status_before_the_first_contact_or_repeating_the_last_one_is_refused():
    _, (ward, _) = district_with_wards()
    enterprise = micro_enterprise(locality=ward, enquiry=date(2023, 1, 5))
    with pytest.raises(DomainError, match="first contact"):
        micro_enterprise_status_set(micro_enterprise=enterprise, status="developing", on=date(2023, 1, 1))
    with pytest.raises(DomainError, match="already enquiry"):
        micro_enterprise_status_set(micro_enterprise=enterprise, status="enquiry", on=date(2023, 2, 1))


def test_hours_by_locality_count_trading_micro_enterprises_from_their_latest_return_on_the_day():
    _, (ward, other_ward) = district_with_wards()
    micro_enterprise(
        locality=ward,
        enquiry=date(2023, 1, 2),
        trading=date(2023, 2, 1),
        returns=[(date(2023, 2, 1), "10", 1), (date(2023, 6, 1), "14.5", 2)],
    )
    micro_enterprise(
        locality=ward, enquiry=date(2023, 1, 2), trading=date(2023, 3, 1), returns=[(date(2023, 3, 1), "6", 1)]
    )
    micro_enterprise(
        locality=other_ward,
        enquiry=date(2023, 1, 2),
        trading=date(2023, 2, 1),
        returns=[(date(2023, 2, 1), "20", 3)],
        ceased=date(2023, 5, 1),
    )
    micro_enterprise(locality=other_ward, enquiry=date(2023, 1, 2))  # an enquiry delivers nothing

    with CaptureQueriesContext(connection) as queries:
        in_april = micro_enterprise_hours(on=date(2023, 4, 30))
    assert len(queries) == 1
    assert in_april == {ward.pk: Decimal(16), other_ward.pk: Decimal(20)}
    assert micro_enterprise_hours(on=date(2023, 7, 1)) == {ward.pk: Decimal("20.5")}  # the other ceased in May
    assert micro_enterprise_hours(on=date(2023, 1, 31)) == {}


def test_commissioners_register_a_micro_enterprise_and_record_its_status_over_the_api(api):
    api.as_role(Role.COMMISSIONER)
    _, (ward, _) = district_with_wards()
    made = api.post(
        ADDRESS,
        {
            "trading_name": "Soham Companions",
            "locality": ward.code,
            "services": "Companionship and meals",
            "status_since": "2023-01-05",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["status_since"], body["needs_cqc_registration"]) == ("enquiry", "2023-01-05", False)
    changed = api.post(f"{ADDRESS}{body['id']}/status/", {"status": "trading", "on": "2023-03-01"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "trading"
    assert [row["status"] for row in changed.json()["status_changes"]] == ["enquiry", "trading"]
    again = api.post(f"{ADDRESS}{body['id']}/status/", {"status": "ceased", "on": "2023-03-01"}, format="json")
    assert again.status_code == 409


def test_a_sole_trader_needing_no_registration_has_no_cqc_location_and_a_county_is_no_place(api):
    api.as_role(Role.CONTRACT_OFFICER)
    _, (ward, _) = district_with_wards()
    location = LocationFactory(cqc_location_id="1-555000111")
    refused = api.post(
        ADDRESS,
        {
            "trading_name": "Ely Care",
            "locality": ward.code,
            "cqc_location": "1-555000111",
            "status_since": "2023-01-05",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "cqc_location" in refused.json()["error"]["fields"]
    registered = api.post(
        ADDRESS,
        {
            "trading_name": "Ely Care",
            "locality": ward.code,
            "needs_cqc_registration": True,
            "cqc_location": location.cqc_location_id,
            "status_since": "2023-01-05",
        },
        format="json",
    )
    assert registered.status_code == 201, registered.content
    county = LocalityFactory(kind="county")
    nowhere = api.post(
        ADDRESS, {"trading_name": "Wide Care", "locality": county.code, "status_since": "2023-01-05"}, format="json"
    )
    assert nowhere.status_code == 400
    assert "locality" in nowhere.json()["error"]["fields"]


def test_compliance_officers_and_brokers_read_micro_enterprises_but_do_not_write(api):
    _, (ward, _) = district_with_wards()
    enterprise = micro_enterprise(locality=ward, enquiry=date(2023, 1, 5))
    for role in (Role.COMPLIANCE_OFFICER, Role.BROKER):
        api.as_role(role)
        assert api.get(f"{ADDRESS}{enterprise.pk}/").status_code == 200
        assert api.patch(f"{ADDRESS}{enterprise.pk}/", {"notes": "x"}, format="json").status_code == 403
        status = api.post(f"{ADDRESS}{enterprise.pk}/status/", {"status": "trading", "on": "2023-02-01"})
        assert status.status_code == 403
        made = api.post(
            RETURNS,
            {"micro_enterprise": enterprise.pk, "from_date": "2023-02-01", "hours_per_week": 5, "people_supported": 1},
            format="json",
        )
        assert made.status_code == 403


def test_a_provider_user_with_no_micro_enterprise_sees_none(api):
    _, (ward, _) = district_with_wards()
    enterprise = micro_enterprise(
        locality=ward, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1), returns=[(date(2023, 2, 1), "5", 1)]
    )
    api.as_role(Role.PROVIDER_USER)
    assert api.get(ADDRESS).json()["count"] == 0
    assert api.get(f"{ADDRESS}{enterprise.pk}/").status_code == 404
    assert api.get(RETURNS).json()["count"] == 0


def test_a_micro_enterprise_account_sees_and_reports_its_own_returns_only(api):
    _, (ward, _) = district_with_wards()
    own = micro_enterprise(
        locality=ward, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1), returns=[(date(2023, 2, 1), "5", 1)]
    )
    other = micro_enterprise(
        locality=ward, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1), returns=[(date(2023, 2, 1), "9", 2)]
    )
    account = api.as_role(Role.PROVIDER_USER)
    micro_enterprise_member_add(micro_enterprise=own, user=account)

    assert [row["id"] for row in api.get(ADDRESS).json()["results"]] == [own.pk]
    assert api.get(f"{ADDRESS}{other.pk}/").status_code == 404
    assert [row["micro_enterprise"] for row in api.get(RETURNS).json()["results"]] == [own.pk]

    reported = api.post(
        RETURNS,
        {"micro_enterprise": own.pk, "from_date": "2023-05-01", "hours_per_week": "7.5", "people_supported": 2},
        format="json",
    )
    assert reported.status_code == 201, reported.content
    assert api.get(f"{ADDRESS}{own.pk}/").json()["latest_hours_per_week"] == 7.5
    for_other = api.post(
        RETURNS,
        {"micro_enterprise": other.pk, "from_date": "2023-05-01", "hours_per_week": 1, "people_supported": 1},
        format="json",
    )
    assert for_other.status_code == 404
    # The council, not the micro-enterprise, says whether it trades.
    assert api.post(f"{ADDRESS}{own.pk}/status/", {"status": "ceased", "on": "2023-06-01"}).status_code == 403
    assert api.patch(f"{ADDRESS}{own.pk}/", {"notes": "x"}, format="json").status_code == 403


def test_only_provider_users_accounts_are_linked_to_a_micro_enterprise():
    _, (ward, _) = district_with_wards()
    enterprise = micro_enterprise(locality=ward, enquiry=date(2023, 1, 5))
    with pytest.raises(DomainError, match="provider user"):
        micro_enterprise_member_add(micro_enterprise=enterprise, user=UserFactory(roles=[Role.BROKER]))


def test_returns_with_hours_for_nobody_or_from_the_future_are_refused(api):
    api.as_role(Role.COMMISSIONER)
    _, (ward, _) = district_with_wards()
    enterprise = micro_enterprise(locality=ward, enquiry=date(2023, 1, 5))
    nobody = api.post(
        RETURNS,
        {"micro_enterprise": enterprise.pk, "from_date": "2023-02-01", "hours_per_week": 5, "people_supported": 0},
        format="json",
    )
    assert nobody.status_code == 400
    assert "people_supported" in nobody.json()["error"]["fields"]
    future = api.post(
        RETURNS,
        {"micro_enterprise": enterprise.pk, "from_date": "2999-01-01", "hours_per_week": 5, "people_supported": 1},
        format="json",
    )
    assert future.status_code == 400
    assert "from_date" in future.json()["error"]["fields"]


def test_the_register_lists_in_as_many_queries_for_many_micro_enterprises_as_for_two(api):
    api.as_role(Role.COMMISSIONER)
    _, (ward, other_ward) = district_with_wards()
    for locality in (ward, other_ward):
        micro_enterprise(
            locality=locality, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1), returns=[(date(2023, 2, 1), "5", 1)]
        )
    api.get(ADDRESS)
    with CaptureQueriesContext(connection) as few:
        assert api.get(ADDRESS).json()["count"] == 2
    for _ in range(8):
        micro_enterprise(
            locality=ward,
            enquiry=date(2023, 1, 5),
            trading=date(2023, 2, 1),
            returns=[(date(2023, 2, 1), "5", 1)],
            needs_cqc_registration=True,
            cqc_location=LocationFactory(),
        )
    with CaptureQueriesContext(connection) as many:
        assert api.get(ADDRESS).json()["count"] == 10
    assert len(many) == len(few)


def test_the_register_filters_by_status_and_district_and_refuses_what_it_does_not_understand(api):
    api.as_role(Role.BROKER)
    district, (ward, _) = district_with_wards()
    _, (elsewhere,) = district_with_wards(wards=1)
    trading = micro_enterprise(locality=ward, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1))
    micro_enterprise(locality=ward, enquiry=date(2023, 1, 5))
    micro_enterprise(locality=elsewhere, enquiry=date(2023, 1, 5), trading=date(2023, 2, 1))
    listed = api.get(ADDRESS, {"status": "trading", "district": district.code}).json()["results"]
    assert [row["id"] for row in listed] == [trading.pk]
    assert api.get(ADDRESS, {"district": "E07999999"}).status_code == 400
    unknown = api.get(ADDRESS, {"colour": "blue"})
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["error"]["fields"]


def test_the_register_exports_as_csv_and_xlsx_following_the_filters(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    _, (ward, _) = district_with_wards()
    micro_enterprise(
        locality=ward,
        enquiry=date(2023, 1, 5),
        trading=date(2023, 2, 1),
        returns=[(date(2023, 2, 1), "5", 1)],
        name="=Burwell Home Help",
    )
    micro_enterprise(locality=ward, enquiry=date(2023, 1, 5), name="Fordham Carers")
    answer = api.get(f"{ADDRESS}export/csv/", {"status": MicroEnterpriseStatus.TRADING})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(row["Trading name"], row["Status"], row["Hours a week"]) for row in rows] == [
        ("'=Burwell Home Help", "Trading", "5.00")
    ]
    answer = api.get(f"{ADDRESS}export/xlsx/")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["'=Burwell Home Help", "Fordham Carers"]


def test_the_admin_registers_a_micro_enterprise_and_shows_the_services_refusal_of_a_status(admin_client):
    from tests.market.admin_forms import form_errors

    _, (ward, _) = district_with_wards()
    added = admin_client.post(
        "/admin/market/microenterprise/add/",
        {
            "trading_name": "Witchford Home Help",
            "locality": ward.pk,
            "services": "Personal care",
            "notes": "",
            "first_status": "enquiry",
            "first_contact": "2023-01-05",
        },
    )
    assert added.status_code == 302, form_errors(added)
    enterprise = MicroEnterprise.objects.get(trading_name="Witchford Home Help")
    assert (enterprise.status, enterprise.status_since) == ("enquiry", date(2023, 1, 5))
    refused = admin_client.post(
        "/admin/market/microenterprisestatuschange/add/",
        {"micro_enterprise": enterprise.pk, "status": "trading", "on": "2022-12-01", "notes": ""},
    )
    assert "first contact" in form_errors(refused)["on"]
