"""Demo demand: Cambridgeshire's need for care home beds in each of its five districts this financial year and
next (forecasts, with one figure a commissioner entered), homecare hours needed in East Cambridgeshire, and
people waiting for care (pending arrangements), some of them for more than six weeks, bridged in reablement,
block car time or interim beds.

The figures are set against the contracts demo's block beds (215 in East Cambridgeshire, about 48 of them
nursing dementia; 95 in Huntingdonshire, about 36 nursing dementia): East Cambridgeshire needs more nursing
dementia beds than it has (the reason for its larger share of the tender), Huntingdonshire fewer than it has
(its earlier tenders worked). Illustrative figures. Runs after the contracts demo; idempotent (a second run
finds the demand and writes nothing)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.days import financial_year
from geo.models import Locality, LocalityKind
from market.models import Demand, PendingArrangement
from market.services.demand import demand_create, pending_create

NOTE = "Cambridgeshire demo: "
CAMBRIDGESHIRE = {
    "E07000008": "Cambridge",
    "E07000009": "East Cambridgeshire",
    "E07000010": "Fenland",
    "E07000011": "Huntingdonshire",
    "E07000012": "South Cambridgeshire",
}
EAST_CAMBRIDGESHIRE, HUNTINGDONSHIRE = "E07000009", "E07000011"
# Beds needed this year, by district and care type (next year's forecast is 4% more: an ageing population).
NEED = {
    "E07000008": {"residential": 38, "residential_dementia": 26, "nursing": 60, "nursing_dementia": 38},
    "E07000009": {"residential": 62, "residential_dementia": 30, "nursing": 78, "nursing_dementia": 60},
    "E07000010": {"residential": 40, "residential_dementia": 30, "nursing": 74, "nursing_dementia": 50},
    "E07000011": {"residential": 28, "residential_dementia": 4, "nursing": 22, "nursing_dementia": 28},
    "E07000012": {"residential": 36, "residential_dementia": 24, "nursing": 80, "nursing_dementia": 36},
}
NEXT_YEAR_GROWTH = Decimal("1.04")
# The rural east's home care gap, which the micro-enterprise programme sets out to fill (hours a week).
HOMECARE_HOURS_NEEDED = {EAST_CAMBRIDGESHIRE: 750}
# People waiting: (district, care type, days waiting today, bridging, homecare hours a week).
WAITING = [
    (EAST_CAMBRIDGESHIRE, "nursing_dementia", 63, "interim_bed", None),
    (EAST_CAMBRIDGESHIRE, "nursing_dementia", 51, "interim_bed", None),
    (EAST_CAMBRIDGESHIRE, "nursing_dementia", 44, "block_car", None),
    (EAST_CAMBRIDGESHIRE, "nursing_dementia", 20, "reablement", None),
    (EAST_CAMBRIDGESHIRE, "nursing", 12, "reablement", None),
    (EAST_CAMBRIDGESHIRE, "homecare_hours", 70, "block_car", Decimal("14")),
    (EAST_CAMBRIDGESHIRE, "homecare_hours", 48, "block_car", Decimal("10.5")),
    (EAST_CAMBRIDGESHIRE, "homecare_hours", 9, "reablement", Decimal("7")),
    ("E07000010", "nursing", 47, "interim_bed", None),
    ("E07000010", "residential_dementia", 15, "none", None),
    ("E07000008", "nursing_dementia", 30, "interim_bed", None),
    ("E07000012", "residential", 6, "reablement", None),
    (HUNTINGDONSHIRE, "nursing", 3, "none", None),
]
# And two whose wait has ended: (district, care type, days waited, ended days ago, outcome).
ENDED = [
    (EAST_CAMBRIDGESHIRE, "nursing_dementia", 58, 10, "placed"),
    (HUNTINGDONSHIRE, "residential", 12, 30, "placed"),
]


def demo_load() -> dict[str, int]:
    districts = {
        locality.code: locality
        for locality in Locality.objects.filter(kind=LocalityKind.DISTRICT, code__in=list(CAMBRIDGESHIRE))
    }
    if len(districts) == len(CAMBRIDGESHIRE) and not Demand.objects.filter(notes__startswith=NOTE).exists():
        with transaction.atomic():
            _load(districts, today=timezone.localdate())
    return {
        "demand_figures": Demand.objects.filter(notes__startswith=NOTE).count(),
        "pending_arrangements": PendingArrangement.objects.filter(notes__startswith=NOTE).count(),
    }


def _load(districts: dict[str, Locality], *, today: date) -> None:
    start, end = financial_year(today)
    next_start, next_end = date(start.year + 1, 4, 1), date(end.year + 1, 3, 31)
    for code, needs in NEED.items():
        for care_type, beds in needs.items():
            for first, last, quantity in (
                (start, end, Decimal(beds)),
                (next_start, next_end, (Decimal(beds) * NEXT_YEAR_GROWTH).quantize(Decimal("1"))),
            ):
                demand_create(
                    locality=districts[code],
                    care_type=care_type,
                    period_start=first,
                    period_end=last,
                    quantity=quantity,
                    source="forecast",
                    notes=f"{NOTE}{CAMBRIDGESHIRE[code]} {care_type.replace('_', ' ')} beds, forecast {first.year}/"
                    f"{str(last.year)[2:]}.",
                )
    for code, hours in HOMECARE_HOURS_NEEDED.items():
        demand_create(
            locality=districts[code],
            care_type="homecare_hours",
            period_start=start,
            period_end=end,
            quantity=Decimal(hours),
            source="entered",
            notes=f"{NOTE}home care hours a week needed in the rural east (the micro-enterprise programme's target).",
        )
    for number, (code, care_type, days, bridging, hours) in enumerate(WAITING, start=1):
        pending_create(
            reference=f"CCC-PA-{number:04d}",
            locality=districts[code],
            care_type=care_type,
            waiting_since=today - timedelta(days=days),
            bridging=bridging,
            hours_per_week=hours,
            notes=f"{NOTE}waiting for {care_type.replace('_', ' ')}.",
        )
    for number, (code, care_type, days, ago, outcome) in enumerate(ENDED, start=len(WAITING) + 1):
        pending_create(
            reference=f"CCC-PA-{number:04d}",
            locality=districts[code],
            care_type=care_type,
            waiting_since=today - timedelta(days=days + ago),
            ended_on=today - timedelta(days=ago),
            outcome=outcome,
            bridging="interim_bed",
            notes=f"{NOTE}waited for {care_type.replace('_', ' ')}.",
        )
