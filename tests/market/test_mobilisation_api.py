from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from market.models import Milestone, MobilisationPlan, RecruitmentReport
from market.services.mobilisation import (
    criterion_assess,
    gateway_create,
    gateway_decide,
    milestone_create,
    plan_create,
    recruitment_trajectory_set,
)
from tests.factories import ProviderFactory, ProviderMembershipFactory
from tests.market.mobilisation_factories import award_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def a_plan(provider=None, *, milestones=2):
    award = award_for(provider=provider, awarded_on=TODAY - timedelta(days=60), go_live_on=TODAY + timedelta(days=90))
    plan = plan_create(award=award)
    for n in range(milestones):
        milestone_create(plan=plan, kind="policies", title=f"Milestone {n}", due_on=TODAY + timedelta(days=5 * n - 3))
    recruitment_trajectory_set(plan=plan, weeks=[{"week_ending": TODAY - timedelta(days=3), "planned_staff": 30}])
    gateway = gateway_create(
        plan=plan, name="Go-live", criteria=[{"text": "Registered manager in post", "mandatory": True}]
    )
    criterion_assess(criterion=gateway.criteria.get(), result="passed")
    gateway_decide(gateway=gateway, outcome="go", risk_level=1, reason="Ready")
    return plan


def provider_user(api):
    user = api.as_role(Role.PROVIDER_USER)
    provider = ProviderFactory()
    ProviderMembershipFactory(user=user, provider=provider)
    return provider


def test_a_plan_shows_its_rag_milestones_recruitment_and_go_live_flag(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    plan = a_plan()
    body = api.get(f"/api/v1/market/mobilisation-plans/{plan.pk}/").json()
    assert body["rag"] == "red"  # the first milestone is three days overdue
    assert [m["rag"] for m in body["milestones"]] == ["red", "amber"]
    assert "overdue" in body["milestones"][0]["rag_reasons"][0]
    assert body["recruitment"] == {"planned": 30, "recruited": 0, "behind_percent": 100.0, "behind": True}
    assert body["go_live_late"] is False
    earlier = api.get(f"/api/v1/market/mobilisation-plans/{plan.pk}/", {"on": (TODAY - timedelta(days=30)).isoformat()})
    assert earlier.json()["rag"] == "green"


def test_brokers_read_plans_but_cannot_write(api):
    api.as_role(Role.BROKER)
    plan = a_plan()
    assert api.get("/api/v1/market/mobilisation-plans/").status_code == 200
    response = api.patch(f"/api/v1/market/mobilisation-plans/{plan.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 403


def test_a_contract_officer_creates_a_plan_and_a_late_go_live_needs_a_reason(api):
    api.as_role(Role.CONTRACT_OFFICER)
    award = award_for(awarded_on=date(2016, 5, 1), go_live_on=date(2016, 11, 1))
    refused = api.post(
        "/api/v1/market/mobilisation-plans/", {"award": award.pk, "go_live_on": "2016-12-01"}, format="json"
    )
    assert refused.status_code == 400
    assert "late_go_live_reason" in refused.json()["error"]["fields"]
    made = api.post(
        "/api/v1/market/mobilisation-plans/",
        {"award": award.pk, "go_live_on": "2016-12-01", "late_go_live_reason": "Second TUPE consultation"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["go_live_late"] is True and made.json()["go_live_latest"] == "2016-11-01"


def test_a_gateway_go_with_a_failed_mandatory_criterion_is_a_409_naming_it(api):
    api.as_role(Role.COMMISSIONER)
    plan = a_plan()
    gateway = gateway_create(
        plan=plan, name="Readiness 2", criteria=[{"text": "Call monitoring live", "mandatory": True}]
    )
    criterion = gateway.criteria.get()
    assessed = api.post(
        f"/api/v1/market/gateways/{gateway.pk}/assess/",
        {"criterion": criterion.pk, "result": "failed", "note": "Not installed"},
        format="json",
    )
    assert assessed.status_code == 200
    response = api.post(
        f"/api/v1/market/gateways/{gateway.pk}/decide/",
        {"outcome": "go", "risk_level": 1, "reason": "Nearly there"},
        format="json",
    )
    assert response.status_code == 409
    assert "Call monitoring live" in response.json()["error"]["message"]
    no_go = api.post(
        f"/api/v1/market/gateways/{gateway.pk}/decide/",
        {"outcome": "no_go", "risk_level": 3, "reason": "No call monitoring"},
        format="json",
    )
    assert no_go.status_code == 201 and no_go.json()["decided_by"] == api.user.username


def test_providers_report_progress_on_their_own_awards_only(api):
    provider = provider_user(api)
    own, other = a_plan(provider), a_plan()
    own_milestone, other_milestone = own.milestones.first(), other.milestones.first()

    listed = api.get("/api/v1/market/mobilisation-plans/").json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    reported = api.post(
        f"/api/v1/market/milestones/{own_milestone.pk}/progress/",
        {"status": "done", "evidence_url": "https://example.org/policies.pdf"},
        format="json",
    )
    assert reported.status_code == 200, reported.content
    assert reported.json()["rag"] == "green"
    staff = api.post(
        f"/api/v1/market/mobilisation-plans/{own.pk}/recruitment-reports/", {"staff_recruited": 28}, format="json"
    )
    assert staff.status_code == 200 and staff.json()["recruitment"]["recruited"] == 28

    for url in [
        f"/api/v1/market/mobilisation-plans/{other.pk}/",
        f"/api/v1/market/milestones/{other_milestone.pk}/",
        f"/api/v1/market/gateways/{other.gateways.get().pk}/",
        f"/api/v1/market/gateway-decisions/{other.gateways.get().decisions.get().pk}/",
    ]:
        assert api.get(url).status_code == 404, url
    assert (
        api.post(
            f"/api/v1/market/milestones/{other_milestone.pk}/progress/", {"status": "done"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/market/mobilisation-plans/{other.pk}/recruitment-reports/", {"staff_recruited": 5}, format="json"
        ).status_code
        == 404
    )
    assert Milestone.objects.get(pk=other_milestone.pk).status == "not_started"
    assert not RecruitmentReport.objects.filter(plan=other).exists()
    # Each list names its rows' plan (or gateway): the other provider's never appears (ids of plans and of
    # gateways are compared only with their own kind, since one plan's id may be another gateway's).
    other_gateway = other.gateways.get().pk
    for url, key, hidden in [
        ("/api/v1/market/milestones/", "plan", other.pk),
        ("/api/v1/market/gateways/", "plan", other.pk),
        ("/api/v1/market/gateway-decisions/", "gateway", other_gateway),
    ]:
        owners = {row[key] for row in api.get(url).json()["results"]}
        assert owners and hidden not in owners, url


def test_providers_cannot_change_what_the_council_sets(api):
    provider = provider_user(api)
    own = a_plan(provider)
    assert (
        api.patch(
            f"/api/v1/market/mobilisation-plans/{own.pk}/", {"go_live_on": "2030-01-01"}, format="json"
        ).status_code
        == 403
    )
    milestone = own.milestones.first()
    assert (
        api.patch(f"/api/v1/market/milestones/{milestone.pk}/", {"due_on": "2030-01-01"}, format="json").status_code
        == 403
    )
    gateway = own.gateways.get()
    decided = api.post(
        f"/api/v1/market/gateways/{gateway.pk}/decide/",
        {"outcome": "go", "risk_level": 1, "reason": "x"},
        format="json",
    )
    assert decided.status_code == 403
    assert MobilisationPlan.objects.get(pk=own.pk).go_live_on == own.go_live_on


def _list_queries(api, url: str) -> int:
    api.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(queries)


LISTS = [
    "/api/v1/market/mobilisation-plans/",
    "/api/v1/market/milestones/",
    "/api/v1/market/gateways/",
    "/api/v1/market/gateway-decisions/",
    "/api/v1/market/mobilisation-templates/",
]


@pytest.mark.parametrize("url", LISTS)
def test_mobilisation_lists_cost_the_same_number_of_queries_for_1_and_6_plans(api, url):
    from market.services.mobilisation import template_create

    api.as_role(Role.CONTRACT_OFFICER)
    a_plan()
    template_create(name="Template 0", milestones=[{"kind": "policies", "title": "Policies"}])
    one = _list_queries(api, url)
    for n in range(5):
        a_plan(milestones=3)
        template_create(name=f"Template {n + 1}", milestones=[{"kind": "policies", "title": "Policies"}])
    assert _list_queries(api, url) == one


@pytest.mark.parametrize("url", LISTS[:4])
def test_provider_users_lists_also_cost_a_fixed_number_of_queries(api, url):
    provider = provider_user(api)
    a_plan(provider)
    one = _list_queries(api, url)
    for _ in range(4):
        a_plan(provider, milestones=3)
    assert _list_queries(api, url) == one


def test_unknown_query_parameters_are_refused(api):
    api.as_role(Role.COMMISSIONER)
    response = api.get("/api/v1/market/mobilisation-plans/", {"rag": "red"})
    assert response.status_code == 400 and "rag" in response.json()["error"]["fields"]
    assert api.get("/api/v1/market/milestones/", {"on": "yesterday"}).status_code == 400
