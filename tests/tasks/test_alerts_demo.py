"""The demo's own risks are alerts once it loads: the compliance officer has them in the inbox."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

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

    # The lot mobilising as the demo loads: its registered manager is overdue and recruitment is behind, with
    # go-live weeks away; and a block contract whose break clause is inside its notice period plus the margin.
    today = timezone.localdate()
    assert {"milestone_red", "recruitment_behind", "contract_end_near"} <= rules, rules
    red = [alert for alert in alerts if alert["rule"] == "milestone_red"]
    assert any("Registered manager" in alert["title"] for alert in red), [alert["title"] for alert in red]
    for alert in red + [alert for alert in alerts if alert["rule"] == "recruitment_behind"]:
        weeks_to_go_live = (date.fromisoformat(alert["evidence"]["go_live_on"]) - today).days / 7
        assert 1 <= weeks_to_go_live <= 12, alert
    behind = next(alert for alert in alerts if alert["rule"] == "recruitment_behind")
    assert behind["evidence"]["recruited"] < behind["evidence"]["planned"]
    notice = next(alert for alert in alerts if alert["rule"] == "contract_end_near")
    assert notice["evidence"]["date_kind"] == "break_clause"
    break_clause = date.fromisoformat(notice["evidence"]["date"])
    assert today < break_clause <= today + timedelta(days=6 * 31 + 90)

    call_command("demo_load")  # loading again raises nothing twice
    again = api.get("/api/v1/alerts/", {"status": "open", "page_size": 200}).json()["results"]
    assert sorted(alert["fingerprint"] for alert in again) == sorted(alert["fingerprint"] for alert in alerts)
