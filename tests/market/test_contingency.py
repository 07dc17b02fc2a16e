from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import PlacementKind
from contracts.services import placement_end
from core.errors import Conflict
from market.selectors.contingency import people_by_area, people_in_area, people_trend, transfer_progress
from market.services.contingency import contingency_create, contingency_update
from tests.factories import LocalityFactory
from tests.market.mobilisation_factories import homecare, lot_with_wards, person

pytestmark = pytest.mark.django_db

LEAD, CONTINGENCY, DIRECT = PlacementKind.LEAD_PROVIDER, PlacementKind.CONTINGENCY, PlacementKind.DIRECT_PAYMENT


def test_people_in_a_lot_are_counted_from_placements_of_people_living_in_its_wards_on_a_date():
    lot, (ward_a, ward_b) = lot_with_wards()
    elsewhere = LocalityFactory(code="E05099999", name="Another ward", kind="ward")
    homecare(reference=person(1), kind=LEAD, ward=ward_a, start=date(2016, 11, 7))
    homecare(reference=person(2), kind=CONTINGENCY, ward=ward_b, start=date(2016, 11, 7))
    homecare(reference=person(3), kind=CONTINGENCY, ward=ward_a, start=date(2016, 11, 7), end=date(2017, 1, 31))
    homecare(reference=person(4), kind=DIRECT, ward=ward_b, start=date(2017, 2, 1))
    homecare(reference=person(5), kind=CONTINGENCY, ward=elsewhere, start=date(2016, 11, 7))  # not in the lot
    homecare(reference=person(6), kind=LEAD, ward=ward_a, start=date(2017, 6, 1))  # not yet

    assert people_in_area(area=lot.area, on=date(2017, 1, 15)) == {LEAD: 1, CONTINGENCY: 2, DIRECT: 0}
    assert people_in_area(area=lot.area, on=date(2017, 5, 7)) == {LEAD: 1, CONTINGENCY: 1, DIRECT: 1}
    assert people_in_area(area=lot.area, on=date(2016, 11, 6)) == {LEAD: 0, CONTINGENCY: 0, DIRECT: 0}


def test_a_lot_area_made_of_a_district_counts_the_districts_wards():
    district = LocalityFactory(code="E07000132", name="Hinckley and Bosworth", kind="district")
    ward = LocalityFactory(code="E05005555", name="Barwell", kind="ward", parent=district)
    area = LocalityFactory(code="LOT-D", name="Whole district lot", kind="lot_area")
    area.members.set([district])
    homecare(reference=person(1), kind=CONTINGENCY, ward=ward, start=date(2016, 11, 7))
    assert people_in_area(area=area, on=date(2017, 5, 7))[CONTINGENCY] == 1


def test_counts_for_many_lots_take_the_same_few_queries_as_for_one():
    lots = [lot_with_wards() for _ in range(2)]
    for number, (_, wards) in enumerate(lots):
        homecare(reference=person(number), kind=CONTINGENCY, ward=wards[0], start=date(2016, 11, 7))
    with CaptureQueriesContext(connection) as one:
        people_by_area(area_ids=[lots[0][0].area_id], on=date(2017, 5, 7))
    more = [lot_with_wards() for _ in range(6)]
    for number, (_, wards) in enumerate(more):
        homecare(reference=person(100 + number), kind=LEAD, ward=wards[1], start=date(2016, 11, 7))
    ids = [lot.area_id for lot, _ in lots + more]
    with CaptureQueriesContext(connection) as many:
        counts = people_by_area(area_ids=ids, on=date(2017, 5, 7))
    assert len(many) == len(one)
    assert sum(entry[CONTINGENCY] for entry in counts.values()) == 2
    assert sum(entry[LEAD] for entry in counts.values()) == 6


def test_the_trend_by_month_follows_people_moving_out_of_contingency():
    lot, (ward, _) = lot_with_wards()
    for n in range(4):
        homecare(reference=person(n), kind=CONTINGENCY, ward=ward, start=date(2016, 11, 7), end=date(2017, 1, 9 + n))
        homecare(reference=person(n), kind=DIRECT, ward=ward, start=date(2017, 1, 10 + n))
    with CaptureQueriesContext(connection) as queries:
        trend = people_trend(area=lot.area, start=date(2016, 11, 7), end=date(2017, 2, 15), step="month")
    assert len(queries) <= 3
    assert [point["on"] for point in trend] == [
        date(2016, 11, 7),
        date(2016, 11, 30),
        date(2016, 12, 31),
        date(2017, 1, 31),
        date(2017, 2, 15),
    ]
    assert [point[CONTINGENCY] for point in trend] == [4, 4, 4, 0, 0]
    assert [point[DIRECT] for point in trend] == [0, 0, 0, 4, 4]
    weekly = people_trend(area=lot.area, start=date(2017, 1, 2), end=date(2017, 1, 23), step="week")
    assert [(p["on"], p[CONTINGENCY]) for p in weekly] == [
        (date(2017, 1, 2), 4),
        (date(2017, 1, 9), 4),
        (date(2017, 1, 16), 0),
        (date(2017, 1, 23), 0),
    ]


def test_transfer_progress_counts_people_moved_against_the_weekly_plan():
    lot, (ward, _) = lot_with_wards()
    for n in range(10):
        homecare(reference=person(n), kind=CONTINGENCY, ward=ward, start=date(2016, 11, 7))
    arrangement = contingency_create(
        lot=lot,
        reason="provider_withdrew",
        start_date=date(2016, 11, 7),
        transfer_start=date(2017, 1, 2),
        people_per_week=2,
        transfer_target_date=date(2017, 3, 1),
        transfer_to="either",
    )
    # In the first two weeks of transfers three people move: two to the lead provider, one to a direct payment.
    from contracts.models import Placement

    for n, kind, day in [(0, LEAD, date(2017, 1, 4)), (1, LEAD, date(2017, 1, 9)), (2, DIRECT, date(2017, 1, 12))]:
        placement_end(placement=Placement.objects.get(reference=person(n)), end_date=day)
        homecare(reference=person(n), kind=kind, ward=ward, start=day)
    # Someone new to lead provider care is not a transfer.
    homecare(reference=person(50), kind=LEAD, ward=ward, start=date(2017, 1, 5))

    after_one_week = transfer_progress(arrangement=arrangement, on=date(2017, 1, 9))
    assert (after_one_week.to_move, after_one_week.planned, after_one_week.moved) == (10, 2, 2)
    assert after_one_week.status == "on_plan"

    after_two_weeks = transfer_progress(arrangement=arrangement, on=date(2017, 1, 16))
    assert (after_two_weeks.planned, after_two_weeks.moved, after_two_weeks.difference) == (4, 3, -1)
    assert after_two_weeks.status == "behind"
    assert (after_two_weeks.moved_to_lead_provider, after_two_weeks.moved_to_direct_payment) == (2, 1)
    assert after_two_weeks.still_in_contingency == 7

    by_target = transfer_progress(arrangement=arrangement, on=date(2017, 3, 1))
    assert by_target.planned == 10 and by_target.status == "behind"

    arrangement = contingency_update(arrangement=arrangement, people_per_week=1)
    ahead = transfer_progress(arrangement=arrangement, on=date(2017, 1, 16))
    assert (ahead.planned, ahead.moved, ahead.status) == (2, 3, "ahead")

    direct_only = contingency_update(arrangement=arrangement, transfer_to="direct_payment")
    assert transfer_progress(arrangement=direct_only, on=date(2017, 1, 16)).moved == 1


def test_a_lot_has_one_open_contingency_arrangement():
    lot, _ = lot_with_wards()
    contingency_create(lot=lot, reason="lot_vacant", start_date=date(2016, 11, 7))
    with pytest.raises(Conflict) as refused:
        contingency_create(lot=lot, reason="provider_failed", start_date=date(2017, 1, 1))
    assert refused.value.field == "lot"


def test_a_monthly_series_runs_to_the_end_of_the_calendar_without_failing():
    from market.selectors.contingency import series_dates

    points = series_dates(start=date(9999, 10, 15), end=date(9999, 12, 31), step="month")
    assert points == [date(9999, 10, 15), date(9999, 10, 31), date(9999, 11, 30), date(9999, 12, 31)]


def test_the_lots_register_shows_each_lots_people_by_arrangement_and_its_contingency_to_staff_only(api):
    from accounts.roles import Role
    from tests.factories import ProviderMembershipFactory

    lot, (ward_a, ward_b) = lot_with_wards()
    homecare(reference=person(11), kind=LEAD, ward=ward_a, start=date(2016, 11, 7))
    homecare(reference=person(12), kind=CONTINGENCY, ward=ward_b, start=date(2016, 11, 7))
    homecare(reference=person(13), kind=DIRECT, ward=ward_b, start=date(2017, 2, 1))
    contingency_create(lot=lot, reason="provider_withdrew", start_date=date(2016, 10, 21))
    api.as_role(Role.COMMISSIONER)
    listed = api.get("/api/v1/market/lots/").json()["results"]
    delivery = next(row for row in listed if row["id"] == lot.pk)["delivery"]
    assert delivery["people"] == {LEAD: 1, CONTINGENCY: 1, DIRECT: 1}
    assert delivery["contingency"]["reason"] == "provider_withdrew"
    assert delivery["contingency"]["escalated"] is False
    assert api.get(f"/api/v1/market/lots/{lot.pk}/").json()["delivery"]["people"][CONTINGENCY] == 1

    from tests.market.mobilisation_factories import award_for

    award = award_for(lot=lot)
    api.force_authenticate(ProviderMembershipFactory(provider=award.bid.provider).user)
    mine = api.get(f"/api/v1/market/lots/{lot.pk}/")
    assert mine.status_code == 200
    assert mine.json()["delivery"] is None


def test_someone_who_leaves_contingency_in_another_lot_and_moves_here_is_not_a_transfer_of_this_lot():
    from contracts.models import Placement

    lot, (ward, _) = lot_with_wards()
    _, (elsewhere, _) = lot_with_wards()
    homecare(reference=person(70), kind=CONTINGENCY, ward=ward, start=date(2016, 11, 7))
    homecare(reference=person(71), kind=CONTINGENCY, ward=elsewhere, start=date(2016, 11, 7))
    arrangement = contingency_create(
        lot=lot, reason="provider_withdrew", start_date=date(2016, 11, 7), transfer_start=date(2017, 1, 2)
    )
    placement_end(placement=Placement.objects.get(reference=person(71)), end_date=date(2017, 1, 4))
    homecare(reference=person(71), kind=LEAD, ward=ward, start=date(2017, 1, 4))  # moved house into this lot
    assert transfer_progress(arrangement=arrangement, on=date(2017, 1, 9)).moved == 0
    placement_end(placement=Placement.objects.get(reference=person(70)), end_date=date(2017, 1, 5))
    homecare(reference=person(70), kind=LEAD, ward=ward, start=date(2017, 1, 5))
    assert transfer_progress(arrangement=arrangement, on=date(2017, 1, 9)).moved == 1


def test_provider_users_get_neither_lot_figures_on_the_map_nor_a_lot_they_no_longer_deliver(api):
    from accounts.roles import Role
    from market.services import award_end
    from tests.factories import ProviderMembershipFactory
    from tests.market.mobilisation_factories import award_for

    lot, _ = lot_with_wards()
    award = award_for(lot=lot)
    api.as_role(Role.COMMISSIONER)
    query = {"kind": "lot_area", "properties": "lots,contingency"}
    assert api.get("/api/v1/geo/localities/", query).status_code == 200
    api.force_authenticate(ProviderMembershipFactory(provider=award.bid.provider).user)
    refused = api.get("/api/v1/geo/localities/", query)
    assert refused.status_code == 403
    assert "contingency, lots are for council staff only" in refused.json()["error"]["message"]
    assert api.get(f"/api/v1/market/lots/{lot.pk}/").status_code == 200
    award_end(award=award, ended_on=date(2017, 1, 31), reason="Provider withdrew", lot_status="ended")
    assert api.get(f"/api/v1/market/lots/{lot.pk}/").status_code == 404
