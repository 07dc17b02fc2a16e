from datetime import date
from decimal import Decimal

import pytest

from market.selectors.supply import supply_on, supply_total
from tests.market.demand_factories import ON, districts, supply_estate
from tests.market.micro_factories import micro_enterprise

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


def test_supply_counts_active_block_beds_less_closures_fresh_spot_vacancies_and_lot_hours():
    estate = supply_estate()
    supply = supply_on(on=ON)

    district = supply.get(estate["a"].pk, "nursing_dementia")
    assert district["block_beds"] == 8  # 10 on the live line, 2 closed; the draft, ended and future lines left out
    assert district["void_beds"] == 2  # 10 - 6 placed - 2 closed
    assert district["spot_vacancies"] == 4  # 3 fresh + 1 (its latest report by ON)
    assert supply_total(district) == 12  # void beds are within the block beds
    assert supply.get(estate["a"].pk, "residential") == {}

    assert supply.get(estate["a1"].pk, "nursing_dementia")["block_beds"] == 8
    assert supply.get(estate["a2"].pk, "nursing_dementia") == {}
    assert supply.get(estate["a"].pk, "homecare_hours")["homecare_hours"] == Decimal(50)
    assert supply.get(estate["b"].pk, "homecare_hours")["homecare_hours"] == Decimal(50)
    assert supply.get(estate["b1"].pk, "homecare_hours")["homecare_hours"] == Decimal(50)
    assert supply.get(estate["a2"].pk, "homecare_hours") == {}  # the lot whose award ended


def test_a_closure_ending_the_day_before_gives_the_beds_back():
    estate = supply_estate()
    after = supply_on(on=ON.replace(month=3, day=20))
    assert after.get(estate["a"].pk, "nursing_dementia")["block_beds"] == 10
    assert after.get(estate["a"].pk, "nursing_dementia")["void_beds"] == 4
    assert after.get(estate["a"].pk, "nursing_dementia").get("spot_vacancies", 0) == 0  # every report now stale


def test_micro_enterprise_hours_count_as_homecare_supply_in_their_ward_and_district():
    (district, (ward, other_ward)), _ = districts()
    micro_enterprise(
        locality=ward, enquiry=date(2026, 1, 2), trading=date(2026, 1, 10), returns=[(date(2026, 1, 10), "12.5", 2)]
    )
    micro_enterprise(  # registered at district level: counted in the district only
        locality=district, enquiry=date(2026, 1, 2), trading=date(2026, 2, 1), returns=[(date(2026, 2, 1), "6", 1)]
    )
    micro_enterprise(locality=other_ward, enquiry=date(2026, 1, 2))  # an enquiry delivers nothing

    supply = supply_on(on=ON)
    assert supply.get(district.pk, "homecare_hours")["micro_enterprise_hours"] == Decimal("18.5")
    assert supply.get(ward.pk, "homecare_hours")["micro_enterprise_hours"] == Decimal("12.5")
    assert supply.get(other_ward.pk, "homecare_hours") == {}
    assert supply_total(supply.get(district.pk, "homecare_hours")) == Decimal("18.5")
