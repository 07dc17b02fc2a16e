"""The mobilisation and contingency admin saves through the services and shows their refusals on the form."""

from datetime import date

import pytest

from market.models import ContingencyArrangement, GatewayDecision, MobilisationPlan
from market.services.mobilisation import criterion_assess, gateway_create, plan_create
from tests.market.admin_forms import form_errors
from tests.market.mobilisation_factories import award_for, lot_with_wards

pytestmark = pytest.mark.django_db


def test_a_late_go_live_without_a_reason_is_refused_on_the_plan_form(admin_client):
    award = award_for(awarded_on=date(2016, 5, 1), go_live_on=date(2016, 11, 1))
    form = {"award": award.pk, "go_live_on": "2016-12-01", "late_go_live_reason": "", "notes": ""}
    errors = form_errors(admin_client.post("/admin/market/mobilisationplan/add/", form))
    assert "six months" in errors["late_go_live_reason"]
    assert not MobilisationPlan.objects.exists()
    form["late_go_live_reason"] = "TUPE consultation extended"
    assert admin_client.post("/admin/market/mobilisationplan/add/", form).status_code == 302
    assert MobilisationPlan.objects.get().late_go_live_reason == "TUPE consultation extended"


def test_a_go_decision_with_a_failed_mandatory_criterion_is_refused_on_the_decision_form(admin_client):
    plan = plan_create(award=award_for())
    gateway = gateway_create(plan=plan, name="Go-live", criteria=[{"text": "Manager in post", "mandatory": True}])
    criterion_assess(criterion=gateway.criteria.get(), result="failed")
    form = {
        "gateway": gateway.pk,
        "outcome": "go",
        "risk_level": 1,
        "reason": "Ready",
        "conditions": "",
        "decided_on": "2016-10-24",
    }
    errors = form_errors(admin_client.post("/admin/market/gatewaydecision/add/", form))
    assert "Manager in post" in errors["outcome"]
    assert not GatewayDecision.objects.exists()


def test_a_second_open_contingency_arrangement_is_refused_on_the_form(admin_client):
    lot, _ = lot_with_wards()
    form = {"lot": lot.pk, "reason": "lot_vacant", "start_date": "2016-11-07", "transfer_to": "either", "notes": ""}
    assert admin_client.post("/admin/market/contingencyarrangement/add/", form).status_code == 302
    errors = form_errors(admin_client.post("/admin/market/contingencyarrangement/add/", form))
    assert "already has an open contingency arrangement" in errors["lot"]
    assert ContingencyArrangement.objects.count() == 1
