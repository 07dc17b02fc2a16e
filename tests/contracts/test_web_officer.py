"""Contract officers' pages: the uplift (preview each line's old and new rate and where the cap applied, then
apply), a contract's variation with its reason in the history, and a bed line's rate history. The clock is pinned,
so the factories' contracts date from the same day as the uplift's fixed dates."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from contracts.models import Contract, RateChange
from contracts.selectors import rate_on
from tests.contracts.factories import make_contract, make_line
from tests.factories import ProviderMembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]

APRIL = {"effective_from-day": "1", "effective_from-month": "4", "effective_from-year": "2026"}


@pytest.fixture
def lines():
    capped = make_contract(reference="CCC-BLOCK-0810", uplift_cap_percent=Decimal("3.00"))
    uncapped = make_contract(
        reference="CCC-BLOCK-0811",
        uplift_cap_percent=None,
        uplift_nlw_weight=Decimal("1"),
        uplift_cpi_weight=Decimal("0"),
    )
    return {
        "capped": make_line(contract=capped, weekly_rate=Decimal("800.00"), activation_date=date(2025, 1, 1)),
        "uncapped": make_line(contract=uncapped, weekly_rate=Decimal("1000.00"), activation_date=date(2025, 1, 1)),
    }


def sign_in(client, *roles):
    user = UserFactory(roles=roles)
    client.force_login(user)
    return user


def test_an_uplift_preview_shows_each_lines_old_and_new_rate_and_the_cap_and_writes_nothing(client, lines):
    sign_in(client, Role.CONTRACT_OFFICER)
    answer = client.post(
        "/contracts/uplift/", {**APRIL, "nlw_percent": "6.7", "cpi_percent": "3.8", "action": "preview"}
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "£800.00" in html and "£824.00" in html  # capped at 3%
    assert "£1,000.00" in html and "£1,067.00" in html  # NLW only, no cap
    assert "Capped" in html and "5.54% held to 3.00%" in html
    assert "2 lines to uplift, 1 of them held to their contract's cap" in html
    assert not RateChange.objects.filter(reason="uplift").exists()


def test_applying_the_uplift_records_the_new_rates_once(client, lines):
    sign_in(client, Role.CONTRACT_OFFICER)
    figures = {**APRIL, "nlw_percent": "6.7", "cpi_percent": "3.8", "action": "apply"}
    answer = client.post("/contracts/uplift/", figures, follow=True)
    assert "2 bed lines uplifted from 1 April 2026." in answer.content.decode()
    assert rate_on(bed_line=lines["capped"], on=date(2026, 4, 1)) == Decimal("824.00")
    assert rate_on(bed_line=lines["uncapped"], on=date(2026, 4, 1)) == Decimal("1067.00")

    again = client.post("/contracts/uplift/", figures, follow=True).content.decode()
    assert "0 bed lines uplifted from 1 April 2026; 2 already had a rate from that day" in again
    assert RateChange.objects.filter(reason="uplift").count() == 2


def test_an_uplift_of_one_contract_leaves_the_other_alone(client, lines):
    sign_in(client, Role.COMMISSIONER)
    client.post(
        "/contracts/uplift/",
        {**APRIL, "nlw_percent": "2", "cpi_percent": "2", "contract": "CCC-BLOCK-0811", "action": "apply"},
    )
    assert rate_on(bed_line=lines["uncapped"], on=date(2026, 4, 1)) == Decimal("1020.00")
    assert rate_on(bed_line=lines["capped"], on=date(2026, 4, 1)) == Decimal("800.00")


def test_an_uplift_refused_shows_the_problem_on_its_field_and_in_the_summary(client, lines):
    sign_in(client, Role.CONTRACT_OFFICER)
    answer = client.post(
        "/contracts/uplift/",
        {
            "effective_from-day": "1",
            "effective_from-month": "4",
            "effective_from-year": "2024",
            "nlw_percent": "999",
            "cpi_percent": "",
            "action": "preview",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "There is a problem" in html
    assert "Enter the CPI increase" in html and 'href="#id_cpi_percent"' in html
    empty_day = client.post(
        "/contracts/uplift/",
        {
            "effective_from-day": "1",
            "effective_from-month": "4",
            "effective_from-year": "2024",
            "nlw_percent": "2",
            "cpi_percent": "2",
            "action": "preview",
        },
    ).content.decode()
    assert "No live block contract has beds live on 2024-03-31" in empty_day
    assert 'id="id_effective_from-error"' in empty_day


def test_a_variation_moves_the_break_clause_and_keeps_its_reason_in_the_history(client, lines):
    user = sign_in(client, Role.CONTRACT_OFFICER)
    contract = Contract.objects.get(reference="CCC-BLOCK-0810")
    answer = client.post(
        f"/contracts/{contract.pk}/vary/",
        {
            "break_clause_date-day": "1",
            "break_clause_date-month": "4",
            "break_clause_date-year": "2029",
            "notice_period_months": "9",
            "reason": "Deed of variation signed 3 March",
        },
        follow=True,
    )
    html = answer.content.decode()
    assert "CCC-BLOCK-0810 is varied: Deed of variation signed 3 March" in html
    contract.refresh_from_db()
    assert (contract.break_clause_date, contract.notice_period_months, contract.end_date) == (date(2029, 4, 1), 9, None)
    assert "Break clause:" in html and "to 1 April 2029" in html
    assert "Notice period (months): 6 to 9" in html and user.username in html


def test_a_variation_needs_a_reason_and_the_services_rules(client, lines):
    sign_in(client, Role.CONTRACT_OFFICER)
    contract = Contract.objects.get(reference="CCC-BLOCK-0810")
    no_reason = client.post(f"/contracts/{contract.pk}/vary/", {"notice_period_months": "6"})
    assert no_reason.status_code == 400 and "Say why the contract is varied" in no_reason.content.decode()
    before_start = client.post(
        f"/contracts/{contract.pk}/vary/",
        {
            "break_clause_date-day": "1",
            "break_clause_date-month": "1",
            "break_clause_date-year": "2001",
            "notice_period_months": "6",
            "reason": "Typed in error",
        },
    )
    html = before_start.content.decode()
    assert before_start.status_code == 400
    assert "The break clause date is before the contract starts." in html and 'href="#id_break_clause_date-day"' in html
    contract.refresh_from_db()
    assert contract.break_clause_date != date(2001, 1, 1)


def test_a_lines_rate_history_shows_each_rate_and_the_uplift_that_made_it(client, lines):
    sign_in(client, Role.CONTRACT_OFFICER)
    client.post("/contracts/uplift/", {**APRIL, "nlw_percent": "6.7", "cpi_percent": "3.8", "action": "apply"})
    contract_page = client.get(f"/contracts/{lines['capped'].contract_id}/").content.decode()
    assert f'href="/contracts/lines/{lines["capped"].pk}/"' in contract_page
    html = client.get(f"/contracts/lines/{lines['capped'].pk}/").content.decode()
    assert html.index("1 January 2025") < html.index("1 April 2026")
    assert "£824.00" in html and "Annual uplift: 3.00%" in html


@pytest.mark.parametrize("role", [Role.BROKER, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR])
def test_other_council_roles_may_not_uplift_or_vary(client, lines, role):
    sign_in(client, role)
    contract = lines["capped"].contract
    assert client.get("/contracts/uplift/").status_code == 403
    assert (
        client.post(
            "/contracts/uplift/", {**APRIL, "nlw_percent": "2", "cpi_percent": "2", "action": "apply"}
        ).status_code
        == 403
    )
    assert client.get(f"/contracts/{contract.pk}/vary/").status_code == 403
    assert (
        client.post(f"/contracts/{contract.pk}/vary/", {"notice_period_months": "1", "reason": "x"}).status_code == 403
    )
    assert not RateChange.objects.filter(reason="uplift").exists()
    assert Contract.objects.get(pk=contract.pk).notice_period_months == 6


def test_provider_users_may_not_uplift_vary_or_read_rate_history(client, lines):
    line = lines["capped"]
    client.force_login(ProviderMembershipFactory(provider=line.contract.provider).user)
    assert client.get("/contracts/uplift/").status_code == 403
    assert client.get(f"/contracts/{line.contract_id}/vary/").status_code == 403
    assert client.get(f"/contracts/lines/{line.pk}/").status_code == 403


def test_contract_officers_reach_the_uplift_from_the_navigation(client, lines):
    sign_in(client, Role.CONTRACT_OFFICER)
    assert 'href="/contracts/uplift/"' in client.get("/contracts/").content.decode()
