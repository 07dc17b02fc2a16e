from datetime import date
from decimal import Decimal

import pytest

from core.errors import Conflict, DomainError, ImportRejected
from market.models import Demand, PendingArrangement
from market.services.demand import demand_create, demand_import, demand_update, pending_create, pending_import
from tests.market.demand_factories import districts

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    (district, (ward, _)), _ = districts()
    return district, ward


def test_demand_periods_of_one_locality_care_type_and_source_may_not_overlap(place):
    district, _ = place
    first = demand_create(
        locality=district,
        care_type="nursing",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        quantity=Decimal(10),
    )
    with pytest.raises(Conflict) as refused:
        demand_create(
            locality=district,
            care_type="nursing",
            period_start=date(2026, 3, 31),
            period_end=date(2026, 6, 30),
            quantity=Decimal(12),
        )
    assert refused.value.field == "period_start"
    # Another source, or the next day, is fine; moving the first onto the second is not.
    demand_create(
        locality=district,
        care_type="nursing",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        quantity=Decimal(14),
        source="forecast",
    )
    second = demand_create(
        locality=district,
        care_type="nursing",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        quantity=Decimal(12),
    )
    with pytest.raises(Conflict):
        demand_update(demand=second, period_start=date(2026, 3, 1))
    assert Demand.objects.count() == 3
    assert demand_update(demand=first, quantity=Decimal(11)).quantity == 11


def test_a_wait_reference_must_be_pseudonymous_and_a_person_waits_once(place):
    district, _ = place
    with pytest.raises(DomainError) as refused:
        pending_create(reference="943 476 5919", locality=district, care_type="nursing", waiting_since=date(2026, 1, 1))
    assert "NHS number" in refused.value.message
    pending_create(reference="pa-0042", locality=district, care_type="nursing", waiting_since=date(2026, 1, 1))
    assert PendingArrangement.objects.get().reference == "PA-0042"
    with pytest.raises(Conflict):
        pending_create(reference="PA-0042", locality=district, care_type="residential", waiting_since=date(2026, 2, 1))
    with pytest.raises(DomainError) as hours:
        pending_create(
            reference="PA-0043", locality=district, care_type="homecare_hours", waiting_since=date(2026, 2, 1)
        )
    assert hours.value.field == "hours_per_week"


DEMAND_CSV = """locality,care_type,period_start,period_end,quantity,source
{district},nursing_dementia,2026-01-01,2026-03-31,25,forecast
{ward},homecare_hours,2026-01-01,2026-03-31,120.5,
"""


def test_a_demand_file_is_imported_whole(place):
    district, ward = place
    assert demand_import(content=DEMAND_CSV.format(district=district.code, ward=ward.code).encode()) == 2
    assert sorted(Demand.objects.values_list("care_type", "quantity", "source")) == [
        ("homecare_hours", Decimal("120.5"), "forecast"),
        ("nursing_dementia", Decimal("25.0"), "forecast"),
    ]
    assert Demand.history.count() == 2


def test_a_demand_file_with_a_bad_row_names_each_row_and_column_and_writes_nothing(place):
    district, ward = place
    demand_create(
        locality=district,
        care_type="nursing",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        quantity=Decimal(10),
        source="forecast",
    )
    content = (
        "locality,care_type,period_start,period_end,quantity\n"
        f"{district.code},nursing_dementia,2026-01-01,2026-03-31,25\n"
        "E99999999,nursing,2026-01-01,2026-03-31,5\n"
        f"{ward.code},bungalows,2026-01-01,2026-03-31,5\n"
        f"{ward.code},nursing,2026-31-01,2026-03-31,lots\n"
        f"{ward.code},nursing,2026-04-01,2026-03-31,5\n"
        f"{district.code},nursing,2026-03-01,2026-06-30,5\n"
        f"{ward.code},residential,2026-01-01,2026-06-30,5\n"
        f"{ward.code},residential,2026-06-30,2026-09-30,5\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        demand_import(content=content)
    problems = {(problem["row"], problem["field"]) for problem in rejected.value.problems}
    assert problems == {
        (3, "locality"),
        (4, "care_type"),
        (5, "period_start"),
        (5, "quantity"),
        (6, "period_end"),
        (7, "period_start"),  # overlaps the recorded forecast
        (9, "period_start"),  # overlaps row 8
    }
    assert Demand.objects.count() == 1


def test_a_demand_file_missing_a_column_or_with_an_unknown_one_is_refused(place):
    with pytest.raises(ImportRejected) as rejected:
        demand_import(content="locality,care_type,period_start,quantity,colour\nX,nursing,2026-01-01,1,red\n")
    assert {(problem["row"], problem["field"]) for problem in rejected.value.problems} == {
        (1, "period_end"),
        (1, "colour"),
    }


def test_a_pending_file_is_checked_whole(place):
    district, ward = place
    good = (
        "reference,locality,care_type,waiting_since,bridging,hours_per_week\n"
        f"PA-1001,{district.code},nursing,2026-01-05,interim_bed,\n"
        f"PA-1002,{ward.code},homecare_hours,2026-02-01,block_car,12\n"
    )
    assert pending_import(content=good) == 2
    bad = (
        "reference,locality,care_type,waiting_since,bridging,ended_on,outcome\n"
        f"Jane Smith,{district.code},nursing,2026-01-05,none,,\n"
        f"PA-1003,{ward.code},nursing,2026-01-05,taxi,,\n"
        f"PA-1004,{ward.code},nursing,2026-01-05,none,2026-01-01,placed\n"
        f"PA-1001,{ward.code},nursing,2026-01-05,none,,\n"
        f"PA-1005,{ward.code},nursing,2026-01-05,none,,\n"
        f"PA-1005,{ward.code},residential,2026-01-06,none,,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        pending_import(content=bad)
    assert {(problem["row"], problem["field"]) for problem in rejected.value.problems} == {
        (2, "reference"),
        (3, "bridging"),
        (4, "ended_on"),
        (5, "reference"),  # already waiting
        (7, "reference"),  # waiting in row 6
    }
    assert PendingArrangement.objects.count() == 2


def test_a_number_the_register_cannot_hold_is_a_problem_of_its_row_not_a_failure(place):
    district, _ = place
    content = (
        "locality,care_type,period_start,period_end,quantity\n"
        f"{district.code},nursing,2026-01-01,2026-03-31,1e12\n"
        f"{district.code},residential,2026-01-01,2026-03-31,2.25\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        demand_import(content=content)
    assert {(problem["row"], problem["field"]) for problem in rejected.value.problems} == {
        (2, "quantity"),
        (3, "quantity"),
    }
    with pytest.raises(ImportRejected) as nul:
        demand_import(content=content.replace("nursing", "nur\x00sing"))
    assert nul.value.problems[0]["row"] == 2
