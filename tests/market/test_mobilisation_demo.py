from datetime import date

import pytest

from accounts.roles import Role
from contracts.selectors import homecare_counts
from market.demo_mobilisation import demo_load
from market.models import ContingencyArrangement, GatewayDecision, MobilisationPlan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo chain once for this module (it writes a few thousand placements through the services)."""
    from geo.demo import demo_load as geo_demo_load
    from market.demo import demo_load as market_demo_load
    from providers.demo import demo_load as providers_demo_load

    with django_db_blocker.unblock():
        geo_demo_load()
        providers_demo_load()
        market_demo_load()
        counts = demo_load()
        yield counts
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def test_six_months_after_go_live_933_with_lead_providers_712_in_contingency_674_on_direct_payments(demo):
    assert (
        demo["people_with_lead_providers"],
        demo["people_in_contingency"],
        demo["people_on_direct_payments"],
    ) == (933, 712, 674)
    county = homecare_counts(on=date(2017, 5, 7))
    assert (county["lead_provider"], county["contingency"], county["direct_payment"]) == (933, 712, 674)
    assert demo_load() == demo  # a second run writes nothing


def test_the_west_leicestershire_lots_are_in_contingency_and_behind_their_transfer_plan(demo, api):
    api.as_role(Role.CONTRACT_OFFICER)
    rows = api.get("/api/v1/market/contingency-arrangements/", {"on": "2017-05-07"}).json()["results"]
    by_lot = {row["lot"]: row for row in rows}
    assert set(by_lot) == {"HTLAH-01", "HTLAH-02", "HTLAH-03", "HTLAH-04"}
    assert {by_lot[code]["reason"] for code in ("HTLAH-02", "HTLAH-03", "HTLAH-04")} == {"provider_withdrew"}
    assert by_lot["HTLAH-01"]["reason"] == "cqc_conditions" and by_lot["HTLAH-01"]["escalated"] is True
    hinckley = api.get(
        f"/api/v1/market/contingency-arrangements/{by_lot['HTLAH-02']['id']}/", {"on": "2017-05-07"}
    ).json()
    assert hinckley["people"]["contingency"] == 230
    progress = hinckley["transfer_progress"]
    assert progress["moved"] == 50 and progress["moved_to_direct_payment"] == 50
    assert progress["planned"] == 160  # 16 whole weeks at 10 a week and progress["status"] == "behind"


def test_mobilisation_plans_show_late_milestones_and_the_blaby_escalation(demo, api):
    api.as_role(Role.COMMISSIONER)
    assert MobilisationPlan.objects.filter(award__lot__code__startswith="HTLAH-").count() == 12
    plans = api.get("/api/v1/market/mobilisation-plans/", {"on": "2016-11-07"}).json()["results"]
    rags = {plan["lot"]: plan["rag"] for plan in plans}
    assert rags["HTLAH-01"] == "red"
    late = sum(plan["milestones_late"] for plan in plans)
    assert late >= 2
    assert GatewayDecision.objects.filter(escalated=True).get().gateway.plan.award.lot.code == "HTLAH-01"
    assert ContingencyArrangement.objects.filter(escalated=True).count() == 1
