from datetime import date
from decimal import Decimal

import pytest

from contracts.models import RateChange
from contracts.selectors import rate_on
from contracts.services import uplift_apply, uplift_percent
from tests.contracts.factories import make_contract, make_line

pytestmark = pytest.mark.django_db


def test_uplift_weights_nlw_and_cpi_and_is_capped_at_three_percent():
    contract = make_contract(uplift_nlw_weight=Decimal("0.6"), uplift_cpi_weight=Decimal("0.4"))
    assert uplift_percent(contract=contract, nlw_percent=Decimal("2.0"), cpi_percent=Decimal("1.0")) == Decimal("1.6")
    assert uplift_percent(contract=contract, nlw_percent=Decimal("9.8"), cpi_percent=Decimal("6.7")) == Decimal("3")
    assert uplift_percent(contract=contract, nlw_percent=Decimal("0"), cpi_percent=Decimal("-2")) == Decimal("0")


def test_uplift_applies_from_its_effective_date_to_every_contract_once():
    capped = make_contract(uplift_cap_percent=Decimal("3.00"))
    uncapped = make_contract(uplift_cap_percent=None, uplift_nlw_weight=Decimal("1"), uplift_cpi_weight=Decimal("0"))
    a = make_line(contract=capped, weekly_rate=Decimal("800.00"), activation_date=date(2025, 1, 1))
    b = make_line(contract=uncapped, weekly_rate=Decimal("1000.00"), activation_date=date(2025, 1, 1))
    later = make_line(contract=capped, weekly_rate=Decimal("900.00"), activation_date=date(2026, 6, 1))

    result = uplift_apply(effective_from=date(2026, 4, 1), nlw_percent=Decimal("6.7"), cpi_percent=Decimal("3.8"))
    assert result == {"uplifted": 2, "already_uplifted": 0}
    assert rate_on(bed_line=a, on=date(2026, 3, 31)) == Decimal("800.00")
    assert rate_on(bed_line=a, on=date(2026, 4, 1)) == Decimal("824.00")  # capped at 3%
    assert rate_on(bed_line=b, on=date(2026, 4, 1)) == Decimal("1067.00")  # NLW only, no cap
    assert rate_on(bed_line=later, on=date(2026, 6, 1)) == Decimal("900.00")  # activated after: tender price

    again = uplift_apply(effective_from=date(2026, 4, 1), nlw_percent=Decimal("6.7"), cpi_percent=Decimal("3.8"))
    assert again == {"uplifted": 0, "already_uplifted": 2}
    assert RateChange.objects.filter(effective_from=date(2026, 4, 1)).count() == 2
    change = RateChange.objects.get(bed_line=a, effective_from=date(2026, 4, 1))
    assert (change.reason, change.uplift_percent) == ("uplift", Decimal("3.000"))
    assert change.history.count() == 1


def test_uplift_for_one_contract_leaves_the_others_alone():
    one, other = make_contract(), make_contract()
    a = make_line(contract=one, activation_date=date(2025, 1, 1))
    b = make_line(contract=other, activation_date=date(2025, 1, 1))
    uplift_apply(effective_from=date(2026, 4, 1), nlw_percent=2, cpi_percent=2, contract=one)
    assert rate_on(bed_line=a, on=date(2026, 4, 1)) == Decimal("714.00")
    assert rate_on(bed_line=b, on=date(2026, 4, 1)) == Decimal("700.00")
