import httpx
import pytest
import respx
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ImportRejected, ServiceUnavailable
from geo.models import Postcode
from geo.selectors import UnknownPostcode, bounding_box, distance_km, geocode, near_filter, postcode_normalise
from geo.services import postcodes_import
from tests.factories import PostcodeFactory

HEADER = "pcd,pcd2,pcds,dointr,doterm,oslaua,osward,lat,long\n"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("cb61aa", "CB6 1AA"), (" CB6  1AA ", "CB6 1AA"), ("le19 1aa", "LE19 1AA"), ("sw1a1aa", "SW1A 1AA")],
)
def test_postcodes_are_normalised_for_spacing_and_case(raw, normalised):
    assert postcode_normalise(raw) == normalised


@pytest.mark.django_db
def test_a_known_postcode_is_found_whatever_its_spacing():
    PostcodeFactory(postcode="CB6 1AA", latitude=52.399, longitude=0.262, district_code="E07000009")
    point = geocode("cb6   1aa")
    assert (point.postcode, point.latitude, point.longitude, point.district_code) == (
        "CB6 1AA",
        52.399,
        0.262,
        "E07000009",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("CB6", "is not a valid UK postcode"),
        ("12345", "is not a valid UK postcode"),
        ("CB6 1AB", "is not in the postcode directory"),
        ("CB6 9ZZ", "has been terminated"),
        ("CB6 9ZY", "has no grid reference"),
    ],
)
def test_malformed_unknown_terminated_and_unplaced_postcodes_are_errors_naming_the_field(raw, words):
    PostcodeFactory(postcode="CB6 9ZZ", terminated=True)
    PostcodeFactory(postcode="CB6 9ZY", latitude=None, longitude=None)
    with pytest.raises(UnknownPostcode) as error:
        geocode(raw, field="home_postcode")
    assert words in error.value.message
    assert error.value.field == "home_postcode"


def test_distance_and_bounding_box_agree_on_twenty_km():
    min_lat, max_lat, min_lon, max_lon = bounding_box(52.4, 0.26, 20)
    assert distance_km(52.4, 0.26, max_lat, 0.26) == pytest.approx(20, rel=1e-3)
    assert distance_km(52.4, 0.26, 52.4, max_lon) == pytest.approx(20, rel=1e-2)
    assert distance_km(52.2053, 0.1218, 52.3990, 0.2620) == pytest.approx(23.6, abs=0.5)  # Cambridge to Ely


@pytest.mark.django_db
def test_near_filter_selects_rows_in_the_box_with_indexed_columns():
    PostcodeFactory(postcode="CB6 1AA", latitude=52.399, longitude=0.262)
    PostcodeFactory(postcode="LE19 1AA", latitude=52.59, longitude=-1.20)
    near_ely = Postcode.objects.filter(near_filter(52.40, 0.26, 20))
    assert list(near_ely.values_list("postcode", flat=True)) == ["CB6 1AA"]


@pytest.mark.django_db
def test_onspd_csv_is_upserted_with_unplaced_and_terminated_postcodes_marked(tmp_path):
    PostcodeFactory(postcode="CB6 1AA", latitude=50.0, longitude=0.0)
    path = tmp_path / "onspd.csv"
    path.write_text(
        HEADER
        + "CB6 1AA,CB6  1AA,CB6 1AA,198001,,E07000009,E05002722,52.399,0.262\n"
        + "CB7 4AA,CB7  4AA,CB7 4AA,198001,201801,E07000009,E05002723,52.39,0.26\n"
        + "CB7 9ZZ,CB7  9ZZ,CB7 9ZZ,198001,,E07000009,,99.999999,0.000000\n"
    )

    report = postcodes_import(path=path, batch_size=2)

    assert (report.rows, report.imported, report.terminated, report.without_location) == (3, 3, 1, 1)
    rows = {row.postcode: row for row in Postcode.objects.all()}
    assert (rows["CB6 1AA"].latitude, rows["CB6 1AA"].ward_code) == (52.399, "E05002722")  # updated
    assert rows["CB7 4AA"].terminated
    assert rows["CB7 9ZZ"].latitude is None
    with pytest.raises(UnknownPostcode):
        geocode("CB7 4AA")


@pytest.mark.django_db
def test_a_postcode_file_with_a_bad_row_is_rejected_naming_it_and_nothing_is_written(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        HEADER
        + "CB6 1AA,CB6  1AA,CB6 1AA,198001,,E07000009,E05002722,52.399,0.262\n"
        + "NOT A POSTCODE,x,NOT A POSTCODE,198001,,E07000009,E05002722,52.399,0.262\n"
        + "CB7 4AA,CB7  4AA,CB7 4AA,198001,,E07000009,E05002723,north,0.26\n"
        + "CB7 4AB,CB7  4AB,CB7 4AB,198001,,E07000009,E05002723,52.39,east\n"
    )
    with CaptureQueriesContext(connection) as queries, pytest.raises(ImportRejected) as rejected:
        postcodes_import(path=path)
    assert [(p["row"], p["field"]) for p in rejected.value.problems] == [(3, "pcds"), (4, "lat"), (5, "long")]
    assert rejected.value.problems[2]["message"] == "'east' is not a number."
    assert not Postcode.objects.exists()
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]


@pytest.mark.django_db
def test_a_postcode_file_without_the_onspd_columns_is_rejected(tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_text("postcode,latitude,longitude\nCB6 1AA,52.4,0.26\n")
    with pytest.raises(ImportRejected) as rejected:
        postcodes_import(path=path)
    assert {p["field"] for p in rejected.value.problems} == {"pcds", "lat", "long", "oslaua", "osward", "doterm"}


@pytest.mark.django_db
@respx.mock
def test_with_online_lookup_on_a_missing_postcode_is_asked_of_the_service(settings):
    settings.POSTCODE_ONLINE_LOOKUP = True
    settings.POSTCODE_LOOKUP_URL = "https://postcodes.example/postcodes/"
    known = respx.get("https://postcodes.example/postcodes/CB61AA").mock(
        return_value=httpx.Response(
            200,
            json={
                "status": 200,
                "result": {
                    "postcode": "CB6 1AA",
                    "latitude": 52.3991,
                    "longitude": 0.2621,
                    "codes": {"admin_district": "E07000009", "admin_ward": "E05002722"},
                },
            },
        )
    )
    respx.get("https://postcodes.example/postcodes/CB61AB").mock(return_value=httpx.Response(404, json={}))

    point = geocode("cb6 1aa")
    assert (point.latitude, point.district_code, point.ward_code) == (52.3991, "E07000009", "E05002722")
    geocode("CB6 1AA")
    assert known.call_count == 1  # the answer is cached
    with pytest.raises(UnknownPostcode, match="not known"):
        geocode("CB6 1AB")


@pytest.mark.django_db
@respx.mock
def test_an_unreadable_online_answer_is_a_service_error_not_a_guess(settings):
    settings.POSTCODE_ONLINE_LOOKUP = True
    settings.POSTCODE_LOOKUP_URL = "https://postcodes.example/postcodes/"
    respx.get("https://postcodes.example/postcodes/CB61AA").mock(return_value=httpx.Response(200, text="<html>"))
    with pytest.raises(ServiceUnavailable, match="unreadable"):
        geocode("CB6 1AA")


@pytest.mark.django_db
@respx.mock(assert_all_called=False)
def test_online_lookup_is_off_by_default(settings):
    route = respx.get(url__startswith="https://api.postcodes.io/")
    assert settings.POSTCODE_ONLINE_LOOKUP is False
    with pytest.raises(UnknownPostcode, match="not in the postcode directory"):
        geocode("CB6 1AA")
    assert not route.called


@pytest.mark.django_db
def test_import_postcodes_command_reports_counts_and_rejections(tmp_path, capsys):
    path = tmp_path / "onspd.csv"
    path.write_text(HEADER + "CB6 1AA,CB6  1AA,CB6 1AA,198001,,E07000009,E05002722,52.399,0.262\n")
    call_command("import_postcodes", str(path))
    assert "1 postcodes imported from 1 rows (0 terminated, 0 without a location)." in capsys.readouterr().out
    assert geocode("CB6 1AA").ward_code == "E05002722"

    path.write_text(HEADER + "CB6 1AB,CB6  1AB,CB6 1AB,198001,,E07000009,E05002722,52.399,somewhere\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_postcodes", str(path))
    assert "row 2, field long" in str(failed.value)
