from datetime import date

import pytest

from core.errors import DomainError
from providers.models import Location, Rating, RatingChange
from providers.services.ratings import RatingInput, rating_record, ratings_record
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def current_of(location) -> Rating:
    return Location.objects.select_related("current_rating").get(pk=location.pk).current_rating


def test_a_fall_from_good_to_inadequate_is_recorded_as_down_with_its_date():
    location = LocationFactory()
    rating_record(location=location, overall="Good", report_date=date(2016, 3, 1), source="cqc_api")
    rating_record(location=location, overall="Inadequate", report_date=date(2017, 1, 20), source="cqc_api")

    change = RatingChange.objects.get(location=location, question="overall")
    assert (change.from_value, change.to_value, change.direction) == ("Good", "Inadequate", "down")
    assert change.report_date == date(2017, 1, 20)
    assert change.source == "cqc_api"
    assert current_of(location).overall == "Inadequate"


def test_a_rise_is_recorded_as_up():
    location = LocationFactory()
    rating_record(location=location, overall="Requires improvement", report_date=date(2020, 1, 1))
    rating_record(location=location, overall="Outstanding", report_date=date(2022, 1, 1))
    assert RatingChange.objects.get(location=location).direction == "up"


def test_a_key_question_falling_under_an_unchanged_overall_is_a_change_of_that_question_only():
    location = LocationFactory()
    rating_record(location=location, overall="Good", report_date=date(2020, 1, 1), safe="Good", well_led="Good")
    rating_record(
        location=location, overall="Good", report_date=date(2023, 6, 1), safe="Requires improvement", well_led="Good"
    )
    changes = list(RatingChange.objects.filter(location=location).values_list("question", "direction"))
    assert changes == [("safe", "down")]
    assert current_of(location).safe == "Requires improvement"


@pytest.mark.parametrize(
    "before, after",
    [("Good", "Inspected but not rated"), ("Insufficient evidence to rate", "Good"), ("Not Rated", "Inadequate")],
)
def test_changes_to_or_from_non_rating_values_are_never_up_or_down(before, after):
    location = LocationFactory()
    rating_record(location=location, overall=before, report_date=date(2020, 1, 1))
    rating_record(location=location, overall=after, report_date=date(2021, 1, 1))
    change = RatingChange.objects.get(location=location)
    assert change.direction == "changed"
    assert (change.from_value, change.to_value) == (before, after)


def test_the_first_rating_of_a_location_is_not_a_change():
    location = LocationFactory()
    rating_record(location=location, overall="Inadequate", report_date=date(2020, 1, 1))
    assert not RatingChange.objects.exists()
    assert current_of(location).overall == "Inadequate"


def test_an_older_report_joins_the_history_without_moving_the_current_rating():
    location = LocationFactory()
    rating_record(location=location, overall="Good", report_date=date(2022, 1, 1))
    rating_record(location=location, overall="Inadequate", report_date=date(2018, 1, 1))
    assert current_of(location).overall == "Good"
    assert Rating.objects.filter(location=location).count() == 2
    assert not RatingChange.objects.exists()


def test_recording_the_same_ratings_twice_writes_nothing_the_second_time():
    location = LocationFactory()
    batch = [
        RatingInput(location_id=location.pk, overall="Good", report_date=date(2019, 1, 1)),
        RatingInput(location_id=location.pk, overall="Requires improvement", report_date=date(2021, 1, 1), safe="Good"),
    ]
    first = ratings_record(ratings=batch, source="cqc_ratings")
    assert (first.created, len(first.changes)) == (2, 1)
    second = ratings_record(ratings=batch, source="cqc_ratings")
    assert (second.created, second.updated, len(second.changes)) == (0, 0, 0)
    assert Rating.objects.count() == 2
    assert RatingChange.objects.count() == 1


def test_many_locations_are_rated_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    locations = LocationFactory.create_batch(30)
    batch = [RatingInput(location_id=loc.pk, overall="Good", report_date=date(2020, 1, 1)) for loc in locations]
    with django_assert_max_num_queries(8):
        ratings_record(ratings=batch, source="cqc_ratings")
    assert Location.objects.filter(current_rating__overall="Good").count() == 30


def test_a_value_cqc_does_not_publish_is_refused_naming_the_question():
    location = LocationFactory()
    with pytest.raises(DomainError) as error:
        rating_record(location=location, overall="Good", report_date=date(2020, 1, 1), safe="Great")
    assert error.value.field == "safe"
    assert not Rating.objects.exists()


def test_changes_found_while_loading_a_locations_history_for_the_first_time_are_historic():
    location = LocationFactory()
    first_load = [
        RatingInput(location_id=location.pk, overall="Requires improvement", report_date=date(2016, 1, 1)),
        RatingInput(location_id=location.pk, overall="Good", report_date=date(2017, 1, 1)),
        RatingInput(location_id=location.pk, overall="Outstanding", report_date=date(2019, 1, 1)),
    ]
    outcome = ratings_record(ratings=first_load, source="cqc_api")
    assert [(c.to_value, c.historic) for c in outcome.changes] == [("Good", True), ("Outstanding", True)]

    rating_record(location=location, overall="Inadequate", report_date=date(2024, 1, 1), source="cqc_api")
    news = RatingChange.objects.get(to_value="Inadequate")
    assert (news.direction, news.historic) == ("down", False)
    assert RatingChange.objects.filter(location=location).count() == 3  # the history is kept


def test_rating_changes_since_leaves_out_historic_changes_unless_asked():
    from providers.selectors import rating_changes_since

    location = LocationFactory()
    ratings_record(
        ratings=[
            RatingInput(location_id=location.pk, overall="Good", report_date=date(2016, 1, 1)),
            RatingInput(location_id=location.pk, overall="Inadequate", report_date=date(2017, 1, 1)),
        ],
        source="cqc_ratings",
    )
    assert list(rating_changes_since()) == []
    assert [c.to_value for c in rating_changes_since(include_historic=True)] == ["Inadequate"]


def test_of_several_newer_reports_read_together_only_the_change_to_the_current_one_is_news():
    location = LocationFactory()
    rating_record(location=location, overall="Good", report_date=date(2019, 1, 1), source="cqc_directory")
    ratings_record(
        ratings=[
            RatingInput(location_id=location.pk, overall="Requires improvement", report_date=date(2021, 1, 1)),
            RatingInput(location_id=location.pk, overall="Inadequate", report_date=date(2023, 1, 1)),
        ],
        source="cqc_api",
    )
    changes = RatingChange.objects.order_by("report_date").values_list("to_value", "historic")
    assert list(changes) == [("Requires improvement", True), ("Inadequate", False)]
