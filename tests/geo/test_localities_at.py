import pytest

from geo.selectors import localities_at
from tests.factories import LocalityFactory, square


@pytest.mark.django_db
def test_points_get_their_ward_and_district_and_outsiders_get_none():
    district = LocalityFactory(code="E07000001", kind="district", boundary=square(0.0, 52.0, 1.0))
    ward = LocalityFactory(code="E05000001", kind="ward", parent=district, boundary=square(0.0, 52.0, 0.5))
    result = localities_at([(52.25, 0.25), (52.75, 0.75), (40.0, -3.0)])
    assert [(r.ward_id, r.district_id) for r in result] == [
        (ward.id, district.id),
        (None, district.id),
        (None, None),
    ]


@pytest.mark.django_db
def test_a_district_added_after_a_first_lookup_is_found_by_the_next():
    LocalityFactory(code="E07000001", kind="district", boundary=square(0.0, 52.0, 1.0))
    assert localities_at([(52.5, 1.5)])[0].district_id is None
    later = LocalityFactory(code="E07000002", kind="district", boundary=square(1.0, 52.0, 1.0))
    assert localities_at([(52.5, 1.5)])[0].district_id == later.id


@pytest.mark.django_db
def test_a_point_on_the_line_between_two_districts_is_placed_in_one_of_them():
    west = LocalityFactory(code="E07000001", kind="district", boundary=square(0.0, 52.0, 0.5))
    east = LocalityFactory(code="E07000002", kind="district", boundary=square(0.5, 52.0, 0.5))
    [on_the_border] = localities_at([(52.25, 0.5)])
    assert on_the_border.district_id in (west.id, east.id)
