"""The what-if of a provider failing, worked by hand on a small estate along one meridian: homes sit at whole
kilometres north of a point, so every distance is a difference of kilometres."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.serializers import Serializer

from contracts.models import Placement
from contracts.services import placement_create, vacancy_report_record
from geo.models import LocalityKind
from market.api.failure_serializers import MoveSerializer
from market.selectors.failure import failure_what_if, free_beds, greedy_plan, optimal_plan, people_in_homes
from market.selectors.gaps import capacity_gaps
from market.services.analysis import spot_price_create
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory, ProviderFactory, RatingFactory

ON = date(2026, 12, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.today(ON)]
LAT, LON = 52.0, 0.1
KM = 180 / (6371.0088 * 3.141592653589793)  # degrees of latitude in a kilometre


@pytest.fixture
def fenland():
    return LocalityFactory(code="E07000010", name="Fenland", kind=LocalityKind.DISTRICT)


def home(provider, km, *, name, district=None, rating="Good"):
    location = LocationFactory(
        provider=provider, name=name, latitude=LAT + km * KM, longitude=LON, district=district, registered_beds=40
    )
    if rating:
        location.current_rating = RatingFactory(location=location, overall=rating, report_date=date(2025, 6, 1))
        location.save()
    return location


def line_at(location, *, beds=1, care_type="nursing", rate="800.00"):
    return make_line(
        contract=make_contract(provider=location.provider, start_date=date(2025, 1, 1)),
        location=location,
        care_type=care_type,
        beds=beds,
        activation_date=date(2025, 1, 1),
        weekly_rate=Decimal(rate),
    )


def people_at(location, count, *, care_type="nursing", rate="800.00"):
    line = line_at(location, beds=count, care_type=care_type, rate=rate)
    return [place(line, start=date(2026, 1, 1)) for _ in range(count)]


def test_greedy_nearest_bed_moves_people_further_than_the_optimal_plan(fenland):
    failing, other = ProviderFactory(name="Failing Care Ltd"), ProviderFactory(name="Other Care Ltd")
    # Ann's home is 1.9 km north, Bob's at 0; the free beds are at 1 km and 3 km. Ann comes first on the list.
    people_at(home(failing, 1.9, name="A Home", district=fenland), 1)
    people_at(home(failing, 0, name="B Home", district=fenland), 1)
    line_at(home(other, 1, name="X Home"))
    line_at(home(other, 3, name="Y Home"))

    answer = failure_what_if(provider=failing, on=ON, radius_km=5)
    people = people_in_homes(home_ids=[entry["location_id"] for entry in answer.homes], on=ON)
    beds = free_beds(
        provider=failing,
        care_types={"nursing"},
        on=ON,
        reach=None,
        include_restricted=False,
        most={"nursing": 2},
    )
    greedy = greedy_plan(people, beds, radius_km=5)

    # Greedy: Ann takes X (0.9 km), Bob is left Y (3 km): 3.9 km. Optimal: Ann to Y (1.1), Bob to X (1.0): 2.1 km.
    assert [(move.person.location, move.bed.location, move.distance_km) for move in greedy] == [
        ("A Home", "X Home", 0.9),
        ("B Home", "Y Home", 3.0),
    ]
    assert [(move.person.location, move.bed.location, move.distance_km) for move in answer.moves] == [
        ("A Home", "Y Home", 1.1),
        ("B Home", "X Home", 1.0),
    ]
    assert answer.total_distance_km == 2.1
    assert [move.distance_km for move in optimal_plan(people, beds, radius_km=5)] == [1.1, 1.0]
    # Within 2.5 km greedy leaves Bob without a bed; the optimal plan still places both.
    assert len([move for move in greedy_plan(people, beds, radius_km=2.5) if move.bed is None]) == 1
    assert failure_what_if(provider=failing, on=ON, radius_km=2.5).shortfall == []


def test_a_reported_vacancy_that_is_the_free_block_bed_is_not_offered_twice(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    people_at(home(failing, 0, name="Failing Home", district=fenland), 2)
    nearby = home(other, 1, name="Near Home")
    line_at(nearby)  # one free nursing block bed...
    vacancy_report_record(location=nearby, report_date=ON, care_type="nursing", vacant_beds=1)  # ...reported empty

    answer = failure_what_if(provider=failing, on=ON, radius_km=5)

    assert sorted(move.bed.group if move.bed else "short" for move in answer.moves) == ["block", "short"]
    assert answer.spot_beds_to_buy == 0
    assert answer.shortfall == [
        {"care_type": "nursing", "care_type_label": "Nursing", "district": "Fenland", "people": 1}
    ]
    assert answer.headline == "2 people in 1 home; 1 nursing place short in Fenland"

    # A second empty bed reported beyond the block bed is a spot bed to buy.
    vacancy_report_record(location=nearby, report_date=ON, care_type="nursing", vacant_beds=2)
    answer = failure_what_if(provider=failing, on=ON, radius_km=5)
    assert sorted(move.bed.group for move in answer.moves) == ["block", "spot"]
    assert answer.spot_beds_to_buy == 1 and answer.shortfall == []
    assert answer.headline == "2 people in 1 home; every one can be placed within 5 km"


def test_inadequate_and_no_admissions_homes_are_left_out_unless_asked(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    people_at(home(failing, 0, name="Failing Home", district=fenland), 1)
    line_at(home(other, 1, name="Inadequate Home", rating="Inadequate"))

    assert len(failure_what_if(provider=failing, on=ON, radius_km=5).short) == 1
    answer = failure_what_if(provider=failing, on=ON, radius_km=5, include_restricted=True)
    assert [move.bed.location for move in answer.moves] == ["Inadequate Home"]


def test_beds_of_another_care_type_beyond_the_radius_or_of_the_same_provider_are_not_offered(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    people_at(home(failing, 0, name="Failing Home", district=fenland), 1, care_type="nursing_dementia")
    line_at(home(failing, 1, name="Sister Home"), care_type="nursing_dementia")  # the same provider fails too
    line_at(home(other, 1, name="Nursing Only"), care_type="nursing")
    line_at(home(other, 30, name="Far Away"), care_type="nursing_dementia")

    answer = failure_what_if(provider=failing, on=ON, radius_km=20)

    assert answer.shortfall == [
        {"care_type": "nursing_dementia", "care_type_label": "Nursing dementia", "district": "Fenland", "people": 1}
    ]
    assert answer.headline == "1 person in 2 homes; 1 nursing dementia place short in Fenland"
    assert failure_what_if(provider=failing, on=ON, radius_km=40).moves[0].bed.location == "Far Away"


def test_one_home_or_the_homes_in_an_area_fail_alone(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    elsewhere = LocalityFactory(code="E07000011", name="Huntingdonshire", kind=LocalityKind.DISTRICT)
    here = home(failing, 0, name="Fenland Home", district=fenland)
    people_at(here, 2)
    people_at(home(failing, 2, name="Hunts Home", district=elsewhere), 3)
    line_at(home(other, 1, name="Free Home"), beds=5)

    assert failure_what_if(provider=failing, on=ON).people == 5
    assert failure_what_if(provider=failing, on=ON, location=here).people == 2
    by_area = failure_what_if(provider=failing, on=ON, area=elsewhere)
    assert by_area.people == 3 and [entry["location"] for entry in by_area.homes] == ["Hunts Home"]


def test_weekly_cost_of_the_plan_against_today_and_the_other_residents_estimate(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    failing_home = home(failing, 0, name="Failing Home", district=fenland)  # 40 registered beds
    people_at(failing_home, 2, rate="700.00")
    vacancy_report_record(location=failing_home, report_date=ON, care_type="nursing", vacant_beds=3)
    near = home(other, 1, name="Near Home")
    line_at(near, rate="900.00")
    vacancy_report_record(location=near, report_date=ON, care_type="nursing", vacant_beds=2)
    spot_price_create(care_type="nursing", priced_on=date(2026, 4, 1), weekly_price=Decimal("1100.00"))

    answer = failure_what_if(provider=failing, on=ON, radius_km=5)

    assert (answer.cost_today, answer.cost_plan, answer.cost_difference) == (
        Decimal("1400.00"),
        Decimal("2000.00"),
        Decimal("600.00"),
    )
    assert answer.spot_beds_to_buy == 1
    # 40 registered − 2 council placements − 3 reported vacant = 35 other residents, an estimate.
    assert answer.other_residents_estimate == 35


def test_homecare_hours_to_re_provide_by_ward_and_who_else_delivers_there(fenland):
    failing, other = ProviderFactory(name="Failing Homecare"), ProviderFactory(name="Steady Homecare")
    ward = LocalityFactory(code="E05000001", name="March North", kind=LocalityKind.WARD, parent=fenland)
    for number, hours in ((1, "10.00"), (2, "7.50")):
        placement_create(
            reference=f"HC-{number}",
            kind="lead_provider",
            provider=failing,
            hours_per_week=Decimal(hours),
            home_ward=ward,
            start_date=date(2026, 1, 1),
        )
    placement_create(
        reference="HC-9",
        kind="lead_provider",
        provider=other,
        hours_per_week=Decimal("12.00"),
        home_ward=ward,
        start_date=date(2026, 1, 1),
    )

    answer = failure_what_if(provider=failing, on=ON)

    [row] = answer.homecare
    assert (row.ward, row.district, row.people, row.hours_per_week) == ("March North", "Fenland", 2, Decimal("17.50"))
    assert row.others == [{"provider": "Steady Homecare", "hours_per_week": Decimal("12.00")}]
    assert answer.homecare_people == 2


def test_the_market_after_leaves_the_provider_out_of_capacity_and_concentration(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    people_at(home(failing, 0, name="Failing Home", district=fenland), 3)
    line_at(home(other, 1, name="Other Home", district=fenland), beds=2)

    gaps = {gap.care_type: gap for gap in capacity_gaps(on=ON, localities=[fenland])}
    without = {gap.care_type: gap for gap in capacity_gaps(on=ON, localities=[fenland], leave_out=failing)}
    assert (gaps["nursing"].block_beds, without["nursing"].block_beds) == (Decimal("5.0"), Decimal("2.0"))

    answer = failure_what_if(provider=failing, on=ON, radius_km=5)
    [row] = answer.concentration
    assert (row["beds_before"], row["beds_after"], row["hhi_after"]) == (5, 2, 10000.0)
    [gap] = answer.gaps_after
    assert (gap["before"], gap["after"]) == (Decimal("-5.0"), Decimal("-2.0"))
    assert Placement.objects.count() == 3  # a what-if writes nothing


def test_the_plan_answers_through_the_api_as_its_declared_fields_give_it(fenland):
    failing, other = ProviderFactory(), ProviderFactory()
    people_at(home(failing, 0, name="Failing Home", district=fenland), 2)
    line_at(home(other, 1, name="Near Home"))
    spot_price_create(care_type="nursing", priced_on=date(2026, 4, 1), weekly_price=Decimal("950.00"))
    answer = failure_what_if(provider=failing, on=ON, radius_km=5)
    assert sorted(move.placed for move in answer.moves) == [False, True]

    fast = MoveSerializer()
    for move in answer.moves:
        assert fast.to_representation(move) == Serializer.to_representation(MoveSerializer(), move)
