"""Which wards an area covers is answered once (geo.selectors.locality_parts), so a lot's people in contingency
and the map's void beds agree on the same area however it is made up: of wards, of a county, or of another
area."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import PlacementKind
from geo.selectors import locality_parts, wards_by_area
from market.selectors.contingency import people_in_area
from tests.contracts.factories import make_line
from tests.factories import LocalityFactory
from tests.market.mobilisation_factories import homecare, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    """Leicestershire, its district Hinckley and Bosworth, and Barwell ward in it."""
    county = LocalityFactory(code="E10000018", name="Leicestershire", kind="county")
    district = LocalityFactory(code="E07000132", name="Hinckley and Bosworth", kind="district", parent=county)
    ward = LocalityFactory(code="E05005555", name="Barwell", kind="ward", parent=district)
    return county, district, ward


def counted(api, ward, area):
    """A person in contingency and two empty block beds at a home, both in `ward`; what the lot's people and
    the map's void layer count in `area`."""
    today = timezone.localdate()
    homecare(reference=person(1), kind=PlacementKind.CONTINGENCY, ward=ward, start=today - timedelta(days=30))
    make_line(beds=2, activation_date=today - timedelta(days=30), district=ward.parent, ward=ward)
    api.as_role(Role.COMMISSIONER)
    response = api.get("/api/v1/geo/localities/", {"kind": "lot_area", "properties": "voids"})
    assert response.status_code == 200, response.content
    voids = {feature["id"]: feature["properties"]["void_beds"] for feature in response.json()["features"]}
    return people_in_area(area=area, on=today)[PlacementKind.CONTINGENCY], voids[area.code]


def test_a_lot_made_of_a_county_covers_the_wards_of_its_districts(api, county):
    county, district, ward = county
    lot_area = LocalityFactory(code="LOT-LEICS", name="Whole county lot", kind="lot_area")
    lot_area.members.set([county])
    assert wards_by_area([lot_area.pk]) == {lot_area.pk: {ward.pk}}
    assert counted(api, ward, lot_area) == (1, 2)


def test_a_lot_nested_in_another_area_covers_the_wards_of_the_inner_area(api, county):
    _, district, ward = county
    inner = LocalityFactory(code="HTLAH-02", name="Hinckley and Twycross", kind="lot_area")
    inner.members.set([ward])
    outer = LocalityFactory(code="HTLAH-WEST", name="West Leicestershire", kind="lot_area")
    outer.members.set([inner])
    assert locality_parts([outer])[outer.pk].wards == {ward.pk}
    assert counted(api, ward, outer) == (1, 2)


def test_areas_whose_members_hold_each_other_end(county):
    _, _, ward = county
    first = LocalityFactory(code="LOT-A", name="A", kind="lot_area")
    second = LocalityFactory(code="LOT-B", name="B", kind="lot_area")
    first.members.set([second, ward])
    second.members.set([first])
    assert wards_by_area([first.pk, second.pk]) == {first.pk: {ward.pk}, second.pk: {ward.pk}}
