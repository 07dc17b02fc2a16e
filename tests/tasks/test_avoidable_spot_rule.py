"""The avoidable_spot rule: a district with people in spot beds bought while a block bed of their care type was free
nearby raises, with the people and their cost above the block rate a week; it resolves when they move to a block
bed."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from accounts.roles import Role
from contracts.services import placement_move
from tasks.models import Alert, AlertStatus
from tasks.rules import load
from tasks.services.delivery.subscriptions import ROLE_DEFAULTS, default_rule_codes
from tests.contracts.factories import make_line
from tests.market.analysis_factories import district, home, spot
from tests.tasks.alert_factories import open_alerts, run

pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 3, 10))]
DAY = date(2026, 3, 10)


def test_a_district_with_an_avoidable_spot_purchase_raises_and_resolves_when_the_person_moves_to_a_block_bed():
    east, hunts = district("E07000009", "East Cambridgeshire"), district("E07000011", "Huntingdonshire")
    line = make_line(location=home(district=east), beds=2)
    avoidable = spot(location=home(district=east), weekly_cost="1050.00", start=date(2026, 3, 1))
    spot(location=home(district=hunts), care_type="residential", start=date(2026, 3, 1))  # no residential void
    run("avoidable_spot")

    (alert,) = open_alerts("avoidable_spot")
    assert alert.locality == east and alert.subject_kind == "locality"
    assert alert.evidence["people"] == 1 and alert.evidence["weekly_cost_above_block_rate"] == "350.00"
    assert "East Cambridgeshire: 1 person in spot beds bought while block beds were free" in alert.title

    placement_move(placement=avoidable, on=DAY, kind="block", bed_line=line)
    run("avoidable_spot")  # the spot stay's last day is today: still counted
    assert len(open_alerts("avoidable_spot")) == 1
    run("avoidable_spot", at=_noon(date(2026, 3, 11)))
    assert open_alerts("avoidable_spot") == []
    assert Alert.objects.get(rule__code="avoidable_spot").status == AlertStatus.RESOLVED


def test_commissioners_hear_of_avoidable_spot_purchases_by_default():
    load()
    (commissioners,) = ROLE_DEFAULTS[Role.COMMISSIONER]
    assert "avoidable_spot" in default_rule_codes(role=Role.COMMISSIONER, default=commissioners)


def _noon(day):
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
