from datetime import date

import pytest
from django.core.management import CommandError, call_command

from core.errors import ImportRejected
from providers.models import Location, Provider, Rating, RatingChange
from providers.services.imports import cqc_file_import
from tests.factories import LocalityFactory, PostcodeFactory
from tests.providers.cqc_files import (
    DIRECTORY_HEADER,
    RATINGS_HEADER,
    directory_csv,
    directory_row,
    ratings_csv,
    ratings_rows,
    ratings_xlsx,
)

pytestmark = pytest.mark.django_db


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_care_directory_is_imported_with_localities_from_postcodes(tmp_path):
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    PostcodeFactory(postcode="PE13 1AA", latitude=52.66, longitude=0.16, district_code="E07000010")
    path = write(tmp_path, "directory.csv", directory_csv([directory_row(n) for n in range(1, 6)]))

    report = cqc_file_import(path=path)

    assert (report.kind, report.rows, report.locations_created, report.providers_created) == ("directory", 5, 5, 3)
    location = Location.objects.select_related("current_rating").get(cqc_location_id="1-1000000001")
    assert location.care_home is True
    assert location.service_types == ["Care home service with nursing", "Care home service without nursing"]
    assert location.specialisms == ["Dementia", "Caring for adults over 65 yrs"]
    assert (location.district_id, location.latitude) == (fenland.pk, 52.66)
    assert (location.current_rating.overall, location.current_rating.report_date) == ("Good", date(2023, 5, 10))


def test_header_casing_of_another_release_is_accepted(tmp_path):
    header = [heading.upper() if i % 2 else heading.lower() for i, heading in enumerate(DIRECTORY_HEADER)]
    path = write(tmp_path, "directory.csv", directory_csv([directory_row(1)], header=header))
    assert cqc_file_import(path=path).locations_created == 1


def test_reimporting_an_unchanged_directory_writes_nothing(tmp_path):
    path = write(tmp_path, "directory.csv", directory_csv([directory_row(n) for n in range(1, 4)]))
    cqc_file_import(path=path)
    history = Location.history.count()
    again = cqc_file_import(path=path)
    assert again.written == 0
    assert again.locations_unchanged == 3
    assert Location.history.count() == history


def test_a_changed_rating_in_a_later_directory_is_a_rating_change(tmp_path):
    cqc_file_import(path=write(tmp_path, "a.csv", directory_csv([directory_row(1)])))
    report = cqc_file_import(
        path=write(tmp_path, "b.csv", directory_csv([directory_row(1, overall="Inadequate", checked="01/02/2024")]))
    )
    assert report.rating_changes == 1
    change = RatingChange.objects.get()
    assert (change.from_value, change.to_value, change.direction, change.source) == (
        "Good",
        "Inadequate",
        "down",
        "cqc_directory",
    )


def test_bad_rows_are_reported_with_row_number_and_the_rest_imported(tmp_path):
    rows = [
        directory_row(1),
        directory_row(2, **{"CQC Location ID (for office use only)": "not-an-id"}),
        directory_row(3, overall="Brilliant"),
        directory_row(4, checked="31/31/2023"),
        directory_row(1),
    ]
    report = cqc_file_import(path=write(tmp_path, "directory.csv", directory_csv(rows)))
    assert report.locations_created == 1
    # Four preamble lines and a header: the first data row is line 6.
    assert [(p["row"], p["field"]) for p in report.rejected] == [
        (7, "CQC Location ID"),
        (8, "Latest overall rating"),
        (9, "Date of latest check"),
        (10, "CQC Location ID"),
    ]
    assert "appears twice" in report.rejected[-1]["message"]


def test_a_file_that_is_not_a_cqc_file_is_rejected_and_nothing_is_written(tmp_path):
    path = write(tmp_path, "orders.csv", b"order,amount\n1,20\n2,30\n")
    with pytest.raises(ImportRejected, match="neither a CQC care directory nor a latest ratings sheet") as error:
        cqc_file_import(path=path)
    assert "'latest rating'" in error.value.message and "'cqc location id (for office use only)'" in error.value.message
    assert not Provider.objects.exists()


def test_a_ratings_sheet_missing_a_column_is_not_called_a_care_directory(tmp_path):
    header = [heading for heading in RATINGS_HEADER if heading != "Location Name"]
    rows = [row[:2] + row[3:] for row in ratings_rows("1-2000000001", "Good")]
    with pytest.raises(ImportRejected, match="neither a CQC care directory nor a latest ratings sheet"):
        cqc_file_import(path=write(tmp_path, "ratings.csv", ratings_csv(rows, header=header)))
    with pytest.raises(ImportRejected, match="not a CQC latest ratings sheet.*'location name'"):
        cqc_file_import(path=write(tmp_path, "ratings.csv", ratings_csv(rows, header=header)), kind="ratings")


def test_a_binary_file_posing_as_a_spreadsheet_is_rejected(tmp_path):
    path = write(tmp_path, "ratings.xlsx", b"PK\x03\x04 this is not a workbook")
    with pytest.raises(ImportRejected, match="spreadsheet"):
        cqc_file_import(path=path)
    assert not Location.objects.exists()


def test_the_ratings_sheet_as_csv_gives_overall_and_key_questions(tmp_path):
    rows = ratings_rows("1-2000000001", "Good", published="01/03/2016") + ratings_rows(
        "1-2000000002", "Requires improvement", safe="Inadequate"
    )
    report = cqc_file_import(path=write(tmp_path, "ratings.csv", ratings_csv(rows)))
    assert (report.kind, report.rows, report.locations_created, report.ratings_created) == ("ratings", 12, 2, 2)
    rating = Location.objects.get(cqc_location_id="1-2000000002").current_rating
    assert (rating.overall, rating.safe, rating.well_led, rating.report_date) == (
        "Requires improvement",
        "Inadequate",
        "Requires improvement",
        date(2017, 1, 20),
    )


def test_the_ratings_spreadsheet_records_a_downgrade_and_is_idempotent(tmp_path):
    cqc_file_import(
        path=write(tmp_path, "old.xlsx", ratings_xlsx(ratings_rows("1-2000000001", "Good", published="01/03/2016")))
    )
    newer = write(tmp_path, "new.xlsx", ratings_xlsx(ratings_rows("1-2000000001", "Inadequate")))
    report = cqc_file_import(path=newer)
    assert report.rating_changes == 6
    assert RatingChange.objects.filter(question="overall", direction="down").count() == 1
    assert Location.objects.get().current_rating.overall == "Inadequate"
    again = cqc_file_import(path=newer)
    assert again.written == 0
    assert Rating.objects.count() == 2


def test_ratings_rows_with_unknown_domains_or_values_are_rejected_by_row(tmp_path):
    rows = ratings_rows("1-2000000001", "Good")
    rows[2][11] = "Kindness"
    rows[3][12] = "Very good"
    orphan = ratings_rows("1-2000000003", "Good")[1:2]  # a Safe row with no Overall row for its location
    report = cqc_file_import(path=write(tmp_path, "ratings.csv", ratings_csv(rows + orphan)))
    assert [(p["row"], p["field"]) for p in report.rejected] == [(4, "Domain"), (5, "Latest Rating"), (8, "Domain")]
    assert "no Overall row" in report.rejected[-1]["message"]
    assert list(Location.objects.values_list("cqc_location_id", flat=True)) == ["1-2000000001"]


def test_the_command_reports_rejected_rows_and_refuses_wrong_files(tmp_path, capsys):
    good = write(tmp_path, "directory.csv", directory_csv([directory_row(1), directory_row(2, Name="")]))
    call_command("import_cqc_directory", str(good))
    out = capsys.readouterr().out
    assert "1 new" in out
    assert "row 7, Name: the name is empty" in out
    with pytest.raises(CommandError, match="neither a CQC care directory"):
        call_command("import_cqc_directory", str(write(tmp_path, "x.csv", b"a,b\n1,2\n")))


def test_an_empty_file_or_a_header_without_rows_is_rejected(tmp_path):
    with pytest.raises(ImportRejected, match="empty"):
        cqc_file_import(path=write(tmp_path, "empty.csv", b""))
    with pytest.raises(ImportRejected, match="no rows"):
        cqc_file_import(path=write(tmp_path, "header.csv", directory_csv([])))
    assert not Provider.objects.exists()


def test_a_csv_broken_by_an_unclosed_quote_is_rejected_naming_the_line(tmp_path):
    rows = [directory_row(1), directory_row(2, Address='"12 Station Road' + " x" * 70000)]
    path = write(tmp_path, "directory.csv", directory_csv(rows).replace(b'"""12', b'"12'))
    with pytest.raises(ImportRejected, match="cannot be read as CSV at line 7") as error:
        cqc_file_import(path=path)
    assert error.value.problems[0]["row"] == 7
    assert not Location.objects.exists()


def test_bad_rows_of_the_ratings_spreadsheet_are_reported_by_sheet_row(tmp_path):
    rows = ratings_rows("1-2000000001", "Good") + ratings_rows("1-2000000002", "Good", published="31/02/2017")[:1]
    report = cqc_file_import(path=write(tmp_path, "ratings.xlsx", ratings_xlsx(rows)))
    # Row 1 of the Locations sheet is the header, so the seventh data row is sheet row 8.
    assert [(p["row"], p["field"]) for p in report.rejected] == [(8, "Publication Date")]
    assert "'31/02/2017' is not a date" in report.rejected[0]["message"]
    assert list(Location.objects.values_list("cqc_location_id", flat=True)) == ["1-2000000001"]


def test_key_questions_added_to_a_known_report_count_as_written(tmp_path):
    overall_and_safe = ratings_rows("1-2000000001", "Good")[:2]
    cqc_file_import(path=write(tmp_path, "partial.csv", ratings_csv(overall_and_safe)))
    report = cqc_file_import(path=write(tmp_path, "full.csv", ratings_csv(ratings_rows("1-2000000001", "Good"))))
    assert (report.ratings_created, report.ratings_updated, report.rating_changes) == (0, 1, 0)
    assert report.written == 1
    assert Location.objects.get().current_rating.well_led == "Good"


def test_ratings_of_one_service_or_population_group_are_not_taken_for_the_locations(tmp_path):
    older_people = ratings_rows("1-2000000001", "Inadequate")
    for row in older_people:
        row[10] = "Older people"
    rows = older_people + ratings_rows("1-2000000001", "Good")
    report = cqc_file_import(path=write(tmp_path, "ratings.csv", ratings_csv(rows)))
    assert (report.rows, report.service_rows, report.rejected) == (12, 6, [])
    rating = Location.objects.get().current_rating
    assert (rating.overall, rating.safe) == ("Good", "Good")


def test_a_first_file_records_no_changes_and_a_later_files_downgrade_is_news(tmp_path):
    from providers.selectors import rating_changes_since

    first = cqc_file_import(
        path=write(tmp_path, "old.xlsx", ratings_xlsx(ratings_rows("1-2000000001", "Good", published="01/03/2016")))
    )
    assert first.rating_changes == 0
    cqc_file_import(path=write(tmp_path, "new.xlsx", ratings_xlsx(ratings_rows("1-2000000001", "Inadequate"))))
    news = rating_changes_since().get(question="overall")
    assert (news.to_value, news.historic) == ("Inadequate", False)
