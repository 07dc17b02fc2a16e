"""The what-if on the demo: the Cambridgeshire block provider at Market Oversight stage 6 and a Help to Live at Home
lead provider, each figure checked against the register counted another way."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from contracts.models import BedLine, Placement, PlacementKind
from contracts.selectors import active_on, free_beds_on
from market.models import FailureResponse, OversightEntry
from market.selectors.failure import failure_what_if
from tests.tasks.alert_factories import open_alerts, run

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_block_provider_at_stage_6_and_a_help_to_live_at_home_lead_provider():
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = timezone.localdate()
    entry = OversightEntry.objects.select_related("provider").get()
    provider = entry.provider

    answer = failure_what_if(provider=provider, on=today)

    in_beds = Placement.objects.filter(active_on(today), location__provider=provider, service="care_home")
    assert entry.stage == 6 and answer.people == in_beds.count() > 0
    assert len(answer.placed) + len(answer.short) == answer.people
    assert all(move.distance_km <= answer.radius_km for move in answer.placed)
    assert all(move.bed.care_type == move.person.care_type for move in answer.placed)
    used = Counter(move.bed.bed_line_id for move in answer.placed if move.bed.group == "block")
    for line in BedLine.objects.filter(pk__in=list(used)).select_related("location"):
        assert line.location.provider_id != provider.pk
        assert used[line.pk] <= free_beds_on(line=line, on=today)  # no bed given twice
    assert sum(row["people"] for row in answer.shortfall) == len(answer.short)
    response = FailureResponse.objects.get(provider=provider)
    opened = failure_what_if(provider=provider, on=response.opened_on, market_after=False)
    assert response.people.count() == opened.people  # the plan on the day it opened, frozen
    assert response.people.filter(planned_location__isnull=True).count() == len(opened.short)

    run("market_oversight_stage")
    [alert] = open_alerts("market_oversight_stage")
    assert alert.severity == "critical" and alert.evidence["people"] == answer.people

    lead = (
        Placement.objects.filter(active_on(today), kind=PlacementKind.LEAD_PROVIDER)
        .values_list("provider", flat=True)
        .first()
    )
    packages = Placement.objects.filter(active_on(today), provider_id=lead, service="homecare")
    homecare = failure_what_if(provider=packages.first().provider, on=today)
    assert homecare.homecare_hours == packages.aggregate(hours=Sum("hours_per_week"))["hours"] > Decimal(0)
    assert homecare.homecare_people == packages.values("reference").distinct().count()
