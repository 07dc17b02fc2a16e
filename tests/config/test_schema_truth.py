"""The OpenAPI schema tells the truth: the service's own answers match it, and the limits the service enforces are
declared in it, so a request the schema calls valid is not refused."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.roles import Role
from market.models import Milestone
from market.services.contingency import contingency_create
from market.services.mobilisation import gateway_create, gateway_decide, milestone_create, plan_create
from tasks.models import Alert
from tests.dates import TODAY
from tests.factories import LocalityFactory, ProviderFactory, UserFactory
from tests.market.factories import make_award, make_lot
from tests.market.mobilisation_factories import award_for, lot_with_wards
from tests.schema_answers import assert_documented, raw_schema
from tests.tasks.alert_factories import rule

pytestmark = pytest.mark.django_db


def test_an_alert_about_a_district_with_no_owner_matches_the_schema(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    district = LocalityFactory()
    alert = Alert.objects.create(
        rule=rule("home_in_use_at_risk"),
        severity="high",
        subject_kind="locality",
        subject_id=district.pk,
        fingerprint=f"district:{district.pk}",
        title="Short of beds",
        evidence={},
        first_seen=timezone.now(),
        last_seen=timezone.now(),
    )
    answer = api.get(f"/api/v1/alerts/{alert.pk}/")
    body = answer.json()
    assert [body[name] for name in ("provider_name", "location_name", "owner_user", "owner_user_name")] == [None] * 4
    assert_documented(answer)
    assert_documented(api.get("/api/v1/alerts/"))


def test_an_award_without_a_contract_yet_matches_the_schema(api):
    api.as_role(Role.CONTRACT_OFFICER)
    award = make_award()
    answer = api.get(f"/api/v1/market/awards/{award.pk}/")
    assert answer.json()["contract_reference"] is None
    assert_documented(answer)


def test_a_decision_by_someone_since_removed_matches_the_schema(api):
    api.as_role(Role.CONTRACT_OFFICER)
    plan = plan_create(award=award_for())
    gateway = gateway_create(plan=plan, name="Go-live", criteria=[])
    decider = UserFactory()
    decision = gateway_decide(gateway=gateway, outcome="no_go", risk_level=3, reason="Not ready", by=decider)
    decider.delete()
    answer = api.get(f"/api/v1/market/gateway-decisions/{decision.pk}/")
    assert answer.json()["decided_by"] is None
    assert_documented(answer)


def test_a_planned_lot_matches_the_schema_and_ending_an_award_still_offers_only_its_three_outcomes(api):
    api.as_role(Role.CONTRACT_OFFICER)
    lot = make_lot()
    answer = api.get(f"/api/v1/market/lots/{lot.pk}/")
    assert answer.json()["status"] == "planned"
    assert_documented(answer)
    end = request_body("/api/v1/market/awards/{id}/end/")["properties"]["lot_status"]
    assert component(end["allOf"][0])["enum"] == ["vacant", "in_contingency", "ended"]


def component(reference: dict) -> dict:
    return raw_schema()["components"]["schemas"][reference["$ref"].rsplit("/", 1)[1]]


def request_body(path: str) -> dict:
    operation = raw_schema()["paths"][path]["post"]
    return component(operation["requestBody"]["content"]["application/json"]["schema"])


def test_a_milestone_without_evidence_matches_the_schema(api):
    api.as_role(Role.CONTRACT_OFFICER)
    plan = plan_create(award=award_for())
    milestone = milestone_create(plan=plan, kind="policies", title="Policies", due_on=TODAY + timedelta(days=5))
    assert Milestone.objects.get(pk=milestone.pk).evidence_url == ""
    answer = api.get(f"/api/v1/market/milestones/{milestone.pk}/")
    assert_documented(answer)


def test_a_gateway_decision_answers_201_as_documented(api):
    api.as_role(Role.CONTRACT_OFFICER)
    gateway = gateway_create(plan=plan_create(award=award_for()), name="Go-live", criteria=[])
    answer = api.post(
        f"/api/v1/market/gateways/{gateway.pk}/decide/",
        {"outcome": "no_go", "risk_level": 3, "reason": "Not ready"},
        format="json",
    )
    assert answer.status_code == 201
    assert_documented(answer)


@pytest.mark.today(date(2026, 12, 7))
def test_the_trend_of_an_arrangement_older_than_three_years_is_answered_with_no_parameters(api):
    api.as_role(Role.CONTRACT_OFFICER)
    lot, _wards = lot_with_wards()
    arrangement = contingency_create(
        lot=lot,
        reason="provider_withdrew",
        start_date=date(2016, 11, 7),
        transfer_start=date(2017, 1, 2),
        people_per_week=1,
        providers=[ProviderFactory()],
    )
    answer = api.get(f"/api/v1/market/contingency-arrangements/{arrangement.pk}/trend/")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["end"] == "2026-12-07"
    assert date.fromisoformat(body["start"]) == date(2026, 12, 7) - timedelta(days=3 * 366)
    assert_documented(answer)


def parameter(path: str, name: str) -> dict:
    return next(item["schema"] for item in raw_schema()["paths"][path]["get"]["parameters"] if item["name"] == name)


def test_the_schema_declares_the_page_limits_the_service_enforces(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    assert parameter("/api/v1/alerts/", "page")["minimum"] == 1
    assert parameter("/api/v1/alerts/", "page_size")["minimum"] == 1
    assert parameter("/api/v1/alerts/", "page_size")["maximum"] == settings.API_MAX_PAGE_SIZE
    assert api.get("/api/v1/alerts/", {"page": 0}).status_code == 400
    assert api.get("/api/v1/alerts/", {"page_size": settings.API_MAX_PAGE_SIZE + 1}).status_code == 400
    assert api.get("/api/v1/alerts/", {"page_size": settings.API_MAX_PAGE_SIZE}).status_code == 200


@pytest.mark.parametrize("value", ["", "   ", "\x1c"])
def test_the_schema_declares_that_a_text_parameter_needs_a_value(api, value):
    api.as_role(Role.COMPLIANCE_OFFICER)
    search = parameter("/api/v1/providers/", "search")
    assert search["minLength"] == 1
    assert not re.search(search["pattern"], value)
    assert re.search(search["pattern"], " Care ")
    assert api.get("/api/v1/providers/", {"search": value}).status_code == 400
    assert api.get("/api/v1/providers/", {"search": " Care "}).status_code == 200


def test_the_schema_declares_that_a_bulk_action_needs_ids(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    assert request_body("/api/v1/alerts/bulk/acknowledge/")["properties"]["ids"]["minItems"] == 1
    refused = api.post("/api/v1/alerts/bulk/acknowledge/", {"ids": [], "note": "Checked"}, format="json")
    assert refused.status_code == 400


def test_the_schema_names_the_orderings_a_list_offers(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    ordering = parameter("/api/v1/rate-changes/", "ordering")
    assert ordering["items"]["enum"] == ["effective_from", "-effective_from"]
    assert api.get("/api/v1/rate-changes/", {"ordering": "-effective_from"}).status_code == 200
    assert api.get("/api/v1/rate-changes/", {"ordering": "rotate_secret"}).status_code == 400


def test_the_schema_says_an_id_parameter_is_a_whole_number(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    assert parameter("/api/v1/rate-changes/", "bed_line") == {
        "type": "integer",
        "format": "int64",
        "minimum": -(2**63),
        "maximum": 2**63 - 1,
    }
    assert api.get("/api/v1/rate-changes/", {"bed_line": "2.5"}).status_code == 400
    # Beyond the range the schema gives, a 400 naming it (not the database's refusal as a 500).
    too_large = api.get("/api/v1/market/rounds/", {"lot": str(2**63)})
    assert too_large.status_code == 400 and "lot" in too_large.json()["error"]["fields"]


def test_the_schema_says_which_days_a_day_parameter_reads(api):
    api.as_role(Role.CONTRACT_OFFICER)
    pattern = parameter("/api/v1/market/contingency-arrangements/{id}/trend/", "end")["pattern"]
    assert re.match(pattern, "1900-01-01") and re.match(pattern, "2200-12-31")
    assert not re.match(pattern, "0209-11-14") and not re.match(pattern, "2201-01-01")


def test_the_schema_says_a_list_parameter_needs_an_item(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    assert parameter("/api/v1/locations/", "rating")["minItems"] == 1
    assert api.get("/api/v1/locations/", {"rating": ""}).status_code == 400
