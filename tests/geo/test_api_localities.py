import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from geo.layers import register_layer_properties, unregister_layer_properties
from geo.models import BoundaryImport, Locality
from geo.services import boundary_import_run, locality_compose
from tests.factories import LocalityFactory, square

pytestmark = pytest.mark.django_db
LAYER = "/api/v1/geo/localities/"


@pytest.fixture
def cambridgeshire():
    county = LocalityFactory(code="E10000003", name="Cambridgeshire", kind="county", boundary=square(-0.5, 52.0, 1.0))
    LocalityFactory(
        code="E07000009", name="East Cambridgeshire", kind="district", parent=county, boundary=square(0.1, 52.3, 0.3)
    )
    LocalityFactory(code="E07000010", name="Fenland", kind="district", parent=county, boundary=square(-0.2, 52.5, 0.3))
    LocalityFactory(code="E07000129", name="Blaby", kind="district", boundary=square(-1.3, 52.5, 0.2))
    return county


def test_the_district_layer_of_a_county_is_a_geojson_feature_collection(api, cambridgeshire):
    api.as_role(Role.COMMISSIONER)
    response = api.get(LAYER, {"kind": "district", "parent": "E10000003"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in body["features"]] == ["East Cambridgeshire", "Fenland"]
    east = body["features"][0]
    assert east["type"] == "Feature"
    assert east["id"] == "E07000009"
    assert east["properties"]["code"] == "E07000009"
    assert east["properties"]["kind"] == "district"
    assert east["properties"]["parent"] == "E10000003"
    assert east["geometry"]["type"] == "MultiPolygon"


def test_any_signed_in_role_may_read_the_map_but_anonymous_users_may_not(api, cambridgeshire):
    assert api.get(LAYER, {"kind": "district"}).status_code in (401, 403)
    api.as_role(Role.PROVIDER_USER)
    assert api.get(LAYER, {"kind": "district"}).status_code == 200


def test_an_unchanged_layer_answers_304_to_its_etag_and_a_change_gives_a_new_one(api, cambridgeshire):
    api.as_role(Role.BROKER)
    first = api.get(LAYER, {"kind": "district"})
    etag = first["ETag"]
    assert etag

    again = api.get(LAYER, {"kind": "district"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    Locality.objects.filter(code="E07000010").update(name="Fenland District")  # updated_at is not touched...
    locality = Locality.objects.get(code="E07000010")
    locality.save()  # ...but a save is
    changed = api.get(LAYER, {"kind": "district"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Fenland District" in [f["properties"]["name"] for f in changed.json()["features"]]


def test_a_cached_layer_is_served_without_reading_boundaries_for_one_district_or_fifty(api):
    api.as_role(Role.COMMISSIONER)
    api.get(LAYER, {"kind": "district"})  # the user's roles are read once, on the first request

    def queries_for_cached_layer() -> int:
        api.get(LAYER, {"kind": "district"})  # fills the cache
        with CaptureQueriesContext(connection) as queries:
            assert api.get(LAYER, {"kind": "district"}).status_code == 200
        # Only the geography's version is asked of the database; the features come from the cache.
        assert not [q for q in queries.captured_queries if "display_boundary" in q["sql"]]
        return len(queries)

    LocalityFactory(kind="district", boundary=square(0.0, 52.0))
    one = queries_for_cached_layer()
    for index in range(49):
        LocalityFactory(kind="district", boundary=square(0.01 * index, 52.0))
    assert queries_for_cached_layer() == one


def test_building_a_layer_takes_the_same_queries_for_one_district_or_fifty(api):
    api.as_role(Role.COMMISSIONER)
    api.get(LAYER, {"kind": "district"})  # the user's roles are read once, on the first request

    def queries_for_fresh_layer() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert api.get(LAYER, {"kind": "district"}).status_code == 200
        return len(queries)

    LocalityFactory(kind="district")
    one = queries_for_fresh_layer()
    for _ in range(49):
        LocalityFactory(kind="district")
    assert queries_for_fresh_layer() == one


def test_a_bad_kind_or_unknown_parent_is_a_clear_error(api, cambridgeshire):
    api.as_role(Role.BROKER)
    bad_kind = api.get(LAYER, {"kind": "parish"})
    assert bad_kind.status_code == 400
    assert "kind" in bad_kind.json()["error"]["fields"]
    unknown_parent = api.get(LAYER, {"kind": "district", "parent": "E10009999"})
    assert unknown_parent.status_code == 404
    assert "E10009999" in unknown_parent.json()["error"]["message"]


def test_a_locality_by_code_shows_its_members_and_attribution(api):
    for code, lon in (("E05000001", 0.0), ("E05000002", 0.1)):
        LocalityFactory(code=code, kind="ward", boundary=square(lon, 52.0, 0.1))
    locality_compose(
        code="HTLAH-02",
        name="Hinckley and Twycross",
        kind="lot_area",
        member_codes=["E05000001", "E05000002"],
        attribution="© Crown copyright",
    )
    api.as_role(Role.CONTRACT_OFFICER)

    response = api.get(f"{LAYER}HTLAH-02/")

    assert response.status_code == 200
    feature = response.json()
    assert feature["properties"]["name"] == "Hinckley and Twycross"
    assert feature["properties"]["members"] == ["E05000001", "E05000002"]
    assert feature["properties"]["attribution"] == "© Crown copyright"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert api.get(f"{LAYER}HTLAH-02/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert api.get(f"{LAYER}HTLAH-99/").status_code == 404


def test_other_apps_add_feature_properties_through_the_registry(api, cambridgeshire):
    def voids(localities):
        return {locality.id: {"void_beds": 3 if locality.code == "E07000009" else 0} for locality in localities}

    register_layer_properties("sample_voids", voids)
    try:
        api.as_role(Role.COMMISSIONER)
        body = api.get(LAYER, {"kind": "district", "parent": "E10000003", "properties": "sample_voids"}).json()
        assert [f["properties"]["void_beds"] for f in body["features"]] == [3, 0]
        plain = api.get(LAYER, {"kind": "district", "parent": "E10000003"}).json()
        assert "void_beds" not in plain["features"][0]["properties"]
        unknown = api.get(LAYER, {"kind": "district", "properties": "gaps"})
        assert unknown.status_code == 400
        assert "sample_voids" in unknown.json()["error"]["message"]  # names what is on offer
    finally:
        unregister_layer_properties("sample_voids")


def test_versioned_layer_properties_are_cached_until_their_version_changes(api, cambridgeshire):
    state = {"version": "1", "calls": 0, "beds": 3}

    def voids(localities):
        state["calls"] += 1
        return {locality.id: {"void_beds": state["beds"]} for locality in localities}

    register_layer_properties("sample_voids", voids, version=lambda: state["version"])
    try:
        api.as_role(Role.COMMISSIONER)
        query = {"kind": "district", "parent": "E10000003", "properties": "sample_voids"}
        first = api.get(LAYER, query)
        state["beds"] = 5  # a change the app has not yet versioned is not seen...
        assert api.get(LAYER, query).content == first.content
        assert state["calls"] == 1

        state["version"] = "2"  # ...until its version moves on
        changed = api.get(LAYER, query)
        assert [f["properties"]["void_beds"] for f in changed.json()["features"]] == [5, 5]
        assert changed["ETag"] != first["ETag"]
    finally:
        unregister_layer_properties("sample_voids")


def test_postcode_lookup_answers_where_a_postcode_is(api):
    from tests.factories import PostcodeFactory

    PostcodeFactory(postcode="CB6 1AA")
    api.as_role(Role.BROKER)
    assert api.get("/api/v1/geo/postcodes/cb61aa/").json()["district_code"] == "E07000009"
    unknown = api.get("/api/v1/geo/postcodes/CB6 1AB/")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_postcode"


def test_an_administrator_uploads_a_boundary_file_and_its_import_reports_the_result(api, two_wards_geojson):
    api.as_role(Role.ADMINISTRATOR)
    upload = SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes(), content_type="application/geo+json")

    response = api.post(
        "/api/v1/geo/boundary-imports/",
        {"file": upload, "kind": "ward", "code_field": "WD13CD", "name_field": "WD13NM"},
        format="multipart",
    )

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    boundary_import_run(boundary_import_id=response.json()["id"])  # what the task does
    done = api.get(f"/api/v1/geo/boundary-imports/{response.json()['id']}/").json()
    assert (done["status"], done["progress"]) == ("succeeded", 100)
    assert done["report"]["created"] == 2
    assert Locality.objects.filter(kind="ward").count() == 2


def test_an_upload_naming_a_distant_parent_is_rejected_unless_allowed_and_then_reported(api, tmp_path):
    from tests.geo.conftest import feature, polygon, write_geojson

    LocalityFactory(code="E07000010", kind="district", boundary=square(1.0, 53.0, 0.3))
    path = write_geojson(
        tmp_path / "w.geojson", [feature("E05000001", "Ely North", polygon(0.2, 52.4, 0.3, 52.5), LAD13CD="E07000010")]
    )
    api.as_role(Role.ADMINISTRATOR)
    answers = {}
    for allow in ("false", "true"):
        response = api.post(
            "/api/v1/geo/boundary-imports/",
            {
                "file": SimpleUploadedFile("w.geojson", path.read_bytes()),
                "kind": "ward",
                "code_field": "WD13CD",
                "name_field": "WD13NM",
                "parent_field": "LAD13CD",
                "allow_distant_parent": allow,
            },
            format="multipart",
        )
        assert response.status_code == 202
        assert response.json()["allow_distant_parent"] is (allow == "true")
        boundary_import_run(boundary_import_id=response.json()["id"])
        answers[allow] = api.get(f"/api/v1/geo/boundary-imports/{response.json()['id']}/").json()

    assert answers["false"]["status"] == "rejected"
    assert [(p["row"], p["field"]) for p in answers["false"]["report"]["problems"]] == [(1, "LAD13CD")]
    assert answers["true"]["status"] == "succeeded"
    assert answers["true"]["report"]["distant_parents"] == [
        {"row": 1, "code": "E05000001", "parent": "E07000010", "share": 0.0}
    ]
    assert Locality.objects.get(code="E05000001").parent.code == "E07000010"


def test_a_rejected_upload_reports_row_and_field(api, tmp_path):
    from tests.geo.conftest import feature, polygon, write_geojson

    path = write_geojson(tmp_path / "bad.geojson", [feature("", "Nowhere", polygon(0, 52, 0.1, 52.1))])
    record = BoundaryImport.objects.create(
        file=SimpleUploadedFile("bad.geojson", path.read_bytes()), kind="ward", code_field="WD13CD", name_field="WD13NM"
    )
    record = boundary_import_run(boundary_import_id=record.pk)
    assert record.status == "rejected"
    assert record.report["problems"] == [{"row": 1, "field": "WD13CD", "message": "The code is missing."}]


def test_only_administrators_may_upload_boundaries(api, two_wards_geojson):
    api.as_role(Role.COMMISSIONER)
    upload = SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes())
    response = api.post(
        "/api/v1/geo/boundary-imports/",
        {"file": upload, "kind": "ward", "code_field": "WD13CD", "name_field": "WD13NM"},
        format="multipart",
    )
    assert response.status_code == 403
    assert not BoundaryImport.objects.exists()


def test_the_upload_list_costs_the_same_queries_for_one_upload_or_fifty(api):
    api.as_role(Role.ADMINISTRATOR)
    api.get("/api/v1/geo/boundary-imports/")  # the user's roles are read once, on the first request

    def add(count: int) -> None:
        BoundaryImport.objects.bulk_create(
            BoundaryImport(file=f"geo/boundary-imports/w{n}.geojson", kind="ward", code_field="C", name_field="N")
            for n in range(count)
        )

    def queries_for_list(expected: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/geo/boundary-imports/")
        assert response.json()["count"] == expected
        return len(queries)

    add(1)
    one = queries_for_list(1)
    add(49)
    assert queries_for_list(50) == one


def test_a_running_import_shows_its_live_progress(api):
    from django.core.cache import cache

    from geo.selectors import boundary_import_progress_key

    record = BoundaryImport.objects.create(
        file=SimpleUploadedFile("wards.geojson", b"{}"),
        kind="ward",
        code_field="WD13CD",
        name_field="WD13NM",
        status="running",
    )
    cache.set(boundary_import_progress_key(record.pk), 42)
    api.as_role(Role.ADMINISTRATOR)
    assert api.get(f"/api/v1/geo/boundary-imports/{record.pk}/").json()["progress"] == 42


def test_map_addresses_refuse_query_parameters_they_do_not_understand(api, cambridgeshire):
    api.as_role(Role.COMMISSIONER)
    record = BoundaryImport.objects.create(file="geo/boundary-imports/w.geojson", kind="ward", code_field="C")

    answers = {
        "layer": api.get(LAYER, {"kind": "district", "kinds": "ward"}),
        "detail": api.get(f"{LAYER}E07000009/", {"propertes": "voids"}),
        "postcode": api.get("/api/v1/geo/postcodes/CB6 1AA/", {"field": "x"}),
    }
    api.as_role(Role.ADMINISTRATOR)
    answers["uploads"] = api.get("/api/v1/geo/boundary-imports/", {"status": "pending"})
    answers["upload"] = api.get(f"/api/v1/geo/boundary-imports/{record.pk}/", {"verbose": "1"})

    for name, wrong in (("layer", "kinds"), ("detail", "propertes"), ("postcode", "field")):
        assert answers[name].status_code == 400, name
        assert wrong in answers[name].json()["error"]["fields"], name
    assert "status" in answers["uploads"].json()["error"]["fields"]
    assert "verbose" in answers["upload"].json()["error"]["fields"]


def test_layer_parameters_are_checked_each_naming_itself(api, cambridgeshire):
    api.as_role(Role.COMMISSIONER)

    empty = api.get(LAYER + "?kind=&parent=E10000003")
    neither = api.get(LAYER)
    unknown_properties = api.get(LAYER, {"kind": "district", "properties": "gaps"})
    unknown_on_detail = api.get(f"{LAYER}E07000009/", {"properties": "gaps"})
    unknown_parent = api.get(LAYER, {"parent": "E10009999"})

    assert empty.status_code == 400 and "kind" in empty.json()["error"]["fields"]
    assert neither.status_code == 400 and "kind" in neither.json()["error"]["fields"]
    for answer in (unknown_properties, unknown_on_detail):
        assert answer.status_code == 400
        assert "Unknown layer property 'gaps'" in answer.json()["error"]["fields"]["properties"][0]
    assert unknown_parent.status_code == 404
    assert unknown_parent.json()["error"]["fields"] == {"parent": ["There is no locality with code E10009999."]}


def test_the_schema_documents_the_layer_parameters(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    layer = schema["paths"]["/api/v1/geo/localities/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in layer["parameters"]}
    assert {"kind", "parent", "properties"} <= set(parameters)
    assert "ward" in parameters["kind"]["schema"]["enum"]
    detail = schema["paths"]["/api/v1/geo/localities/{code}/"]["get"]
    assert "properties" in {parameter["name"] for parameter in detail["parameters"]}
