import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import topojson
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shapely.geometry import box

from core.errors import ImportRejected
from geo.models import Locality
from geo.services import boundaries_import
from geo.services.reading import boundary_file_read
from tests.factories import LocalityFactory, square
from tests.geo.conftest import (
    TWO_WARDS,
    database_snapshot,
    feature,
    polygon,
    squares_frame,
    write_geojson,
    zip_shapefile,
)

pytestmark = pytest.mark.django_db
WARD_FIELDS = {"kind": "ward", "code_field": "WD13CD", "name_field": "WD13NM"}
NATIONAL_TOPOJSON = Path(__file__).resolve().parents[2] / "geo" / "data" / "england_lad_2013.topojson"
CAMBRIDGE_WARDS = Path(__file__).resolve().parents[2] / "geo" / "data" / "wards" / "E07000008.geojson"


def wards() -> dict[str, Locality]:
    return {locality.code: locality for locality in Locality.objects.filter(kind="ward")}


def test_geojson_wards_are_stored_with_box_centroid_area_and_display_geometry(two_wards_geojson):
    report = boundaries_import(path=two_wards_geojson, **WARD_FIELDS, attribution="© Crown copyright")

    assert (report.created, report.updated, report.format) == (2, 0, "GeoJSON")
    north = wards()["E05000001"]
    assert north.name == "Ely North"
    assert north.geometry.boundary["type"] == "MultiPolygon"
    assert north.geometry.display_boundary["type"] == "MultiPolygon"
    assert (north.min_longitude, north.max_longitude, north.min_latitude, north.max_latitude) == (0.2, 0.3, 52.4, 52.5)
    assert north.centroid_latitude == pytest.approx(52.45, abs=0.001)
    assert north.centroid_longitude == pytest.approx(0.25, abs=0.001)
    # 0.1 degree of longitude at 52.45N is about 6.8 km; 0.1 degree of latitude about 11.1 km.
    assert north.area_km2 == pytest.approx(75.5, rel=0.02)
    assert north.attribution == "© Crown copyright"
    assert north.source == "wards.geojson"


def test_newline_delimited_geojson_imports_each_line_as_a_ward(tmp_path):
    path = tmp_path / "wards.geojsonl"
    path.write_text("\n".join(json.dumps(feature(code, name, polygon(*b))) for code, name, b in TWO_WARDS) + "\n")

    report = boundaries_import(path=path, **WARD_FIELDS)

    assert report.format == "newline-delimited GeoJSON"
    assert set(wards()) == {"E05000001", "E05000002"}
    assert any("WGS84 (EPSG:4326) was assumed" in note for note in report.notes)


def test_features_one_a_line_are_recognised_under_any_name_however_long_the_lines(tmp_path):
    path = tmp_path / "wards.geojson"
    notes = "x" * 5000  # a real ward's coordinates make lines longer than the first block read to sniff
    lines = [json.dumps(feature(code, name, polygon(*b), NOTES=notes)) for code, name, b in TWO_WARDS]
    path.write_text("\n".join(lines) + "\n")

    report = boundaries_import(path=path, **WARD_FIELDS)

    assert (report.format, report.created) == ("newline-delimited GeoJSON", 2)


def test_topojson_without_a_crs_is_read_as_longitude_latitude_and_says_so(tmp_path, two_wards_frame):
    path = tmp_path / "wards.topojson"
    path.write_text(topojson.Topology(two_wards_frame, prequantize=False).to_json())

    report = boundaries_import(path=path, **WARD_FIELDS)

    assert report.format == "TopoJSON"
    assert report.created == 2
    assert any("declares no coordinate reference system" in note and "WGS84" in note for note in report.notes)
    assert wards()["E05000002"].max_latitude == pytest.approx(52.40)


def test_geopackage_with_several_layers_needs_the_layer_named(tmp_path, two_wards_frame):
    path = tmp_path / "boundaries.gpkg"
    two_wards_frame.to_file(path, layer="wards_2013", driver="GPKG", engine="pyogrio")
    squares_frame([("E05999999", "Elsewhere", (1.0, 51.0, 1.1, 51.1))]).to_file(
        path, layer="wards_2019", driver="GPKG", engine="pyogrio"
    )

    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=path, **WARD_FIELDS)
    assert rejected.value.problems[0]["field"] == "layer"
    assert "wards_2013" in rejected.value.problems[0]["message"]

    report = boundaries_import(path=path, layer="wards_2013", **WARD_FIELDS)
    assert report.format == "GeoPackage"
    assert set(wards()) == {"E05000001", "E05000002"}


def test_zipped_shapefile_in_british_national_grid_is_reprojected_to_wgs84(tmp_path, two_wards_frame):
    archive = zip_shapefile(two_wards_frame.to_crs("EPSG:27700"), tmp_path / "shape")

    report = boundaries_import(path=archive, **WARD_FIELDS)

    assert report.format == "zipped shapefile"
    assert any("EPSG:27700" in note for note in report.notes)
    north = wards()["E05000001"]
    assert north.min_longitude == pytest.approx(0.2, abs=1e-4)
    assert north.max_latitude == pytest.approx(52.5, abs=1e-4)


def test_a_zipped_shapefile_is_read_whatever_its_file_is_called(tmp_path, two_wards_frame):
    archive = zip_shapefile(two_wards_frame, tmp_path / "shape")
    renamed = archive.rename(tmp_path / "upload.dat")  # e.g. an upload saved without its extension

    report = boundaries_import(path=renamed, **WARD_FIELDS)

    assert (report.format, report.created) == ("zipped shapefile", 2)


def test_british_grid_coordinates_without_a_crs_are_rejected_unless_the_crs_is_given(tmp_path, two_wards_frame):
    in_metres = json.loads(two_wards_frame.to_crs("EPSG:27700").to_json())
    path = write_geojson(tmp_path / "bng.geojson", in_metres["features"], crs=None)

    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=path, **WARD_FIELDS)
    assert rejected.value.problems[0]["field"] == "crs"
    assert "--crs EPSG:27700" in rejected.value.problems[0]["message"]
    assert not Locality.objects.exists()

    boundaries_import(path=path, crs="EPSG:27700", **WARD_FIELDS)
    assert wards()["E05000002"].min_latitude == pytest.approx(52.3, abs=1e-4)


def in_metres(tmp_path, frame, *, crs) -> Path:
    features = json.loads(frame.to_crs("EPSG:27700").to_json())["features"]
    return write_geojson(tmp_path / "metres.geojson", features, crs=crs)


CRS_REJECTIONS = {
    "given crs contradicts the declared one": (
        lambda tmp_path, frame: write_geojson(tmp_path / "w.geojson", json.loads(frame.to_json())["features"]),
        "EPSG:27700",
        "remove --crs",
    ),
    "given crs unknown": (lambda tmp_path, frame: in_metres(tmp_path, frame, crs=None), "EPSG:999999", "pyproj"),
    "metres said to be WGS84": (
        lambda tmp_path, frame: in_metres(tmp_path, frame, crs=None),
        "EPSG:4326",
        "not longitude/latitude",
    ),
    "metres labelled CRS84": (
        lambda tmp_path, frame: in_metres(tmp_path, frame, crs="urn:ogc:def:crs:OGC:1.3:CRS84"),
        None,
        "not longitude/latitude",
    ),
}


@pytest.mark.parametrize("case", CRS_REJECTIONS, ids=list(CRS_REJECTIONS))
def test_a_file_whose_crs_cannot_be_right_is_rejected_and_nothing_changes(tmp_path, two_wards_frame, case):
    LocalityFactory(code="E05000001", kind="ward", name="Ely North (before)", boundary=square(0.2, 52.4, 0.1))
    before = database_snapshot()
    make, crs, words = CRS_REJECTIONS[case]

    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=make(tmp_path, two_wards_frame), crs=crs, **WARD_FIELDS)

    assert rejected.value.problems[0]["field"] == "crs"
    assert words in rejected.value.problems[0]["message"]
    assert database_snapshot() == before


BAD_ROWS = {
    "missing code": (feature("", "Nowhere", polygon(0, 52, 0.1, 52.1)), "WD13CD", "code is missing"),
    "duplicate code": (feature("E05000001", "Again", polygon(0, 52, 0.1, 52.1)), "WD13CD", "duplicate of row 1"),
    "missing name": (feature("E05000003", None, polygon(0, 52, 0.1, 52.1)), "WD13NM", "name is missing"),
    "unreadable geometry": (
        feature("E05000003", "Broken", {"type": "Polygon", "coordinates": [[["a", "b"]]]}),
        "geometry",
        "unreadable geometry",
    ),
    "no geometry": (feature("E05000003", "Empty", None), "geometry", "has no geometry"),
    "point": (feature("E05000003", "A point", {"type": "Point", "coordinates": [0.1, 52.1]}), "geometry", "Point"),
    "line": (
        feature("E05000003", "A line", {"type": "LineString", "coordinates": [[0.1, 52.1], [0.2, 52.2]]}),
        "geometry",
        "LineString",
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_file_with_a_bad_row_is_rejected_whole_naming_row_and_field(tmp_path, case):
    LocalityFactory(code="E05000001", kind="ward", name="Ely North (before)", boundary=square(0.2, 52.4, 0.1))
    before = database_snapshot()
    bad_feature, field, words = BAD_ROWS[case]
    good = [feature(code, name, polygon(*b)) for code, name, b in TWO_WARDS]
    path = write_geojson(tmp_path / "wards.geojson", [*good, bad_feature])

    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=path, **WARD_FIELDS)

    problem = rejected.value.problems[0]
    assert (problem["row"], problem["field"]) == (3, field)
    assert words in problem["message"]
    assert database_snapshot() == before


def test_a_missing_field_is_named_and_nothing_is_written(two_wards_geojson):
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=two_wards_geojson, kind="ward", code_field="WD19CD", name_field="WD13NM")
    assert rejected.value.problems[0]["field"] == "WD19CD"
    assert "WD13CD" in rejected.value.problems[0]["message"]  # the fields it does have
    assert not Locality.objects.exists()


def test_a_file_that_is_not_a_boundary_file_is_rejected(tmp_path):
    path = tmp_path / "wards.geojson"
    path.write_text("postcode,lat\nCB6 1AA,52.4\n")
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=path, **WARD_FIELDS)
    assert rejected.value.problems[0]["field"] == "file"


def test_a_code_already_used_by_another_kind_is_rejected(two_wards_geojson):
    LocalityFactory(code="E05000002", kind="district")
    before = database_snapshot()
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=two_wards_geojson, **WARD_FIELDS)
    assert rejected.value.problems[0] == {
        "row": 2,
        "field": "WD13CD",
        "message": "Code E05000002 already belongs to a district.",
    }
    assert database_snapshot() == before


def test_reimporting_the_same_file_writes_nothing(two_wards_geojson):
    boundaries_import(path=two_wards_geojson, **WARD_FIELDS)
    before = database_snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = boundaries_import(path=two_wards_geojson, **WARD_FIELDS)

    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert database_snapshot() == before


def test_a_changed_file_updates_only_the_changed_ward_and_keeps_its_history(tmp_path, two_wards_geojson):
    boundaries_import(path=two_wards_geojson, **WARD_FIELDS)
    renamed = [
        feature("E05000001", "Ely North and Chettisham", polygon(0.2, 52.4, 0.3, 52.5)),
        feature("E05000002", "Ely South", polygon(0.2, 52.3, 0.3, 52.4)),
    ]
    (tmp_path / "v2").mkdir()
    report = boundaries_import(path=write_geojson(tmp_path / "v2" / "wards.geojson", renamed), **WARD_FIELDS)

    assert (report.updated, report.unchanged) == (1, 1)
    north = wards()["E05000001"]
    assert north.name == "Ely North and Chettisham"
    assert [h.name for h in north.history.order_by("history_date")] == ["Ely North", "Ely North and Chettisham"]


def test_a_self_intersecting_boundary_is_repaired_not_rejected(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 52], [0.1, 52.1], [0.1, 52], [0, 52.1], [0, 52]]]}
    path = write_geojson(tmp_path / "bowtie.geojson", [feature("E05000009", "Bowtie", bowtie)])

    report = boundaries_import(path=path, **WARD_FIELDS)

    assert report.repaired == 1
    stored = shapely.from_geojson(json.dumps(wards()["E05000009"].geometry.boundary))
    assert stored.is_valid and stored.geom_type == "MultiPolygon" and len(stored.geoms) == 2


def test_wards_without_a_parent_field_get_the_district_holding_most_of_them(two_wards_geojson):
    east = LocalityFactory(code="E07000009", kind="district", boundary=square(0.15, 52.35, 0.5))
    fenland = LocalityFactory(code="E07000010", kind="district", boundary=square(0.0, 52.0, 0.4))

    report = boundaries_import(path=two_wards_geojson, **WARD_FIELDS)

    found = wards()
    assert found["E05000001"].parent == east  # wholly inside East Cambridgeshire
    assert found["E05000002"].parent == fenland  # wholly in Fenland, half in East Cambridgeshire
    assert report.parents_by_containment == 2


def test_largest_overlap_wins_when_a_ward_straddles_two_districts(tmp_path):
    west = LocalityFactory(code="E07000001", kind="district", boundary=square(0.0, 52.0, 1.0))
    LocalityFactory(code="E07000002", kind="district", boundary=square(1.0, 52.0, 1.0))
    straddling = [feature("E05000007", "Border", polygon(0.7, 52.2, 1.1, 52.3))]  # 75 % west, 25 % east

    boundaries_import(path=write_geojson(tmp_path / "w.geojson", straddling), **WARD_FIELDS)

    assert wards()["E05000007"].parent == west


def test_a_parent_field_sets_parents_and_an_unknown_parent_rejects_the_file(tmp_path):
    LocalityFactory(code="E07000009", kind="district", boundary=square(0.15, 52.25, 0.3))
    good = [feature("E05000001", "Ely North", polygon(0.2, 52.4, 0.3, 52.5), LAD13CD="E07000009")]
    boundaries_import(path=write_geojson(tmp_path / "a.geojson", good), parent_field="LAD13CD", **WARD_FIELDS)
    assert wards()["E05000001"].parent.code == "E07000009"

    before = database_snapshot()
    renamed = feature("E05000001", "Ely North (renamed)", polygon(0.2, 52.4, 0.3, 52.5), LAD13CD="E07000009")
    bad = [renamed, feature("E05000002", "Ely South", polygon(0.2, 52.3, 0.3, 52.4), LAD13CD="E07000999")]
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=write_geojson(tmp_path / "b.geojson", bad), parent_field="LAD13CD", **WARD_FIELDS)
    assert rejected.value.problems == [
        {"row": 2, "field": "LAD13CD", "message": "There is no locality with code E07000999."}
    ]
    assert database_snapshot() == before


def test_a_parent_in_the_same_file_is_refused_rather_than_left_unset(tmp_path):
    rows = [
        feature("E05000001", "Ely North", polygon(0.2, 52.4, 0.3, 52.5), PARENT="E05000002"),
        feature("E05000002", "Ely South", polygon(0.2, 52.3, 0.3, 52.4), PARENT="E05000002"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=write_geojson(tmp_path / "w.geojson", rows), parent_field="PARENT", **WARD_FIELDS)

    assert [(p["row"], p["field"]) for p in rejected.value.problems] == [(1, "PARENT"), (2, "PARENT")]
    assert "import parents before their children" in rejected.value.problems[0]["message"]
    assert not Locality.objects.exists()


def _real_districts(tmp_path, codes: set[str]) -> Path:
    """The real 2013 boundaries of a few districts, cut from the national file into a small GeoJSON."""
    read = boundary_file_read(NATIONAL_TOPOJSON)
    features = [
        {"type": "Feature", "properties": row.properties, "geometry": shapely.geometry.mapping(row.geometry)}
        for row in read.rows
        if row.properties.get("LAD13CD") in codes
    ]
    return write_geojson(tmp_path / "districts.geojson", features)


@pytest.fixture
def cambridge_and_peterborough(tmp_path):
    path = _real_districts(tmp_path, {"E07000008", "E06000031"})
    boundaries_import(path=path, kind="district", code_field="LAD13CD", name_field="LAD13NM")


def test_wards_given_a_parent_far_away_are_refused_naming_each_row(cambridge_and_peterborough):
    before = database_snapshot()

    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=CAMBRIDGE_WARDS, parent_code="E06000031", **WARD_FIELDS)  # Peterborough

    problems = rejected.value.problems
    assert [(p["row"], p["field"]) for p in problems] == [(row, "parent") for row in range(1, 15)]
    assert "The parent E06000031 holds 0% of E05002702's area" in problems[0]["message"]
    assert database_snapshot() == before
    assert not Locality.objects.filter(kind="ward").exists()


def test_wards_given_the_district_they_lie_in_are_imported_under_it(cambridge_and_peterborough):
    report = boundaries_import(path=CAMBRIDGE_WARDS, parent_code="E07000008", **WARD_FIELDS)

    assert report.created == 14
    assert report.distant_parents == []
    assert set(Locality.objects.filter(kind="ward").values_list("parent__code", flat=True)) == {"E07000008"}


def test_a_distant_parent_is_imported_when_allowed_and_the_report_names_each_child(cambridge_and_peterborough):
    report = boundaries_import(path=CAMBRIDGE_WARDS, parent_code="E06000031", allow_distant_parent=True, **WARD_FIELDS)

    assert report.created == 14
    assert len(report.distant_parents) == 14
    assert report.distant_parents[0] == {"row": 1, "code": "E05002702", "parent": "E06000031", "share": 0.0}
    assert any("14 ward boundaries were placed under a parent holding less than half" in n for n in report.notes)
    assert set(Locality.objects.filter(kind="ward").values_list("parent__code", flat=True)) == {"E06000031"}


def test_a_parent_field_naming_a_distant_parent_is_refused_with_its_row_and_field(tmp_path):
    LocalityFactory(code="E07000009", kind="district", boundary=square(0.15, 52.25, 0.3))
    LocalityFactory(code="E07000010", kind="district", boundary=square(1.0, 53.0, 0.3))
    rows = [
        feature("E05000001", "Ely North", polygon(0.2, 52.4, 0.3, 52.5), LAD13CD="E07000009"),
        feature("E05000002", "Ely South", polygon(0.2, 52.3, 0.3, 52.4), LAD13CD="E07000010"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(path=write_geojson(tmp_path / "w.geojson", rows), parent_field="LAD13CD", **WARD_FIELDS)

    assert [(p["row"], p["field"]) for p in rejected.value.problems] == [(2, "LAD13CD")]
    assert not Locality.objects.filter(kind="ward").exists()


def test_a_parent_without_a_boundary_cannot_be_checked_and_the_report_says_so(two_wards_geojson):
    LocalityFactory(code="E07000009", kind="district", boundary=None)

    report = boundaries_import(path=two_wards_geojson, parent_code="E07000009", **WARD_FIELDS)

    assert report.created == 2
    assert any("E07000009 have no boundary yet" in note for note in report.notes)


def test_import_boundaries_command_refuses_a_distant_parent_unless_allowed(cambridge_and_peterborough, capsys):
    arguments = ["import_boundaries", str(CAMBRIDGE_WARDS), "--kind", "ward", "--code-field", "WD13CD"]
    arguments += ["--name-field", "WD13NM", "--parent", "E06000031"]
    with pytest.raises(CommandError) as failed:
        call_command(*arguments)
    assert "row 1, field parent: The parent E06000031 holds 0%" in str(failed.value)

    call_command(*arguments, "--allow-distant-parent")
    assert "14 ward boundaries were placed under a parent holding less than half" in capsys.readouterr().out


def test_display_geometry_of_neighbours_neither_gaps_nor_overlaps(tmp_path):
    # Two wards sharing a finely wiggled edge: simplification must move it the same way for both.
    edge = [(0.5 + (0.0001 if i % 2 else 0.0), 52.0 + i * 0.001) for i in range(101)]
    west = shapely.Polygon([(0.0, 52.0), *edge, (0.0, 52.1)])
    east = shapely.Polygon([*edge, (1.0, 52.1), (1.0, 52.0)])
    frame = gpd.GeoDataFrame({"WD13CD": ["E05000001", "E05000002"], "WD13NM": ["West", "East"]}, geometry=[west, east])
    path = write_geojson(tmp_path / "wiggly.geojson", json.loads(frame.to_json())["features"])

    boundaries_import(path=path, **WARD_FIELDS)

    found = wards()
    displays = [
        shapely.from_geojson(json.dumps(found[code].geometry.display_boundary)) for code in ("E05000001", "E05000002")
    ]
    assert shapely.get_num_coordinates(displays[0]) < shapely.get_num_coordinates(west) / 2  # simplified
    assert displays[0].intersection(displays[1]).area == pytest.approx(0, abs=1e-12)  # no overlap
    assert shapely.union_all(displays).area == pytest.approx(box(0, 52, 1, 52.1).area, rel=1e-6)  # no gap


def test_import_boundaries_command_reports_counts_and_rejections(tmp_path, two_wards_geojson, capsys):
    call_command(
        "import_boundaries",
        str(two_wards_geojson),
        "--kind",
        "ward",
        "--code-field",
        "WD13CD",
        "--name-field",
        "WD13NM",
    )
    assert "2 ward boundaries from GeoJSON: 2 created" in capsys.readouterr().out

    broken = write_geojson(tmp_path / "broken.geojson", [feature("", "Nowhere", polygon(0, 52, 0.1, 52.1))])
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_boundaries", str(broken), "--kind", "ward", "--code-field", "WD13CD", "--name-field", "WD13NM"
        )
    assert "row 1, field WD13CD: The code is missing." in str(failed.value)


def test_the_national_district_topojson_imports_with_one_command(capsys):
    call_command(
        "import_boundaries",
        str(NATIONAL_TOPOJSON),
        "--kind",
        "district",
        "--code-field",
        "LAD13CD",
        "--name-field",
        "LAD13NM",
    )
    output = capsys.readouterr().out
    assert "326 district boundaries from TopoJSON: 326 created" in output
    assert "WGS84 (EPSG:4326) was assumed" in output
    east = Locality.objects.get(code="E07000009")
    assert east.name == "East Cambridgeshire"
    assert 600 < east.area_km2 < 700  # about 655 km2
    assert shapely.from_geojson(json.dumps(east.geometry.boundary)).contains(shapely.Point(0.2620, 52.3990))  # Ely
