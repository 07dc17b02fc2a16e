from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from contracts.models import BedLine
from contracts.services import hold_place, vacancy_report_record
from providers.models import Condition, Location
from tests.contracts.factories import make_line, place
from tests.factories import LocalityFactory, LocationFactory, PostcodeFactory, RatingFactory

# The searches, the homes' dates and the vacancy reports' freshness are all on one named day: the clock is pinned.
ON = TODAY = date(2026, 12, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY)]
URL = "/api/v1/beds/available/"
# CB6 1AA (Ely) is at 52.3990, 0.2620; 0.1 degree of latitude is about 11.1 km.
HERE = (52.3990, 0.2620)


def search(api, **params):
    """A bed finder request; a parameter given as None is left out."""
    query = {"care_type": "nursing_dementia", "postcode": "CB6 1AA", "radius_km": "20", "from": str(ON), **params}
    return api.get(URL, {name: value for name, value in query.items() if value is not None})


def home(dlat, *, beds=2, care_type="nursing_dementia", rating="Good", **fields):
    line = make_line(
        beds=beds,
        care_type=care_type,
        activation_date=date(2026, 1, 1),
        weekly_rate=Decimal("950.00"),
        latitude=HERE[0] + dlat,
        longitude=HERE[1],
        **fields,
    )
    if rating:
        line.location.current_rating = RatingFactory(
            location=line.location, overall=rating, report_date=date(2025, 6, 1)
        )
        line.location.save()
    return line


@pytest.fixture(autouse=True, params=["counted", "free-bed state"])
def bed_count(request):
    """Every test here runs twice: with beds counted at search time, and read from the free-bed state the services
    keep (built first, then kept by the writes each test makes)."""
    if request.param == "free-bed state":
        from contracts.services.free_beds import free_bed_state_rebuild

        free_bed_state_rebuild()
    return request.param


@pytest.fixture
def broker(api):
    PostcodeFactory()
    return api.as_role(Role.BROKER)


def test_free_block_beds_nearest_first_with_what_a_broker_needs(api, broker):
    east_cambs = LocalityFactory(code="E07000009", name="East Cambridgeshire")
    far = home(0.15, district=east_cambs)  # ~16.7 km
    near = home(0.01, beds=3)  # ~1.1 km
    place(near, start=date(2026, 11, 1))
    hold_place(bed_line=near, reference="BRK-2026-0099", start_date=ON)
    home(0.25)  # ~27.8 km: outside the radius
    home(0.02, care_type="residential")  # another care type
    full = home(0.03, beds=1)
    place(full, start=date(2026, 1, 1))
    vacancy_report_record(
        location=far.location,
        report_date=TODAY - timedelta(days=1),
        care_type="nursing",
        vacant_beds=1,
        accepting_admissions=True,
    )

    response = search(api)
    assert response.status_code == 200, response.json()
    rows = response.json()["block_beds"]
    assert [row["bed_line_id"] for row in rows] == [near.pk, far.pk]
    first, second = rows
    assert first["free_beds"] == 1  # 3 beds − 1 placed − 1 held
    assert first["distance_km"] == pytest.approx(1.11, abs=0.05)
    assert first["weekly_rate"] == "950.00"
    assert first["rating"] == "Good" and first["rating_date"] == "2025-06-01"
    assert first["no_admissions_condition"] is False and first["restricted"] is False
    assert first["vacancy_report_stale"] is True and first["vacancy_last_reported_on"] is None
    assert second["district_code"] == "E07000009" and second["district"] == "East Cambridgeshire"
    assert second["provider"] == far.location.provider.name
    assert second["vacancy_last_reported_on"] == str(TODAY - timedelta(days=1))
    assert second["vacancy_report_stale"] is False
    assert response.json()["spot_vacancies"] is None


def test_each_row_says_when_its_home_was_last_changed_in_utc_to_the_microsecond(api, broker):
    line = home(0.01)
    changed = datetime(2026, 11, 30, 9, 15, 2, 250001, tzinfo=UTC)
    Location.objects.filter(pk=line.location_id).update(updated_at=changed)
    whole_second = home(0.02)
    Location.objects.filter(pk=whole_second.location_id).update(updated_at=changed.replace(microsecond=0))

    rows = search(api).json()["block_beds"]
    assert [row["location_updated_at"] for row in rows] == ["2026-11-30T09:15:02.250001Z", "2026-11-30T09:15:02Z"]


def test_inadequate_and_no_admissions_homes_are_left_out_unless_asked_for_and_then_marked(api, broker):
    good = home(0.01)
    inadequate = home(0.02, rating="Inadequate")
    stopped = home(0.03)
    Condition.objects.create(
        location=stopped.location,
        provider=stopped.location.provider,
        text="No new admissions",
        stops_admissions=True,
        imposed_on=date(2026, 6, 1),
    )
    lifted = home(0.04)
    Condition.objects.create(
        location=lifted.location,
        provider=lifted.location.provider,
        text="No new admissions",
        stops_admissions=True,
        imposed_on=date(2026, 1, 1),
        lifted_on=date(2026, 3, 1),
    )

    default = [row["bed_line_id"] for row in search(api).json()["block_beds"]]
    assert default == [good.pk, lifted.pk]

    rows = search(api, include_restricted="true").json()["block_beds"]
    marked = {
        row["bed_line_id"]: (row["inadequate"], row["no_admissions_condition"], row["restricted"]) for row in rows
    }
    assert marked == {
        good.pk: (False, False, False),
        inadequate.pk: (True, False, True),
        stopped.pk: (False, True, True),
        lifted.pk: (False, False, False),
    }


def test_a_condition_on_the_whole_provider_stops_admissions_at_each_of_its_homes_as_the_rules_see_it(api, broker):
    """A condition recorded against the provider with no home named stops every one of its homes: the bed finder
    (its SQL and its spot query) reads the same rule as the restricted-home alert."""
    good = home(0.01)
    stopped = home(0.03)
    Condition.objects.create(
        location=None,
        provider=stopped.location.provider,
        text="No new admissions at any of the provider's services",
        stops_admissions=True,
        imposed_on=ON - timedelta(days=30),
    )

    assert [row["bed_line_id"] for row in search(api).json()["block_beds"]] == [good.pk]
    rows = search(api, include_restricted="true").json()["block_beds"]
    assert {row["bed_line_id"]: row["no_admissions_condition"] for row in rows} == {good.pk: False, stopped.pk: True}


def test_spot_vacancies_come_as_a_second_labelled_group(api, broker):
    block = home(0.01)
    spot_home = LocationFactory(latitude=HERE[0] + 0.05, longitude=HERE[1], registered_beds=40)
    vacancy_report_record(
        location=spot_home,
        report_date=TODAY - timedelta(days=20),
        today=TODAY - timedelta(days=20),
        care_type="nursing_dementia",
        vacant_beds=5,
        accepting_admissions=True,
    )
    vacancy_report_record(
        location=spot_home,
        report_date=TODAY - timedelta(days=2),
        today=TODAY - timedelta(days=2),
        care_type="nursing_dementia",
        vacant_beds=2,
        accepting_admissions=True,
    )
    closed = LocationFactory(latitude=HERE[0] + 0.06, longitude=HERE[1])
    vacancy_report_record(
        location=closed,
        report_date=TODAY - timedelta(days=1),
        care_type="nursing_dementia",
        vacant_beds=3,
        accepting_admissions=False,
    )

    body = search(api, include_spot="true").json()
    assert [row["group"] for row in body["block_beds"]] == ["block"]
    assert body["block_beds"][0]["bed_line_id"] == block.pk
    [spot] = body["spot_vacancies"]
    assert (spot["group"], spot["location_id"], spot["vacant_beds"]) == ("spot", spot_home.pk, 2)
    assert spot["vacancy_last_reported_on"] == str(TODAY - timedelta(days=2))

    # Searching an earlier day reads the report in force then, not the latest one.
    earlier = search(api, include_spot="true", **{"from": str(TODAY - timedelta(days=5))}).json()
    [then] = earlier["spot_vacancies"]
    assert (then["location_id"], then["vacant_beds"]) == (spot_home.pk, 5)


def test_search_by_district_instead_of_postcode(api, broker):
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    inside = home(0.5, district=fenland)  # far from the postcode, but in the district
    home(0.01)
    body = api.get(URL, {"care_type": "nursing_dementia", "district": "E07000010", "from": str(ON)}).json()
    assert [row["bed_line_id"] for row in body["block_beds"]] == [inside.pk]
    assert body["block_beds"][0]["distance_km"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"postcode": "ZZ99 9ZZ"}, "postcode"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"care_type": "luxury"}, "care_type"),
        ({"care_type": ""}, "care_type"),
        ({"radius_km": "0"}, "radius_km"),
        ({"radius_km": "101"}, "radius_km"),
        ({"radius_km": "far"}, "radius_km"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "next week"}, "from"),
        ({"postcode": "", "district": ""}, "postcode"),
        ({"postcode": None, "radius_km": None, "district": "E07999999"}, "district"),
        ({"radius_km": "-5"}, "radius_km"),
        ({"radius_km": "nan"}, "radius_km"),
        ({"include_restricted": "maybe"}, "include_restricted"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(api, broker, params, field):
    response = search(api, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"], error


@pytest.mark.parametrize("role", [Role.PROVIDER_USER])
def test_provider_users_cannot_use_the_bed_finder(api, role):
    PostcodeFactory()
    api.as_role(role)
    assert search(api).status_code == 403


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.COMPLIANCE_OFFICER])
def test_council_staff_can_use_the_bed_finder(api, role):
    PostcodeFactory()
    api.as_role(role)
    assert search(api).status_code == 200


def test_the_bed_finder_runs_the_same_number_of_queries_for_1_and_50_results(api, broker):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = search(api, include_spot="true", include_restricted="true")
        assert response.status_code == 200
        return len(queries), len(response.json()["block_beds"])

    first = home(0.01)
    vacancy_report_record(
        location=first.location,
        report_date=TODAY,
        care_type="nursing_dementia",
        vacant_beds=1,
        accepting_admissions=True,
    )
    count_queries()  # the first request also loads the user's roles
    one_result = count_queries()
    assert one_result[1] == 1
    for step in range(49):
        line = home(0.001 * step, rating="Inadequate" if step % 3 else "Good")
        place(line, start=date(2026, 2, 1))
        vacancy_report_record(
            location=line.location,
            report_date=TODAY,
            care_type="nursing_dementia",
            vacant_beds=1,
            accepting_admissions=True,
        )
    fifty_results = count_queries()
    assert fifty_results[1] == 50
    assert fifty_results[0] == one_result[0]


def test_homes_in_the_corners_of_the_search_box_but_beyond_the_radius_are_left_out(api, broker):
    inside = make_line(beds=1, care_type="nursing_dementia", latitude=HERE[0] + 0.12, longitude=HERE[1] + 0.2)
    make_line(beds=1, care_type="nursing_dementia", latitude=HERE[0] + 0.14, longitude=HERE[1] + 0.22)  # ~21.6 km
    rows = search(api).json()["block_beds"]
    assert [row["bed_line_id"] for row in rows] == [inside.pk]
    assert 18 < rows[0]["distance_km"] < 20


def test_deregistered_homes_are_not_offered(api, broker):
    gone = home(0.01)
    gone.location.registration_status = "Deregistered"
    gone.location.save()
    kept = home(0.02)
    assert [row["bed_line_id"] for row in search(api).json()["block_beds"]] == [kept.pk]


def test_the_bed_finder_counts_beds_exactly_as_the_void_selectors_do(broker, bed_count):
    import random

    from contracts.selectors import BedSearch, bed_lines_with_voids, block_lines_free
    from contracts.services import closure_create

    rng = random.Random(5)
    lines = []
    for step in range(12):
        line = home(0.005 * step, beds=rng.randint(1, 4))
        for _ in range(rng.randint(0, line.beds)):
            start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 400))
            try:
                place(
                    line, start=start, end=start + timedelta(days=rng.randint(0, 200)) if rng.random() < 0.5 else None
                )
            except Exception:  # noqa: BLE001,S112 - a full line is part of the mix
                continue
        if rng.random() < 0.4:
            closure_create(
                bed_line=line,
                beds=1,
                start_date=ON - timedelta(days=3),
                end_date=ON + timedelta(days=3),
                reason="Outbreak",
            )
        if rng.random() < 0.4:
            try:
                hold_place(bed_line=line, reference=f"BRK-2026-{step:04d}", start_date=ON)
            except Exception:  # noqa: BLE001,S112
                continue
        lines.append(line)
    search = BedSearch(care_type="nursing_dementia", on=ON, latitude=HERE[0], longitude=HERE[1], radius_km=20)
    found = {row["id"]: row for row in block_lines_free(search)}
    expected = {line.pk: line for line in bed_lines_with_voids(BedLine.objects.all(), on=ON)}
    if bed_count == "free-bed state":  # the state's search leaves the full lines out in SQL
        expected = {pk: line for pk, line in expected.items() if line.free_beds > 0}
    assert set(found) == set(expected)
    for pk, row in found.items():
        line = expected[pk]
        counted = (row["contracted_beds"], row["placed_beds"], row["closed_beds"], row["held_beds"])
        assert counted == (line.contracted_beds, line.placed_beds, line.closed_beds, line.held_beds)
        assert row["weekly_rate"] == line.weekly_rate
