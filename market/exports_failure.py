"""The tables of a provider failure what-if, as the page shows them and as the CSV/XLSX a broker works from:
the shortfall first, then the plan (one row per person). Column headings carry their unit, as every export's do."""

from contracts.models import CareType, PlacementKind
from core import present
from market.selectors.failure import WhatIf

SHORTFALL_HEADERS = ["Care type", "District", "People short"]
PLAN_HEADERS = [
    "Person",
    "Placement kind",
    "Care type",
    "Home now",
    "District now",
    "Weekly cost now (£)",
    "Moves to",
    "Provider",
    "District",
    "Bed",
    "Distance (km)",
    "Weekly cost in the plan (£)",
]
BED_GROUPS = {"block": "Free block bed", "spot": "Spot vacancy to buy"}


def shortfall_rows(answer: WhatIf) -> list[list]:
    return [[row["care_type_label"], row["district"], row["people"]] for row in answer.shortfall]


def plan_rows(answer: WhatIf) -> list[list]:
    """One row per affected person, those short first (no destination), then by home and reference."""
    rows = []
    moves = sorted(answer.moves, key=lambda move: (move.bed is not None, move.person.location, move.person.reference))
    for move in moves:
        person, bed = move.person, move.bed
        rows.append(
            [
                person.reference,
                present.label(person.kind, PlacementKind),
                present.label(person.care_type, CareType, none="Not recorded"),
                person.location,
                person.district,
                person.weekly_cost,
                bed.location if bed else "No bed within the radius",
                bed.provider if bed else None,
                bed.district if bed else None,
                BED_GROUPS[bed.group] if bed else None,
                move.distance_km,
                move.weekly_cost_after,
            ]
        )
    return rows
