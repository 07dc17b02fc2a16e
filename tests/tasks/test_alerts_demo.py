"""The demo's own risks are alerts once it loads: the compliance officer has them in the inbox."""

import pytest
from django.core.management import call_command

from accounts.models import User

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_raises_its_own_risks_for_the_compliance_officer(api):
    call_command("demo_load")
    officer = User.objects.filter(groups__name="compliance_officer").first()
    api.force_authenticate(officer)
    alerts = api.get("/api/v1/alerts/", {"status": "open", "page_size": 200}).json()["results"]
    rules = {alert["rule"] for alert in alerts}
    # The Inadequate lead provider under a no-new-work condition with live lots; voids in Cambridgeshire homes;
    # the West Leicestershire lots still vacant.
    assert {"home_in_use_at_risk", "void_level", "lot_unserved"} <= rules, rules
    inadequate = next(alert for alert in alerts if alert["rule"] == "home_in_use_at_risk")
    assert inadequate["severity"] == "critical"
    void = next(alert for alert in alerts if alert["rule"] == "void_level")
    assert float(void["evidence"]["void_cost"]) > 0

    call_command("demo_load")  # loading again raises nothing twice
    again = api.get("/api/v1/alerts/", {"status": "open", "page_size": 200}).json()["results"]
    assert sorted(alert["fingerprint"] for alert in again) == sorted(alert["fingerprint"] for alert in alerts)
