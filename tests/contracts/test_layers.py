"""`?properties=voids` on the map layers: block beds contracted today, void beds and their weekly cost, by
area, counted as the bed finder counts them; council staff only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from contracts.selectors.layers import voids_layer_properties
from contracts.services import closure_create
from tests.contracts.factories import make_line, place
from tests.factories import LocalityFactory, LocationFactory, ProviderMembershipFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]
LAYER = "/api/v1/geo/localities/"


def voids(api, kind: str = "district") -> dict[str, dict]:
    response = api.get(LAYER, {"kind": kind, "properties": "voids"})
    assert response.status_code == 200, response.content
    keys = ("contracted_beds", "void_beds", "void_cost_per_week")
    return {feature["id"]: {key: feature["properties"][key] for key in keys} for feature in response.json()["features"]}


def test_void_beds_and_their_weekly_cost_are_counted_by_district_today(api):
    api.as_role(Role.COMMISSIONER)
    today = timezone.localdate()
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    cambridge = LocalityFactory(code="E07000008", name="Cambridge")
    month_ago = today - timedelta(days=30)
    line = make_line(beds=4, weekly_rate=Decimal("800.00"), activation_date=month_ago, district=fenland)
    place(line, start=today - timedelta(days=10))
    place(line, start=today - timedelta(days=20), end=today - timedelta(days=1))  # left yesterday
    closure_create(bed_line=line, beds=1, start_date=today, end_date=today + timedelta(days=27), reason="Outbreak")
    make_line(beds=3, activation_date=today + timedelta(days=7), district=fenland)  # not active yet
    make_line(beds=2, weekly_rate=Decimal("700.00"), activation_date=date(2026, 1, 1), district=cambridge)

    assert voids(api) == {
        "E07000008": {"contracted_beds": 2, "void_beds": 2, "void_cost_per_week": 1400.0},
        "E07000010": {"contracted_beds": 4, "void_beds": 2, "void_cost_per_week": 1600.0},
    }


def test_a_lot_area_counts_the_voids_at_homes_in_its_wards(api):
    api.as_role(Role.CONTRACT_OFFICER)
    district = LocalityFactory(code="E07000132", name="Hinckley and Bosworth")
    ward = LocalityFactory(code="E05005555", name="Barwell", kind="ward", parent=district)
    area = LocalityFactory(code="HTLAH-02", name="Hinckley and Twycross", kind="lot_area")
    area.members.set([ward])
    make_line(beds=2, activation_date=date(2026, 1, 1), district=district, ward=ward)
    assert voids(api, "lot_area")["HTLAH-02"]["void_beds"] == 2
    assert voids(api, "ward")["E05005555"]["void_beds"] == 2


def test_provider_users_are_not_shown_other_providers_void_beds(api):
    membership = ProviderMembershipFactory()
    api.force_authenticate(membership.user)
    LocalityFactory(code="E07000010", name="Fenland")
    response = api.get(LAYER, {"kind": "district", "properties": "voids"})
    assert response.status_code == 403


def test_voids_for_many_areas_take_the_same_queries_as_for_one():
    def queries(localities) -> int:
        with CaptureQueriesContext(connection) as captured:
            voids_layer_properties(localities)
        return len(captured)

    districts = [LocalityFactory(code=f"E0700{n:04d}", name=f"District {n}") for n in range(5)]
    for district in districts:
        make_line(beds=2, location=LocationFactory(district=district))
    assert queries(districts[:1]) == queries(districts)


def test_the_cached_layer_follows_a_placement_and_an_edited_closure(api):
    from contracts.services import closure_update

    api.as_role(Role.COMMISSIONER)
    today = timezone.localdate()
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    line = make_line(beds=4, activation_date=today - timedelta(days=30), district=fenland)
    closure = closure_create(
        bed_line=line, beds=1, start_date=today, end_date=today + timedelta(days=27), reason="Outbreak"
    )
    assert voids(api)["E07000010"]["void_beds"] == 3

    place(line, start=today)
    assert voids(api)["E07000010"]["void_beds"] == 2
    closure_update(closure=closure, beds=3)  # an edit leaves the number of closures as it was
    assert voids(api)["E07000010"]["void_beds"] == 0
