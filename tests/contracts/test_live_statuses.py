"""Which contracts count: a draft's beds are not bought yet, so they are neither offered, nor supply, nor void
cost, nor active in the register, nor uplifted; an ended contract's past voids stay in the periods it ran."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import ContractStatus
from contracts.services import contract_update, uplift_apply
from market.selectors.supply import supply_on
from tests.contracts.factories import make_contract, make_line
from tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    """Two homes in one district, each with 2 empty nursing beds since 40 days ago at £700 a week: one under a
    live contract, one under a draft."""
    today = timezone.localdate()
    district = LocalityFactory(code="E07000010", name="Fenland")
    start = today - timedelta(days=40)
    live = make_contract(start_date=start, break_clause_date=None)
    draft = make_contract(start_date=start, break_clause_date=None, status=ContractStatus.DRAFT)
    lines = {
        name: make_line(contract=contract, beds=2, activation_date=start, district=district, registered_beds=10)
        for name, contract in (("live", live), ("draft", draft))
    }
    return {"today": today, "start": start, "district": district, "live": live, "draft": draft, "lines": lines}


def test_a_draft_contracts_empty_beds_cost_nothing_in_the_void_report(api, estate):
    api.as_role(Role.COMMISSIONER)
    today = estate["today"]
    period = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat(), "group_by": "contract"}
    rows = api.get("/api/v1/voids/", period).json()["results"]
    assert [(row["label"], row["void_cost"]) for row in rows] == [(estate["live"].reference, "1400.00")]


def test_a_draft_contracts_empty_beds_are_not_on_the_maps_void_layer(api, estate):
    api.as_role(Role.COMMISSIONER)
    response = api.get("/api/v1/geo/localities/", {"kind": "district", "properties": "voids"})
    (fenland,) = response.json()["features"]
    properties = fenland["properties"]
    assert (properties["contracted_beds"], properties["void_beds"], properties["void_cost_per_week"]) == (2, 2, 1400.0)


def test_the_register_shows_no_active_beds_on_a_draft_contract(api, estate):
    api.as_role(Role.CONTRACT_OFFICER)
    rows = api.get("/api/v1/contracts/").json()["results"]
    assert {row["reference"]: row["active_beds"] for row in rows} == {
        estate["live"].reference: 2,
        estate["draft"].reference: 0,
    }


def test_supply_and_the_bed_finder_leave_the_draft_out_as_the_void_figures_do(api, estate):
    tally = supply_on(on=estate["today"])
    assert tally.get(estate["district"].pk, "nursing")["block_beds"] == 2
    api.as_role(Role.BROKER)
    response = api.get("/api/v1/beds/available/", {"care_type": "nursing", "district": "E07000010"})
    assert response.status_code == 200, response.json()
    assert [row["bed_line_id"] for row in response.json()["block_beds"]] == [estate["lines"]["live"].pk]


def test_the_uplift_leaves_a_draft_contract_at_its_price(estate):
    uplift_apply(effective_from=estate["today"], nlw_percent=Decimal("4"), cpi_percent=Decimal("2"))
    live, draft = estate["lines"]["live"], estate["lines"]["draft"]
    assert live.rate_changes.count() == 2
    assert draft.rate_changes.count() == 1


def test_an_ended_contracts_voids_stay_in_the_period_it_ran(api, estate):
    api.as_role(Role.COMMISSIONER)
    today = estate["today"]
    contract_update(contract=estate["live"], status=ContractStatus.ENDED)
    period = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat(), "group_by": "contract"}
    rows = api.get("/api/v1/voids/", period).json()["results"]
    assert [row["label"] for row in rows] == [estate["live"].reference]
