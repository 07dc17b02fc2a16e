"""Use voids before buying spot: a spot bed recorded while a block bed of its care type is free within the council's
radius of the spot home on the placement's first day needs a reason, and the placement keeps the reason and the
block rate it passed over. The boundaries: the radius (just inside, just outside) and the day (a block line that
goes live the next day, a stay that ends the day before)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts.selectors.bed_finder import KM_PER_DEGREE
from contracts.services import BlockBedsFree, placement_create, placement_end, placement_move
from tests.contracts.factories import make_line, place
from tests.factories import LocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 3, 10))]

DAY = date(2026, 3, 10)
SPOT_LAT, SPOT_LON = 52.2000, 0.1200


@pytest.fixture(autouse=True)
def _radius(settings):
    settings.AVOIDABLE_SPOT_RADIUS_KM = 10


def spot_home():
    return LocationFactory(latitude=SPOT_LAT, longitude=SPOT_LON)


def block_home_at(km_north: float, **line_fields):
    """A live nursing block line of one bed at a home `km_north` of the spot home, at £700 a week."""
    home = LocationFactory(latitude=SPOT_LAT + km_north / KM_PER_DEGREE, longitude=SPOT_LON)
    return make_line(location=home, beds=1, **line_fields)


def buy_spot(home, *, on=DAY, reason="", care_type="nursing", reference="SPT-2026-0001"):
    return placement_create(
        reference=reference,
        kind="spot",
        location=home,
        care_type=care_type,
        weekly_cost=Decimal("1050.00"),
        start_date=on,
        spot_reason=reason,
    )


def test_a_free_block_bed_just_inside_the_radius_stops_a_spot_purchase_without_a_reason():
    home = spot_home()
    line = block_home_at(9.95)
    with pytest.raises(BlockBedsFree) as refused:
        buy_spot(home)
    assert "1 block bed of this care type is free on that day at 1 home within 10 km" in refused.value.message
    assert [row["bed_line_id"] for row in refused.value.beds] == [line.pk]
    assert refused.value.field == "spot_reason"


def test_a_free_block_bed_just_outside_the_radius_does_not_make_the_spot_purchase_avoidable():
    home = spot_home()
    block_home_at(10.05)
    placement = buy_spot(home)
    assert placement.block_rate_passed_over is None
    assert placement.spot_reason == ""


def test_with_a_reason_the_spot_placement_goes_ahead_and_keeps_the_reason_and_the_block_rate():
    home = spot_home()
    block_home_at(3)
    placement = buy_spot(home, reason="Family visit daily; the free block bed is 3 km further from them")
    placement.refresh_from_db()
    assert placement.spot_reason == "Family visit daily; the free block bed is 3 km further from them"
    assert placement.block_rate_passed_over == Decimal("700.00")
    assert placement.weekly_cost - placement.block_rate_passed_over == Decimal("350.00")


def test_a_block_line_going_live_the_day_after_is_not_free_on_the_day():
    home = spot_home()
    block_home_at(2, activation_date=DAY + timedelta(days=1), contract=None)
    assert buy_spot(home).block_rate_passed_over is None
    with pytest.raises(BlockBedsFree):
        buy_spot(home, on=DAY + timedelta(days=1), reference="SPT-2026-0002")


def test_a_block_bed_is_free_the_day_after_its_resident_leaves_not_on_their_last_day():
    home = spot_home()
    line = block_home_at(2)
    place(line, start=DAY - timedelta(days=30), end=DAY)
    assert buy_spot(home).block_rate_passed_over is None  # the block bed's last day with its resident
    with pytest.raises(BlockBedsFree):
        buy_spot(home, on=DAY + timedelta(days=1), reference="SPT-2026-0002")


def test_a_free_block_bed_of_another_care_type_does_not_count():
    home = spot_home()
    block_home_at(1, care_type="residential")
    assert buy_spot(home, care_type="nursing").block_rate_passed_over is None


def test_a_move_ends_one_placement_and_starts_the_next_or_neither():
    home = spot_home()
    line = block_home_at(40)
    first = buy_spot(home, on=DAY - timedelta(days=20))
    nearby = block_home_at(1)
    # The next placement is a spot bed while a block bed is free nearby: refused, and the first stays open.
    with pytest.raises(BlockBedsFree):
        placement_move(placement=first, on=DAY, kind="spot", location=home, weekly_cost=Decimal("1100.00"))
    first.refresh_from_db()
    assert first.end_date is None and first.end_reason == ""
    moved = placement_move(placement=first, on=DAY, kind="block", bed_line=nearby)
    first.refresh_from_db()
    assert (first.end_date, first.end_reason) == (DAY, "moved")
    assert (moved.reference, moved.bed_line_id, moved.start_date) == (first.reference, nearby.pk, DAY)
    assert line.placements.count() == 0


def test_ending_a_placement_keeps_why_it_ended():
    line = block_home_at(1)
    stay = place(line, start=DAY - timedelta(days=10), reference="BRK-2026-0042")
    placement_end(placement=stay, end_date=DAY, reason="hospital")
    stay.refresh_from_db()
    assert (stay.end_date, stay.get_end_reason_display()) == (DAY, "Went into hospital")
