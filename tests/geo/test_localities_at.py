import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


@pytest.mark.django_db
def test_only_boundaries_whose_box_holds_a_point_are_read_and_parsed(monkeypatch):
    import shapely

    from geo import selectors

    near = LocalityFactory(code="E07000001", kind="district", boundary=square(0.0, 52.0, 1.0))
    for n in range(2, 12):  # ten districts elsewhere in England, each far from the point
        LocalityFactory(code=f"E070000{n:02d}", kind="district", boundary=square(-3.0 + n * 0.2, 53.5, 0.1))
    selectors._parsed.clear()
    parsed = []
    parse = shapely.from_geojson
    monkeypatch.setattr(selectors.shapely, "from_geojson", lambda text: parsed.append(text) or parse(text))

    with CaptureQueriesContext(connection) as queries:
        [found] = localities_at([(52.5, 0.5)])

    assert found.district_id == near.id
    assert len(parsed) == 1
    read = [q["sql"] for q in queries.captured_queries if '"geo_localityboundary"."boundary"' in q["sql"]]
    assert len(read) == 1 and str(near.id) in read[0]
    assert localities_at([(52.5, 0.5)])[0].district_id == near.id
    assert len(parsed) == 1  # parsed once per process, not per call


@pytest.mark.django_db
def test_a_changed_boundary_is_parsed_again():
    from geo.services import locality_compose

    a = LocalityFactory(code="E05000001", kind="ward", boundary=square(0.0, 52.0, 0.5))
    LocalityFactory(code="E05000002", kind="ward", boundary=square(0.5, 52.0, 0.5))
    lot = locality_compose(code="LOT-1", name="Lot", kind="district", member_codes=["E05000001"])
    assert localities_at([(52.25, 0.75)])[0].district_id is None
    locality_compose(code="LOT-1", name="Lot", kind="district", member_codes=["E05000001", "E05000002"])
    assert localities_at([(52.25, 0.75)])[0].district_id == lot.id
    assert localities_at([(52.25, 0.25)])[0].ward_id == a.id
