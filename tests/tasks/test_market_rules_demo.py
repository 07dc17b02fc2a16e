"""The demo's market risks are alerts once it loads: East Cambridgeshire's nursing dementia gap reaches the
compliance officer's inbox on the first sweep."""

import pytest
from django.core.management import call_command

from accounts.models import User
from market.demo_demand import EAST_CAMBRIDGESHIRE, HUNTINGDONSHIRE

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_compliance_officer_sees_east_cambridgeshires_nursing_dementia_gap(api):
    call_command("demo_load")
    officer = User.objects.filter(groups__name="compliance_officer").first()
    api.force_authenticate(officer)
    answer = api.get("/api/v1/alerts/", {"rule": "capacity_gap", "status": "open", "page_size": 200})
    assert answer.status_code == 200
    gaps = {
        (alert["evidence"]["locality"], alert["evidence"]["care_type"]): alert for alert in answer.json()["results"]
    }
    east = gaps[(EAST_CAMBRIDGESHIRE, "nursing_dementia")]
    evidence = east["evidence"]
    assert evidence["gap"] > 5 and evidence["block_beds"] > 0
    assert evidence["gap"] == pytest.approx(evidence["demand"] + evidence["waiting_need"] - evidence["supply"])
    assert "East Cambridgeshire" in east["title"]
    assert (HUNTINGDONSHIRE, "nursing_dementia") not in gaps  # well supplied
