import json

import pytest
import shapely
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geo.demo import demo_load
from geo.models import Locality
from geo.selectors import geocode, localities_at
from geo.services import CompositionError, boundaries_import, locality_compose, locality_members_set
from tests.factories import LocalityFactory, square
from tests.geo.conftest import feature, polygon, write_geojson

pytestmark = pytest.mark.django_db


def shape_of(locality: Locality):
    return shapely.from_geojson(json.dumps(locality.geometry.boundary))


def test_a_lot_area_is_the_dissolved_union_of_its_wards():
    for code, lon in (("E05000001", 0.0), ("E05000002", 0.1), ("E05000003", 0.5)):
        LocalityFactory(code=code, kind="ward", boundary=square(lon, 52.0, 0.1))

    lot = locality_compose(
        code="HTLAH-01",
        name="Blaby, Countesthorpe, Narborough, Lutterworth, Birstall and Anstey",
        kind="lot_area",
        member_codes=["E05000001", "E05000002", "E05000003"],
    )

    outline = shape_of(lot)
    # The two touching wards dissolve into one part; the distant one stays a second part.
    assert len(outline.geoms) == 2
    assert outline.area == pytest.approx(0.03)
    assert (lot.min_longitude, lot.max_longitude) == (0.0, 0.6)
    assert lot.geometry.display_boundary["type"] == "MultiPolygon"
    assert sorted(lot.members.values_list("code", flat=True)) == ["E05000001", "E05000002", "E05000003"]


def test_changing_the_members_recomputes_the_boundary():
    LocalityFactory(code="E05000001", kind="ward", boundary=square(0.0, 52.0, 0.1))
    second = LocalityFactory(code="E05000002", kind="ward", boundary=square(0.1, 52.0, 0.1))
    lot = locality_compose(code="LOT-1", name="Lot 1", kind="lot_area", member_codes=["E05000001"])
    assert lot.max_longitude == pytest.approx(0.1)

    lot = locality_members_set(locality=lot, members=Locality.objects.filter(code__in=["E05000001", second.code]))

    assert lot.max_longitude == pytest.approx(0.2)
    assert shape_of(lot).area == pytest.approx(0.02)


def test_reimporting_a_changed_ward_recomputes_the_areas_made_of_it(tmp_path):
    path = write_geojson(tmp_path / "wards.geojson", [feature("E05000001", "Ely North", polygon(0, 52, 0.1, 52.1))])
    boundaries_import(path=path, kind="ward", code_field="WD13CD", name_field="WD13NM")
    district = locality_compose(
        code="E07000009", name="East Cambridgeshire", kind="district", member_codes=["E05000001"]
    )
    county = locality_compose(code="E10000003", name="Cambridgeshire", kind="county", member_codes=["E07000009"])

    grown = write_geojson(tmp_path / "wards.geojson", [feature("E05000001", "Ely North", polygon(0, 52, 0.3, 52.1))])
    report = boundaries_import(path=grown, kind="ward", code_field="WD13CD", name_field="WD13NM")

    assert report.composites_recomputed == 2
    district.refresh_from_db()
    county.refresh_from_db()
    assert district.max_longitude == pytest.approx(0.3)
    assert county.max_longitude == pytest.approx(0.3)


def test_a_district_built_from_its_wards_becomes_their_parent_in_their_history():
    LocalityFactory(code="E05000001", kind="ward", boundary=square(0.0, 52.0, 0.1))

    district = locality_compose(
        code="E07000009", name="East Cambridgeshire", kind="district", member_codes=["E05000001"], adopt_members=True
    )

    ward = Locality.objects.get(code="E05000001")
    assert ward.parent == district
    latest = ward.history.latest()
    assert (latest.parent_id, latest.history_change_reason) == (district.id, "adopted by E07000009")


def test_an_area_of_unknown_localities_is_refused():
    LocalityFactory(code="E05000001", kind="ward")
    with pytest.raises(CompositionError) as refused:
        locality_compose(code="LOT-1", name="Lot 1", kind="lot_area", member_codes=["E05000001", "E05099999"])
    assert refused.value.field == "members"
    assert "E05099999" in refused.value.message
    assert not Locality.objects.filter(code="LOT-1").exists()


def test_composing_over_a_locality_of_another_kind_is_refused_and_changes_nothing():
    ward = LocalityFactory(code="E05000001", kind="ward", name="Ely North", boundary=square(0.0, 52.0, 0.1))
    LocalityFactory(code="E05000002", kind="ward", boundary=square(0.1, 52.0, 0.1))

    with pytest.raises(CompositionError) as refused:
        locality_compose(code="E05000001", name="Lot 1", kind="lot_area", member_codes=["E05000002"])

    assert refused.value.field == "code"
    assert "already belongs to a ward" in refused.value.message
    ward.refresh_from_db()
    assert (ward.kind, ward.name, ward.max_longitude) == ("ward", "Ely North", pytest.approx(0.1))
    assert not ward.members.exists()


def test_an_area_cannot_be_made_of_itself():
    LocalityFactory(code="E05000001", kind="ward", boundary=square(0.0, 52.0, 0.1))
    locality_compose(code="LOT-1", name="Lot 1", kind="lot_area", member_codes=["E05000001"])

    with pytest.raises(CompositionError) as refused:
        locality_compose(code="LOT-1", name="Lot 1", kind="lot_area", member_codes=["E05000001", "LOT-1"])

    assert "member of itself" in refused.value.message
    assert list(Locality.objects.get(code="LOT-1").members.values_list("code", flat=True)) == ["E05000001"]


def test_demo_builds_districts_counties_and_the_htlah_lots_and_a_rerun_changes_nothing():
    counts = demo_load()

    assert counts["districts"] == 12
    assert counts["counties"] == 2
    assert counts["lot_areas"] == 15
    leicestershire = Locality.objects.get(code="E10000018")
    assert leicestershire.name == "Leicestershire"
    assert set(leicestershire.children.filter(kind="district").values_list("code", flat=True)) == {
        f"E07000{number}" for number in range(129, 136)
    }
    lots = dict(Locality.objects.filter(kind="lot_area").values_list("name", "code"))
    for vacant in ("Hinckley and Twycross", "Groby and Market Bosworth", "Mountsorrel and Quorn"):
        assert vacant in lots
    blaby_lot = Locality.objects.get(name="Blaby, Countesthorpe, Narborough, Lutterworth, Birstall and Anstey")
    assert {"Anstey", "Countesthorpe", "Birstall Wanlip"} <= set(blaby_lot.members.values_list("name", flat=True))
    # The lots tile the county: together they cover it without overlapping.
    lot_area = sum(Locality.objects.filter(kind="lot_area").values_list("area_km2", flat=True))
    assert lot_area == pytest.approx(leicestershire.area_km2, rel=0.001)

    ely = geocode("cb6 1aa")
    east_cambridgeshire = Locality.objects.get(code="E07000009")
    assert ely.district_code == "E07000009"
    assert localities_at([(ely.latitude, ely.longitude)])[0].district_id == east_cambridgeshire.id

    with CaptureQueriesContext(connection) as queries:
        assert demo_load() == counts
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0] in ("UPDATE", "DELETE")
        or (q["sql"].startswith("INSERT") and "geo_postcode" not in q["sql"])
    ]
    assert writes == []
