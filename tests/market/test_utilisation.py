"""The quarterly utilisation review: occupied / contracted bed-days per contract, home and district in a
financial quarter, with the void cost, against figures worked by hand."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from core.errors import DomainError
from market.selectors.utilisation import financial_quarter, utilisation_review
from tests.market.analysis_factories import district, home, make_contract, make_line, place

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


@pytest.fixture
def estate():
    east, hunts = district("E07000009", "East Cambridgeshire"), district("E07000011", "Huntingdonshire")
    first = make_contract(reference="CCC-BB21-01")
    # 2 beds all quarter (91 days from 1 April 2025): 182 contracted bed-days at £100 a day.
    line = make_line(
        contract=first,
        location=home(district=east, provider=first.provider, name="Ely Meadows"),
        beds=2,
        activation_date=date(2025, 1, 1),
        weekly_rate=Decimal("700.00"),
    )
    place(line, start=date(2025, 3, 1))  # the whole quarter: 91 bed-days
    place(line, start=date(2025, 5, 1), end=date(2025, 5, 30))  # 30 bed-days
    second = make_contract(reference="CCC-BB21-02")
    # 1 bed from 1 June: 30 contracted bed-days at £200 a day, all void.
    make_line(
        contract=second,
        location=home(district=hunts, provider=second.provider, name="Ouse View"),
        beds=1,
        activation_date=date(2025, 6, 1),
        weekly_rate=Decimal("1400.00"),
    )
    return east, hunts


def test_financial_quarters_start_in_april():
    assert financial_quarter(year=2025, quarter=1) == (date(2025, 4, 1), date(2025, 6, 30))
    assert financial_quarter(year=2025, quarter=4) == (date(2026, 1, 1), date(2026, 3, 31))
    with pytest.raises(DomainError):
        financial_quarter(year=2025, quarter=5)


def test_utilisation_per_contract_with_the_void_cost(estate):
    review = utilisation_review(year=2025, quarter=1, group_by="contract")
    rows = {row.label.split(" ")[0]: row for row in review.rows}
    first, second = rows["CCC-BB21-01"], rows["CCC-BB21-02"]
    assert (first.contracted_bed_days, first.occupied_bed_days, first.void_bed_days) == (182, 121, 61)
    assert first.utilisation == round(121 / 182, 4)
    assert first.void_cost == Decimal("6100.00")
    assert (second.contracted_bed_days, second.occupied_bed_days, second.utilisation) == (30, 0, 0.0)
    assert second.void_cost == Decimal("6000.00")
    assert review.rows[0] is second or review.rows[0].void_cost >= review.rows[-1].void_cost
    assert (review.total.contracted_bed_days, review.total.occupied_bed_days) == (212, 121)
    assert review.total.void_cost == Decimal("12100.00")
    assert review.total.utilisation == round(121 / 212, 4)


def test_utilisation_per_home_and_per_district(estate):
    homes = {row.label: row for row in utilisation_review(year=2025, quarter=1, group_by="home").rows}
    assert homes["Ely Meadows"].utilisation == round(121 / 182, 4)
    assert homes["Ely Meadows"].district_name == "East Cambridgeshire"
    districts = {row.key: row for row in utilisation_review(year=2025, quarter=1, group_by="district").rows}
    assert districts["E07000009"].occupied_bed_days == 121
    assert districts["E07000011"].utilisation == 0.0


def test_a_district_and_care_type_narrow_the_review(estate):
    east, _ = estate
    review = utilisation_review(year=2025, quarter=1, group_by="district", districts=[east])
    assert [row.key for row in review.rows] == ["E07000009"]
    assert utilisation_review(year=2025, quarter=1, care_types=["residential"]).rows == []


def test_the_review_api_and_its_refusals(api, estate):
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.get("/api/v1/market/utilisation/", {"year": 2025, "quarter": 1, "group_by": "district"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["start"], body["end"]) == ("2025-04-01", "2025-06-30")
    assert body["total"]["occupied_bed_days"] == 121 and body["total"]["void_cost"] == "12100.00"
    for bad in ({"quarter": 5}, {"year": "last"}, {"group_by": "ward"}, {"districts": "E07000009,"}, {"bogus": 1}):
        refused = api.get("/api/v1/market/utilisation/", {"year": 2025, "quarter": 1, **bad})
        assert refused.status_code == 400, bad
        assert next(iter(bad)) in refused.json()["error"]["fields"]
    assert api.get("/api/v1/market/utilisation/", {"quarter": 1}).status_code == 400


def test_the_review_paper_table_in_csv_and_xlsx(api, estate):
    api.as_role(Role.CONTRACT_OFFICER)
    answer = api.get("/api/v1/market/utilisation/export/csv/", {"year": 2025, "quarter": 1})
    assert answer.status_code == 200
    assert 'filename="block-utilisation-2025-q1-by-contract.csv"' in answer["Content-Disposition"]
    lines = answer.content.decode().splitlines()
    assert lines[0] == (
        "Quarter,Contract (provider),District,Bed lines,Contracted bed-days,Occupied bed-days,Utilisation (%),"
        "Void bed-days,Void level (%),Void cost (£),Avoidable spot purchases,Avoidable spot cost a week (£)"
    )
    assert lines[-1].endswith("All block beds,,2,212,121,57.1,91,42.9,12100.00,0,0.00")
    xlsx = api.get("/api/v1/market/utilisation/export/xlsx/", {"year": 2025, "quarter": 1, "group_by": "home"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_provider_users_see_no_review(api, estate):
    api.as_role(Role.PROVIDER_USER)
    assert api.get("/api/v1/market/utilisation/", {"year": 2025, "quarter": 1}).status_code == 403


def test_the_review_takes_the_same_queries_for_two_districts_as_for_many(api):
    api.as_role(Role.COMMISSIONER)
    districts = [district(f"E0700{n:04d}", f"District {n}") for n in range(10)]
    for locality in districts:
        line = make_line(location=home(district=locality), beds=2, activation_date=date(2025, 1, 1))
        place(line, start=date(2025, 2, 1))

    def count(codes, group_by):
        with CaptureQueriesContext(connection) as queries:
            answer = api.get(
                "/api/v1/market/utilisation/", {"year": 2025, "quarter": 1, "districts": codes, "group_by": group_by}
            )
            assert answer.status_code == 200
        return len(queries)

    count(districts[0].code, "home")  # the first request reads the user's roles once
    for group_by in ("contract", "home", "district"):
        two = count(",".join(d.code for d in districts[:2]), group_by)
        assert count(",".join(d.code for d in districts), group_by) == two
