"""A person (a pseudonymous reference) is in one placement at a time: a move is an end and a start."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from contracts.models import Hold, Placement
from contracts.services import AlreadyPlaced, hold_convert, hold_place, placement_create, placement_update
from tests.contracts.factories import make_line, place
from tests.factories import ProviderFactory, UserFactory

START = date(2026, 1, 1)
# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = pytest.mark.today(date(2026, 12, 7))
PERSON = "BRK-2026-0500"


@pytest.mark.django_db
def test_a_person_already_placed_cannot_be_placed_on_another_line():
    first, second = make_line(beds=2), make_line(beds=2)
    already = place(first, start=START, reference=PERSON)
    with pytest.raises(AlreadyPlaced) as refused:
        place(second, start=START + timedelta(days=10), reference=PERSON)
    assert refused.value.status_code == 409
    assert f"placement {already.pk}" in refused.value.message
    assert Placement.objects.filter(reference=PERSON).count() == 1


@pytest.mark.django_db
def test_a_move_ends_one_placement_and_starts_the_next_on_the_same_day():
    first, second = make_line(beds=2), make_line(beds=2)
    old = place(first, start=START, reference=PERSON)
    move_day = START + timedelta(days=30)
    old = placement_update(placement=old, end_date=move_day)
    new = place(second, start=move_day, reference=PERSON)
    assert new.start_date == old.end_date == move_day
    # ... but the old stay cannot then be stretched over the new one.
    with pytest.raises(AlreadyPlaced) as refused:
        placement_update(placement=old, end_date=move_day + timedelta(days=1))
    assert refused.value.field == "end_date"
    assert f"placement {new.pk}" in refused.value.message
    old.refresh_from_db()
    assert old.end_date == move_day


@pytest.mark.django_db
def test_a_stay_that_ends_before_a_planned_one_fits_and_one_that_runs_into_it_does_not():
    first, second = make_line(beds=2), make_line(beds=2)
    place(first, start=START + timedelta(days=20), reference=PERSON)
    with pytest.raises(AlreadyPlaced):
        place(second, start=START, reference=PERSON)  # open-ended: runs into the planned stay
    with pytest.raises(AlreadyPlaced):
        place(second, start=START, end=START + timedelta(days=21), reference=PERSON)
    place(second, start=START, end=START + timedelta(days=20), reference=PERSON)
    assert Placement.objects.filter(reference=PERSON).count() == 2


@pytest.mark.django_db
def test_homecare_for_someone_in_a_care_home_bed_is_refused():
    place(make_line(beds=1), start=START, reference=PERSON)
    with pytest.raises(AlreadyPlaced):
        placement_create(
            reference=PERSON, kind="lead_provider", provider=ProviderFactory(), hours_per_week=7, start_date=START
        )


@pytest.mark.django_db
def test_a_person_placed_is_not_held_a_second_bed_and_a_hold_cannot_become_a_second_placement():
    first, second, third = make_line(beds=2), make_line(beds=2), make_line(beds=2)
    hold = hold_place(bed_line=second, reference=PERSON, start_date=START)
    place(first, start=START, reference=PERSON)  # placed elsewhere while the hold was open
    with pytest.raises(AlreadyPlaced) as refused:
        hold_convert(hold=hold)
    assert refused.value.status_code == 409
    with pytest.raises(AlreadyPlaced):
        hold_place(bed_line=third, reference=PERSON, start_date=START + timedelta(days=3))
    assert Placement.objects.filter(reference=PERSON).count() == 1
    assert Hold.objects.filter(reference=PERSON).count() == 1


@pytest.mark.django_db
def test_the_api_answers_409_naming_the_placement_already_there(api):
    from accounts.roles import Role

    first, second = make_line(beds=2), make_line(beds=2)
    already = place(first, start=START, reference=PERSON)
    api.as_role(Role.BROKER)
    response = api.post(
        "/api/v1/placements/",
        {"bed_line": second.pk, "reference": PERSON, "kind": "block", "start_date": str(START)},
        format="json",
    )
    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert error["code"] == "already_placed"
    assert f"placement {already.pk}" in error["fields"]["reference"][0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_person_placed_at_once_on_two_lines_by_racing_brokers_gets_one_placement():
    lines = [make_line(beds=3), make_line(beds=3)]
    brokers = [UserFactory() for _ in range(4)]
    barrier = threading.Barrier(len(brokers))
    outcomes = []

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            placement_create(
                reference=PERSON, kind="block", start_date=START, bed_line=lines[number % 2], by=brokers[number]
            )
            outcomes.append("ok")
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(len(brokers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("ok") == 1, outcomes
    refused = [outcome for outcome in outcomes if outcome != "ok"]
    assert len(refused) == 3 and all(isinstance(error, AlreadyPlaced) for error in refused), outcomes
    assert all(error.status_code == 409 for error in refused)
    assert Placement.objects.filter(reference=PERSON).count() == 1
