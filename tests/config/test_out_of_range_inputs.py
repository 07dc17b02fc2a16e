"""Inputs at the edges of what Python and PostgreSQL can hold are a 400 naming the field, never a server error
(each found by the schema fuzz, tests/fuzz)."""

import pytest

from accounts.roles import Role
from tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


def test_a_capacity_gap_trend_in_year_one_is_refused_naming_both_days(api):
    api.as_role(Role.COMMISSIONER)
    response = api.get("/api/v1/market/capacity-gaps/trend/", {"start": "0001-01-01", "end": "0001-01-01"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"start", "end"}


def test_alerts_since_a_moment_with_an_offset_postgresql_cannot_hold_are_compared_in_utc(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    response = api.get("/api/v1/alerts/", {"since": "2000-01-02T00:00:00+19:00"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_micro_enterprise_naming_a_cqc_location_with_a_nul_character_is_refused_on_that_field(api):
    api.as_role(Role.COMMISSIONER)
    district = LocalityFactory(kind="district")
    response = api.post(
        "/api/v1/market/micro-enterprises/",
        {
            "trading_name": "Fen Carers",
            "locality": district.code,
            "needs_cqc_registration": "true",
            "cqc_location": "1-000\x00",
            "status": "enquiry",
            "status_since": "2024-01-05",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "cqc_location" in response.json()["error"]["fields"]


def test_a_webhook_channels_blank_address_fields_are_answered_as_plain_strings(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    response = api.post("/api/v1/notifications/channels/", {"kind": "email"}, format="json")
    assert response.status_code == 201
    assert response.json()["email"] == "" and response.json()["url"] == ""


def test_rating_changes_since_a_far_offset_are_compared_in_utc_and_year_one_is_refused_naming_since(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    far = api.get("/api/v1/rating-changes/", {"since": "0492-08-19T11:12:19.99+21:55"})
    assert far.status_code == 200
    too_early = api.get("/api/v1/rating-changes/", {"since": "0001-01-01T00:00:00+10:00"})
    assert too_early.status_code == 400
    assert "since" in too_early.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/market/demand/",
            {
                "locality": "E07\x00",
                "care_type": "nursing",
                "period_start": "2026-01-01",
                "period_end": "2026-03-31",
                "quantity": "3",
            },
            "locality",
        ),
        (
            "/api/v1/alert-silences/",
            {"locality": "E07\x00", "reason": "x", "ends_at": "2030-01-01T00:00:00Z"},
            "locality",
        ),
    ],
)
def test_a_code_with_a_nul_character_is_refused_on_its_field_in_every_write(api, path, body, field):
    api.as_role(Role.COMMISSIONER if "market" in path else Role.ADMINISTRATOR)
    response = api.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
