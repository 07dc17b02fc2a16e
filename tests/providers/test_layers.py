"""`?properties=ratings` on the map layers: registered care homes, their beds, and the share of beds in homes
rated Requires improvement or worse, by ward, district and lot area."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from geo.layers import locality_figures
from providers.selectors import ratings_layer_properties
from tests.factories import LocalityFactory, LocationFactory, RatingFactory, square

pytestmark = pytest.mark.django_db
LAYER = "/api/v1/geo/localities/"


def home(*, district, ward=None, beds: int, rating: str | None, **fields):
    location = LocationFactory(district=district, ward=ward, registered_beds=beds, **fields)
    if rating:
        location.current_rating = RatingFactory(location=location, overall=rating)
        location.save(update_fields=["current_rating"])
    return location


def ratings(api, kind: str) -> dict[str, dict]:
    response = api.get(LAYER, {"kind": kind, "properties": "ratings"})
    assert response.status_code == 200, response.content
    keys = ("care_homes", "registered_beds", "beds_requires_improvement_or_worse")
    keys += ("share_beds_requires_improvement_or_worse",)
    return {feature["id"]: {key: feature["properties"][key] for key in keys} for feature in response.json()["features"]}


def test_share_of_beds_rated_requires_improvement_or_worse_is_counted_by_district(api):
    api.as_role(Role.COMMISSIONER)
    fenland = LocalityFactory(code="E07000010", name="Fenland", boundary=square(0.0, 52.5))
    cambridge = LocalityFactory(code="E07000008", name="Cambridge", boundary=square(0.1, 52.2))
    LocalityFactory(code="E07000009", name="East Cambridgeshire", boundary=square(0.3, 52.3))
    home(district=fenland, beds=60, rating="Requires improvement")
    home(district=fenland, beds=20, rating="Inadequate")
    home(district=fenland, beds=100, rating="Good")
    home(district=fenland, beds=20, rating=None)  # not yet rated: in the beds, not below Good
    home(district=fenland, beds=40, rating="Inadequate", registration_status="Deregistered")  # closed
    home(district=fenland, beds=0, rating="Inadequate", care_home=False)  # a home care agency
    home(district=cambridge, beds=30, rating="Outstanding")

    assert ratings(api, "district") == {
        "E07000008": {
            "care_homes": 1,
            "registered_beds": 30,
            "beds_requires_improvement_or_worse": 0,
            "share_beds_requires_improvement_or_worse": 0.0,
        },
        "E07000009": {
            "care_homes": 0,
            "registered_beds": 0,
            "beds_requires_improvement_or_worse": 0,
            "share_beds_requires_improvement_or_worse": None,
        },
        "E07000010": {
            "care_homes": 4,
            "registered_beds": 200,
            "beds_requires_improvement_or_worse": 80,
            "share_beds_requires_improvement_or_worse": 0.4,
        },
    }


def test_wards_and_a_lot_area_made_of_wards_count_the_homes_in_them(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    district = LocalityFactory(code="E07000132", name="Hinckley and Bosworth")
    barwell = LocalityFactory(code="E05005555", name="Barwell", kind="ward", parent=district)
    burbage = LocalityFactory(code="E05005556", name="Burbage", kind="ward", parent=district)
    area = LocalityFactory(code="HTLAH-02", name="Hinckley and Twycross", kind="lot_area")
    area.members.set([barwell])
    home(district=district, ward=barwell, beds=50, rating="Requires improvement")
    home(district=district, ward=burbage, beds=50, rating="Good")

    wards = ratings(api, "ward")
    assert wards["E05005555"]["share_beds_requires_improvement_or_worse"] == 1.0
    assert wards["E05005556"]["share_beds_requires_improvement_or_worse"] == 0.0
    assert ratings(api, "lot_area")["HTLAH-02"]["registered_beds"] == 50
    assert ratings(api, "district")["E07000132"]["share_beds_requires_improvement_or_worse"] == 0.5


def test_a_rating_downgrade_shows_on_the_next_layer(api):
    api.as_role(Role.COMMISSIONER)
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    location = home(district=fenland, beds=60, rating="Good")
    assert ratings(api, "district")["E07000010"]["beds_requires_improvement_or_worse"] == 0

    location.current_rating = RatingFactory(location=location, overall="Inadequate")
    location.save(update_fields=["current_rating"])
    assert ratings(api, "district")["E07000010"]["beds_requires_improvement_or_worse"] == 60


def test_the_table_beside_the_map_has_the_same_figures_without_geometry():
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    home(district=fenland, beds=60, rating="Inadequate")
    [row] = locality_figures(kind="district", properties=["ratings"])
    assert row["code"] == "E07000010" and row["name"] == "Fenland"
    assert row["share_beds_requires_improvement_or_worse"] == 1.0
    assert "geometry" not in row


def test_ratings_for_many_areas_take_the_same_queries_as_for_one():
    def queries(localities) -> int:
        with CaptureQueriesContext(connection) as captured:
            ratings_layer_properties(localities)
        return len(captured)

    districts = [LocalityFactory(code=f"E0700{n:04d}", name=f"District {n}") for n in range(6)]
    for district in districts:
        home(district=district, beds=30, rating="Good")
    assert queries(districts[:1]) == queries(districts)
