from datetime import date

import pytest

from core.errors import DomainError
from providers.models import Location, RegistrationEvent
from providers.services.locations import location_update
from tests.factories import LocalityFactory, LocationFactory, square

pytestmark = pytest.mark.django_db


def test_new_coordinates_reassign_ward_and_district_and_a_deregistration_is_an_event():
    district = LocalityFactory(code="E07000009", boundary=square(0.2, 52.3, 0.2))
    ward = LocalityFactory(code="E05000002", kind="ward", parent=district, boundary=square(0.2, 52.3, 0.2))
    home = LocationFactory(latitude=None, longitude=None, ward=None, district=None)

    location_update(
        location=home,
        latitude=52.4,
        longitude=0.3,
        registration_status="Deregistered",
        deregistration_date=date(2024, 5, 1),
    )

    home = Location.objects.get(pk=home.pk)
    assert (home.ward_id, home.district_id, home.registration_status) == (ward.pk, district.pk, "Deregistered")
    assert list(RegistrationEvent.objects.values_list("kind", "on")) == [("deregistered", date(2024, 5, 1))]


@pytest.mark.parametrize(
    "given, field",
    [({"latitude": 52.4, "longitude": None}, "longitude"), ({"latitude": 95.0, "longitude": 0.1}, "latitude")],
)
def test_half_or_impossible_coordinates_are_refused_naming_the_field(given, field):
    home = LocationFactory(latitude=52.0, longitude=0.1)
    with pytest.raises(DomainError) as error:
        location_update(location=home, **given)
    assert error.value.field == field
    assert Location.objects.get(pk=home.pk).latitude == 52.0
