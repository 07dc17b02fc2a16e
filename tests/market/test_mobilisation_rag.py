"""The mobilisation RAG after go-live and the status shown beside it: a lot live for years is no longer
mobilising (no red on its register row or the map), a go-live that has passed is never "within" N days, and
the CQC registration milestone's status follows the providers register as its RAG does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from market.models import Lot, Rag
from market.selectors.layers import lot_delivery
from market.selectors.mobilisation import plan_progress, plans_with_progress
from market.services.mobilisation import milestone_create, milestone_report, plan_create, plan_update
from tests.factories import LocationFactory, ProviderFactory, UserFactory
from tests.market.mobilisation_factories import award_for, lot_with_wards

pytestmark = pytest.mark.django_db


def milestones(plan, on):
    plan = plans_with_progress(type(plan).objects.filter(pk=plan.pk)).get()
    return plan_progress(plan, on=on).milestones


def plan_gone_live(today, *, days_ago: int):
    """A lot whose lead provider went live `days_ago` days ago with its critical call monitoring blocked."""
    go_live = today - timedelta(days=days_ago)
    lot, _ = lot_with_wards(code=f"HTLAH-{days_ago:02d}")
    award = award_for(lot=lot, provider=ProviderFactory(), awarded_on=go_live - timedelta(days=150), go_live_on=go_live)
    plan = plan_create(award=award)
    monitoring = milestone_create(
        plan=plan,
        kind="call_monitoring",
        title="Electronic call monitoring live",
        due_on=go_live - timedelta(days=21),
        critical=True,
    )
    milestone_report(milestone=monitoring, status="blocked", evidence_note="Supplier late")
    return lot, plan, monitoring


def test_a_lot_live_for_years_is_no_longer_red_for_its_mobilisation(client):
    today = timezone.localdate()
    lot, plan, monitoring = plan_gone_live(today, days_ago=3000)
    assert lot_delivery(lots=[lot], on=today)[lot.pk]["mobilisation_rag"] is None
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    row = client.get("/lots/").content.decode()
    assert "Not mobilising" in row and "govuk-tag--red" not in row
    # The plan itself still tells what was never done, without claiming go-live is near.
    reasons = milestones(plan, today)[monitoring.pk].reasons
    assert not [reason for reason in reasons if "within" in reason], reasons


def test_a_go_live_that_has_passed_is_not_within_the_amber_window():
    today = timezone.localdate()
    lot, plan, monitoring = plan_gone_live(today, days_ago=5)
    entry = milestones(plan, today)[monitoring.pk]
    assert entry.rag == Rag.RED  # still mobilising, overdue and blocked
    assert not [reason for reason in entry.reasons if "within" in reason], entry.reasons
    assert lot_delivery(lots=[Lot.objects.get(pk=lot.pk)], on=today)[lot.pk]["mobilisation_rag"] == Rag.RED


def test_a_cqc_registration_met_in_the_register_shows_done_not_not_started(client):
    today = timezone.localdate()
    lot, _ = lot_with_wards(code="HTLAH-05")
    provider = ProviderFactory()
    award = award_for(
        lot=lot, provider=provider, awarded_on=today - timedelta(days=60), go_live_on=today + timedelta(days=60)
    )
    plan = plan_create(award=award)
    cqc = milestone_create(
        plan=plan,
        kind="cqc_registration",
        title="Delivering location registered with CQC",
        due_on=today + timedelta(days=20),
        critical=True,
    )
    agency = LocationFactory(
        provider=provider,
        care_home=False,
        registration_status="Registered",
        registration_date=today - timedelta(days=3),
    )
    plan_update(plan=plan, delivering_location=agency)
    entry = milestones(plan, today)[cqc.pk]
    assert (entry.status_label, entry.rag) == ("Done", Rag.GREEN)

    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    html = client.get(f"/lots/{lot.pk}/").content.decode()
    row = html[html.index("Delivering location registered with CQC") :].split("</tr>")[0]
    assert "Done" in row and "Not started" not in row
