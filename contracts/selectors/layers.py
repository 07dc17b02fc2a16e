"""Void block beds on the map (geo.layers): `?properties=voids` adds, for each area, the block beds of live
contracts (contracts.models.live_contract) contracted today at homes in it, the void beds among them and what
those voids cost a week, from the same count as the bed finder and the void report (bed_lines_with_voids,
void_and_free). A fixed number of queries."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max
from django.utils import timezone

from contracts.models import BedLine, Closure, Placement, RateChange, live_contract, void_and_free
from contracts.selectors.voids import PENNY, active_on, bed_lines_with_voids
from contracts.signals import VOIDS_GENERATION
from geo.caching import cache_get
from geo.models import Locality
from geo.selectors import AreaIndex, locality_parts
from providers.models import Location


def voids_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    today = timezone.localdate()
    index = AreaIndex(locality_parts(localities))
    totals = {locality.id: {"contracted_beds": 0, "void_beds": 0, "cost": Decimal(0)} for locality in localities}
    lines = bed_lines_with_voids(
        BedLine.objects.filter(active_on(today, start="activation_date"), live_contract("contract__"))
        .filter(index.filter(ward="location__ward_id", district="location__district_id"))
        .order_by(),
        on=today,
    ).values_list(
        "location__ward_id", "location__district_id", "contracted_beds", "placed_beds", "closed_beds", "weekly_rate"
    )
    for ward_id, district_id, contracted, placed, closed, weekly_rate in lines:
        void = void_and_free(contracted=contracted, placed=placed, closed=closed, held=0)[0]
        for area_id in index.areas(ward_id=ward_id, district_id=district_id):
            figures = totals[area_id]
            figures["contracted_beds"] += contracted
            figures["void_beds"] += void
            figures["cost"] += void * (weekly_rate or Decimal(0))
    return {
        area_id: {
            "contracted_beds": figures["contracted_beds"],
            "void_beds": figures["void_beds"],
            "void_cost_per_week": float(figures.pop("cost").quantize(PENNY, rounding=ROUND_HALF_UP)),
        }
        for area_id, figures in totals.items()
    }


def voids_layer_version() -> str:
    """Changes whenever a void count could: every write to bed lines, rates and closures leaves a history row
    (their services save through simple_history), placements keep updated_at, and a home moving district is
    a change to its location. The day is part of it too: beds activate and placements end with the calendar."""
    histories = [
        model.history.aggregate(n=Count("history_id"), highest=Max("history_id"))
        for model in (BedLine, RateChange, Closure)
    ]
    placements = Placement.objects.aggregate(n=Count("id"), highest=Max("id"), latest=Max("updated_at"))
    locations = Location.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    # updated_at is stamped when a row is saved, not when it commits: the generation moves at each commit.
    generation = cache_get(VOIDS_GENERATION, 0)
    return f"{timezone.localdate()}.{generation}.{histories}.{placements}.{locations}".replace(" ", "")
