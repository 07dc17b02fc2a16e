import pytest
from shapely.geometry import Point, shape

from accounts.roles import Role
from providers.demo import DemoPrerequisiteMissing, demo_load
from providers.models import Condition, Location, RatingChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_without_the_geo_demo_says_what_is_missing():
    with pytest.raises(DemoPrerequisiteMissing, match="E07000129"):
        demo_load()


def test_demo_loads_lead_providers_and_care_homes_once():
    from geo.demo import demo_load as geo_demo_load

    geo_demo_load()
    provider_user = UserFactory(username="provider", roles=[Role.PROVIDER_USER])
    first = demo_load()
    assert demo_load() == first  # idempotent

    assert first["care_homes"] == 30
    assert first["registered_beds"] > 1100
    homes = Location.objects.filter(care_home=True).select_related("ward", "district")
    assert homes.filter(district__code="E07000010").count() >= 6  # several homes across Fenland
    for home in homes:
        assert home.ward.parent_id == home.district_id
        assert shape(home.ward.geometry.boundary).contains(Point(home.longitude, home.latitude))
        assert 40 <= home.registered_beds <= 90

    lead = Location.objects.select_related("current_rating").get(district__code="E07000129", care_home=False)
    assert lead.current_rating.overall == "Inadequate"
    change = RatingChange.objects.get(location=lead)
    assert (change.from_value, change.to_value, change.direction, change.report_date.year) == (
        "Good",
        "Inadequate",
        "down",
        2017,
    )
    assert Condition.objects.get(location=lead, lifted_on__isnull=True).stops_admissions
    assert provider_user.provider_memberships.get().provider.locations.filter(care_home=True).exists()
