from datetime import date
from decimal import Decimal

import pytest

from contracts.models import RateChange
from contracts.selectors import rate_on
from contracts.services import uplift_apply, uplift_percent
from core.errors import DomainError
from tests.contracts.factories import make_contract, make_line

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


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


@pytest.mark.parametrize(
    ("nlw", "cpi", "field"),
    [
        ("-50", "2", "nlw_percent"),
        ("999", "2", "nlw_percent"),
        ("3", "-20.5", "cpi_percent"),
        ("3", "51", "cpi_percent"),
    ],
)
def test_uplift_percentages_outside_the_sane_range_are_refused_naming_the_field(api, nlw, cpi, field):
    from accounts.roles import Role

    line = make_line(activation_date=date(2025, 1, 1))
    api.as_role(Role.CONTRACT_OFFICER)
    response = api.post(
        "/api/v1/rate-changes/uplift/",
        {"effective_from": "2026-04-01", "nlw_percent": nlw, "cpi_percent": cpi},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not RateChange.objects.filter(bed_line=line, reason="uplift").exists()
    assert rate_on(bed_line=line, on=date(2026, 4, 1)) == Decimal("700.00")


def test_uplift_percentages_at_the_configured_limits_are_accepted(settings):
    settings.UPLIFT_PERCENT_MIN, settings.UPLIFT_PERCENT_MAX = -5, 10
    line = make_line(activation_date=date(2025, 1, 1))
    with pytest.raises(DomainError) as refused:
        uplift_apply(effective_from=date(2026, 4, 1), nlw_percent=Decimal("10.5"), cpi_percent=Decimal("0"))
    assert refused.value.field == "nlw_percent"
    assert uplift_apply(effective_from=date(2026, 4, 1), nlw_percent=10, cpi_percent=-5)["uplifted"] == 1
    assert rate_on(bed_line=line, on=date(2026, 4, 1)) == Decimal("721.00")  # 0.6 × 10 − 0.4 × 5 = 4%, capped at 3%


def test_an_uplift_from_a_date_on_which_no_contract_is_live_says_so(api):
    from accounts.roles import Role

    contract = make_contract()
    make_line(contract=contract, activation_date=date(2026, 1, 1))
    api.as_role(Role.CONTRACT_OFFICER)
    response = api.post(
        "/api/v1/rate-changes/uplift/",
        {"effective_from": "2020-04-01", "nlw_percent": "4", "cpi_percent": "2"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "no live block contract" in response.json()["error"]["fields"]["effective_from"][0].lower()
    with pytest.raises(DomainError) as refused:
        uplift_apply(effective_from=date(2025, 4, 1), nlw_percent=4, cpi_percent=2, contract=contract)
    assert refused.value.field == "effective_from" and contract.reference in refused.value.message
    assert not RateChange.objects.filter(reason="uplift").exists()
