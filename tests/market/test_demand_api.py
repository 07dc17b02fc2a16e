import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from market.models import Demand, PendingArrangement
from tests.factories import ProviderFactory, ProviderMembershipFactory
from tests.market.demand_factories import districts, line

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
BASE = "/api/v1/market"


@pytest.fixture
def place():
    (district, (ward, _)), _ = districts()
    return district, ward


def entered(api, district, **fields):
    body = {
        "locality": district.code,
        "care_type": "nursing_dementia",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "quantity": "12",
        **fields,
    }
    return api.post(f"{BASE}/demand/", body, format="json")


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.CONTRACT_OFFICER])
def test_commissioners_and_contract_officers_enter_correct_and_remove_demand(api, place, role):
    district, _ = place
    api.as_role(role)
    created = entered(api, district)
    assert created.status_code == 201, created.json()
    assert (created.json()["locality_name"], created.json()["unit"]) == (district.name, "beds")
    changed = api.patch(f"{BASE}/demand/{created.json()['id']}/", {"quantity": "15"}, format="json")
    assert changed.json()["quantity"] == "15.0"
    assert entered(api, district, period_start="2026-03-01", period_end="2026-04-30").status_code == 409
    assert api.delete(f"{BASE}/demand/{created.json()['id']}/").status_code == 204
    assert not Demand.objects.exists()


@pytest.mark.parametrize("role", [Role.COMPLIANCE_OFFICER, Role.BROKER])
def test_compliance_officers_and_brokers_read_but_do_not_write(api, place, role):
    district, _ = place
    api.as_role(Role.COMMISSIONER)
    entered(api, district)
    api.as_role(role)
    assert api.get(f"{BASE}/demand/").json()["count"] == 1
    assert api.get(f"{BASE}/capacity-gaps/").status_code == 200
    assert entered(api, district, period_start="2026-06-01", period_end="2026-06-30").status_code == 403
    pending = {"reference": "PA-0001", "locality": district.code, "care_type": "nursing", "waiting_since": "2026-01-01"}
    assert api.post(f"{BASE}/pending-arrangements/", pending, format="json").status_code == 403


def test_provider_users_see_none_of_it(api, place):
    user = api.as_role(Role.PROVIDER_USER)
    ProviderMembershipFactory(user=user, provider=ProviderFactory())
    for path in ("demand/", "pending-arrangements/", "pending-arrangements/waits/", "capacity-gaps/"):
        assert api.get(f"{BASE}/{path}").status_code == 403, path
    assert api.get(f"{BASE}/capacity-gaps/export/csv/").status_code == 403


def test_a_demand_file_uploaded_with_a_bad_row_is_a_400_naming_row_and_column(api, place):
    district, _ = place
    api.as_role(Role.COMMISSIONER)
    content = (
        "locality,care_type,period_start,period_end,quantity\n"
        f"{district.code},nursing,2026-01-01,2026-03-31,5\n"
        f"{district.code},nursing,2026-01-01,2026-03-31,-5\n"
    )
    upload = SimpleUploadedFile("demand.csv", content.encode(), content_type="text/csv")
    answer = api.post(f"{BASE}/demand/import/", {"file": upload}, format="multipart")
    assert answer.status_code == 400
    assert [(problem["row"], problem["field"]) for problem in answer.json()["error"]["problems"]] == [(3, "quantity")]
    assert not Demand.objects.exists()
    upload = SimpleUploadedFile(
        "demand.csv", content.splitlines()[0].encode() + b"\n" + content.splitlines()[1].encode()
    )
    assert api.post(f"{BASE}/demand/import/", {"file": upload}, format="multipart").json() == {"imported": 1}


def test_pending_arrangements_show_their_wait_and_the_waits_are_counted(api, place, settings):
    district, ward = place
    api.as_role(Role.CONTRACT_OFFICER)
    for reference, since in (("PA-0001", "2026-01-01"), ("PA-0002", "2026-02-20")):
        body = {"reference": reference, "locality": ward.code, "care_type": "nursing", "waiting_since": since}
        assert api.post(f"{BASE}/pending-arrangements/", body, format="json").status_code == 201
    listed = api.get(f"{BASE}/pending-arrangements/", {"waiting": "true"}).json()["results"]
    assert [row["long_wait"] for row in listed] == [True, True]  # both over six weeks by today
    waits = api.get(f"{BASE}/pending-arrangements/waits/", {"on": "2026-03-01"}).json()
    assert waits["long_wait_days"] == settings.PENDING_WAIT_LONG_DAYS == 42
    assert [(row["locality_code"], row["waiting"], row["waiting_long"]) for row in waits["rows"]] == [
        (district.code, 2, 1)  # 59 days and 9 days on 1 March
    ]
    by_ward = api.get(f"{BASE}/pending-arrangements/waits/", {"on": "2026-03-01", "locality": ward.code}).json()
    assert [(row["locality_code"], row["waiting"]) for row in by_ward["rows"]] == [(ward.code, 2)]
    assert PendingArrangement.objects.count() == 2


def test_capacity_gaps_refuse_what_they_do_not_understand(api, place):
    api.as_role(Role.COMMISSIONER)
    for query, name in (
        ({"locality": "E99999999"}, "locality"),
        ({"care_type": "bungalows"}, "care_type"),
        ({"on": "yesterday"}, "on"),
        ({"colour": "red"}, "colour"),
        ({"on": ""}, "on"),
    ):
        answer = api.get(f"{BASE}/capacity-gaps/", query)
        assert answer.status_code == 400, query
        assert name in str(answer.json()), query
    trend = api.get(f"{BASE}/capacity-gaps/trend/", {"start": "2026-01-01", "end": "2030-01-01"})
    assert trend.status_code == 400
    assert (
        api.get(
            f"{BASE}/capacity-gaps/trend/", {"start": "2026-01-01", "end": "2026-06-30", "step": "week"}
        ).status_code
        == 400
    )


def test_capacity_gaps_answer_in_the_same_number_of_queries_for_2_and_many_districts(api):
    api.as_role(Role.COMMISSIONER)

    def count(n: int, prefix: str) -> tuple[int, int]:
        found = districts(n, wards=1, prefix=prefix)
        for district, (ward,) in found:
            line(district, ward, beds=2)
            entered(api, district, quantity="7")
        codes = ",".join(district.code for district, _ in found)
        with CaptureQueriesContext(connection) as queries:
            answer = api.get(f"{BASE}/capacity-gaps/", {"on": "2026-03-01", "locality": codes})
        rows = answer.json()["rows"]
        assert [row["gap"] for row in rows] == [5.0] * n
        return len(queries)

    assert count(2, "E08") == count(9, "E09")


def test_capacity_gaps_export_as_csv_and_xlsx_with_the_same_rows(api, place):
    district, ward = place
    api.as_role(Role.COMMISSIONER)
    line(district, ward, beds=2)
    entered(api, district, quantity="7")
    answer = api.get(f"{BASE}/capacity-gaps/export/csv/", {"on": "2026-03-01"})
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][:2] == ["Locality code", "Locality"] and "Waiting longer than 42 days" in rows[0]
    assert [(row[0], row[4], row[-2], row[-1]) for row in rows[1:]] == [
        (district.code, "Nursing dementia", "2.0", "5.0")
    ]
    sheet = load_workbook(
        io.BytesIO(api.get(f"{BASE}/capacity-gaps/export/xlsx/", {"on": "2026-03-01"}).content)
    ).active
    assert [cell.value for cell in sheet[2]][-1] == 5.0

    demand_csv = api.get(f"{BASE}/demand/export/csv/", {"locality": district.code}).content.decode()
    assert list(csv.reader(io.StringIO(demand_csv)))[1][:4] == [
        district.code,
        district.name,
        "district",
        "Nursing dementia",
    ]
    assert api.get(f"{BASE}/demand/export/csv/", {"locality": "E99999999"}).status_code == 400
    pending_xlsx = api.get(f"{BASE}/pending-arrangements/export/xlsx/")
    assert load_workbook(io.BytesIO(pending_xlsx.content)).active.max_row == 1  # the header only


def test_the_district_layer_offers_capacity_gap_to_council_staff(api, place):
    district, _ = place
    api.as_role(Role.COMMISSIONER)
    entered(api, district, period_end="2099-12-31", quantity="4")
    layer = api.get("/api/v1/geo/localities/", {"kind": "district", "properties": "capacity_gap"})
    assert layer.status_code == 200, layer.content[:300]
    feature = next(f for f in layer.json()["features"] if f["properties"]["code"] == district.code)
    assert feature["properties"]["capacity_gap"] == {"nursing_dementia": 4.0}


def test_a_gap_trend_answers_each_quarter_end_for_a_ward_or_district(api, place):
    district, ward = place
    line(district, ward, care_type="nursing_dementia", beds=3, activation_date=date(2026, 2, 1))
    api.as_role(Role.COMMISSIONER)
    entered(api, district, period_end="2026-06-30", quantity="5")
    answer = api.get(
        f"{BASE}/capacity-gaps/trend/",
        {"start": "2026-01-01", "end": "2026-07-15", "step": "quarter", "locality": district.code},
    ).json()
    assert (answer["start"], answer["end"], answer["step"]) == ("2026-01-01", "2026-07-15", "quarter")
    (series,) = answer["series"]
    assert (series["locality_code"], series["care_type"], series["unit"]) == (district.code, "nursing_dementia", "beds")
    assert [(point["on"], point["gap"]) for point in series["points"]] == [
        ("2026-01-01", 5.0),
        ("2026-03-31", 2.0),
        ("2026-06-30", 2.0),
        ("2026-07-15", -3.0),
    ]
