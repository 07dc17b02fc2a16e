"""Mobilisation and contingency on the lots map layer (geo.layers): `?properties=mobilisation` adds each lot
area's mobilisation RAG today, `?properties=contingency` the people in its area by arrangement today and
whether its contingency plan is escalated. A fixed number of queries whatever the number of lots."""

from datetime import date

from django.db.models import Count, Max, Q
from django.utils import timezone

from contracts.models import Placement
from geo.models import Locality
from geo.selectors import locality_parts
from market.models import ContingencyArrangement, Lot, Milestone, MobilisationPlan, RecruitmentReport
from market.selectors.contingency import people_by_area, people_by_wards
from market.selectors.mobilisation import mobilisation_rag_by_lot


def _lots_by_area(localities: list[Locality]) -> dict[int, int]:
    rows = (
        Lot.objects.filter(area_id__in=[locality.id for locality in localities])
        .exclude(status="ended")
        .order_by("area_id", "code")
        .values_list("area_id", "id")
    )
    found: dict[int, int] = {}
    for area_id, lot_id in rows:
        found.setdefault(area_id, lot_id)  # the same lot the "lots" properties describe: the first by code
    return found


def lot_delivery(*, lots: list[Lot], on: date) -> dict[int, dict]:
    """For the lots register: each lot's mobilisation RAG and its contingency summary on `on` (the people in
    its area by arrangement, whether an arrangement is open and escalated), in a fixed number of queries."""
    rags = mobilisation_rag_by_lot(lot_ids=[lot.pk for lot in lots], on=on)
    people = people_by_area(area_ids={lot.area_id for lot in lots}, on=on)
    arrangements = {
        arrangement.lot_id: arrangement
        for arrangement in ContingencyArrangement.objects.filter(lot__in=lots, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("start_date", "pk")  # the latest arrangement in force wins
    }
    found = {}
    for lot in lots:
        arrangement = arrangements.get(lot.pk)
        found[lot.pk] = {
            "mobilisation_rag": rags.get(lot.pk),
            "people": people[lot.area_id],
            "contingency": None
            if arrangement is None
            else {"id": arrangement.pk, "reason": arrangement.reason, "escalated": arrangement.escalated},
        }
    return found


def mobilisation_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    lots = _lots_by_area(localities)
    rags = mobilisation_rag_by_lot(lot_ids=lots.values(), on=timezone.localdate())
    return {area_id: {"mobilisation_rag": rags.get(lot_id)} for area_id, lot_id in lots.items()}


def mobilisation_layer_version() -> str:
    plans = MobilisationPlan.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    milestones = Milestone.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    reports = RecruitmentReport.objects.aggregate(n=Count("id"), latest=Max("created_at"))
    # RAG moves with the calendar, so the day is part of the version.
    return f"{timezone.localdate()}.{plans}.{milestones}.{reports}".replace(" ", "")


def contingency_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    lots = _lots_by_area(localities)
    people = people_by_area(area_ids=list(lots), on=timezone.localdate())
    open_escalated = ContingencyArrangement.objects.filter(
        lot_id__in=lots.values(), end_date__isnull=True, escalated=True
    )
    escalated = set(open_escalated.values_list("lot_id", flat=True))
    return {
        area_id: {
            "people_with_lead_provider": people[area_id]["lead_provider"],
            "people_in_contingency": people[area_id]["contingency"],
            "people_on_direct_payment": people[area_id]["direct_payment"],
            "contingency_escalated": lot_id in escalated,
        }
        for area_id, lot_id in lots.items()
    }


def people_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    """For any area on the map (ward, district, lot area...): the people living in it with a lot's lead
    provider, with a contingency provider and on a direct payment today, counted as a lot's are (contingency.py)
    over the wards the area covers. Three queries at most."""
    parts = locality_parts(localities)
    people = people_by_wards(
        wards={area_id: part.wards for area_id, part in parts.items()}, area_ids=list(parts), on=timezone.localdate()
    )
    return {
        area_id: {
            "people_with_lead_provider": counts["lead_provider"],
            "people_in_contingency": counts["contingency"],
            "people_on_direct_payment": counts["direct_payment"],
        }
        for area_id, counts in people.items()
    }


def contingency_layer_version() -> str:
    placements = Placement.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    arrangements = ContingencyArrangement.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return f"{timezone.localdate()}.{placements}.{arrangements}".replace(" ", "")
