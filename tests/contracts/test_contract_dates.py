"""A contract's status follows its dates: the daily sweep ends a live contract after its end date, with a history
row saying so; and whether a break clause was exercised is recorded through its own door (API and admin)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import BreakDecision, Contract, ContractStatus
from contracts.services import contracts_end_overdue
from contracts.tasks import contracts_end_sweep
from tasks.schedules import SCHEDULES
from tests.contracts.factories import make_contract, make_line
from tests.contracts.test_admin import contract_form
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def test_a_contract_past_its_end_date_is_ended_by_the_daily_sweep_and_offers_no_beds(api, today):
    started = today - timedelta(days=400)
    ended = make_contract(start_date=started, end_date=today - timedelta(days=1), break_clause_date=None)
    make_line(contract=ended, activation_date=started)
    last_day = make_contract(start_date=started, end_date=today, break_clause_date=None)
    open_ended = make_contract(start_date=started, break_clause_date=None)

    assert contracts_end_sweep() == 1
    assert contracts_end_sweep() == 0  # safe to run twice
    statuses = dict(Contract.objects.values_list("reference", "status"))
    assert statuses == {
        ended.reference: ContractStatus.ENDED,
        last_day.reference: ContractStatus.LIVE,
        open_ended.reference: ContractStatus.LIVE,
    }
    latest = ended.history.latest()
    assert latest.status == ContractStatus.ENDED and str(ended.end_date) in latest.history_change_reason

    api.as_role(Role.CONTRACT_OFFICER)
    register = {row["reference"]: row for row in api.get("/api/v1/contracts/").json()["results"]}
    assert register[ended.reference]["status"] == "ended" and register[ended.reference]["active_beds"] == 0


def test_the_sweep_is_on_the_schedules_daily(today):
    (schedule,) = [item for item in SCHEDULES if item.task == "contracts.tasks.contracts_end_sweep"]
    assert schedule.crontab.get("hour") is not None and schedule.every is None
    assert contracts_end_overdue(on=today) == []


def test_a_contract_officer_records_a_break_exercised_and_the_contract_ends_on_its_break_date(api, today):
    contract = make_contract(
        start_date=today - timedelta(days=2000),
        break_clause_date=today + timedelta(days=90),
        end_date=today + timedelta(days=900),
    )
    api.as_role(Role.BROKER)
    url = f"/api/v1/contracts/{contract.pk}/break-decision/"
    body = {"decision": "exercised", "decided_on": str(today), "note": "Re-procured under the new framework"}
    assert api.post(url, body, format="json").status_code == 403

    officer = api.as_role(Role.CONTRACT_OFFICER)
    future = api.post(url, {**body, "decided_on": str(today + timedelta(days=1))}, format="json")
    assert future.status_code == 400, future.content
    response = api.post(url, body, format="json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["break_decision"], answer["end_date"], answer["status"]) == (
        "exercised",
        str(contract.break_clause_date),
        "ending",
    )
    assert Contract.history.filter(id=contract.pk).latest().history_user == officer

    # The decision is not an edit: a PATCH cannot set it.
    api.patch(f"/api/v1/contracts/{contract.pk}/", {"break_decision": "not_exercised"}, format="json")
    assert Contract.objects.get(pk=contract.pk).break_decision == BreakDecision.EXERCISED


def test_the_admin_records_a_break_decision_through_the_service(client, today):
    contract = make_contract(start_date=today - timedelta(days=2000), break_clause_date=today - timedelta(days=5))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = contract_form(
        contract, break_decision="not_exercised", break_decided_on=str(today), break_decision_note="Runs on to its end"
    )
    response = client.post(f"/admin/contracts/contract/{contract.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contract.refresh_from_db()
    assert (contract.break_decision, contract.break_decided_on) == (BreakDecision.NOT_EXERCISED, today)
    assert contract.history.latest().history_user.is_superuser

    future = contract_form(contract, break_decision="exercised", break_decided_on=str(today + timedelta(days=1)))
    refused = client.post(f"/admin/contracts/contract/{contract.pk}/change/", future)
    assert refused.status_code == 200 and "cannot be dated in the future" in refused.content.decode()
