import contextlib
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from contracts import demo as contracts_demo
from contracts.demo import DemoPrerequisiteMissing, demo_load
from contracts.models import BedLine, Closure, PersonReference, Placement, PlacementKind
from contracts.selectors import bed_lines_with_voids
from contracts.selectors.voids import void_report
from contracts.services import placement_create, reference_validate
from tests.factories import LocalityFactory, LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

HOMES = {"E07000008": 4, "E07000009": 6, "E07000010": 9, "E07000011": 5, "E07000012": 6}


def cambridgeshire_homes():
    county = LocalityFactory(code="E10000003", name="Cambridgeshire", kind="county")
    providers = [ProviderFactory() for _ in range(8)]
    number = 0
    for code, count in HOMES.items():
        district = LocalityFactory(code=code, name=f"District {code}", parent=county)
        for _ in range(count):
            number += 1
            nursing = number % 3 != 0
            LocationFactory(
                provider=providers[number % len(providers)],
                district=district,
                registered_beds=40 + (number * 7) % 50,
                service_types=["Care home service with nursing" if nursing else "Care home service without nursing"],
                specialisms=["Dementia"] if number % 4 != 1 else [],
            )
    for n in range(1, 9):
        ProviderFactory(cqc_provider_id=f"1-90160000{n:02d}")


def test_demo_needs_the_providers_demo_first():
    with pytest.raises(DemoPrerequisiteMissing, match="providers demo"):
        demo_load()


def test_demo_loads_the_cambridgeshire_block_bed_tender_once():
    cambridgeshire_homes()
    counts = demo_load()
    assert counts["block_beds"] == 810
    assert counts["respite_beds"] == 12
    assert counts["contracts"] == 8
    assert counts["closures"] >= 1
    assert counts["spot_placements"] == 60

    lines = BedLine.objects.all()
    by_type = dict(lines.values_list("care_type").annotate(n=Sum("beds")))
    nursing = by_type.get("nursing", 0) + by_type.get("nursing_dementia", 0)
    assert nursing > by_type.get("residential", 0) + by_type.get("residential_dementia", 0)
    per_district = dict(lines.values_list("location__district__code").annotate(n=Sum("beds")))
    assert per_district["E07000009"] / HOMES["E07000009"] > per_district["E07000011"] / HOMES["E07000011"]
    # East Cambridgeshire, one of the smaller districts, gets the largest share; Huntingdonshire the smallest.
    assert per_district["E07000009"] == max(per_district.values())
    assert per_district["E07000011"] == min(per_district.values())
    assert lines.filter(location__district__code="E07000010").values("location").distinct().count() >= 5
    assert lines.values("activation_date").distinct().count() == 3  # beds go live in steps
    for line in lines.select_related("location"):
        assert line.beds <= line.location.registered_beds

    closure = Closure.objects.first()
    assert closure.end_date - closure.start_date == timedelta(days=27)  # 28 days
    in_closed_beds = Placement.objects.filter(  # one filter(): the same closure on both sides
        Q(end_date__isnull=True) | Q(end_date__gte=F("bed_line__closures__start_date")),
        start_date__lte=F("bed_line__closures__end_date"),
    )
    assert not in_closed_beds.exists()  # no one, not even for respite, is in a bed closed to admissions
    today = timezone.localdate()
    annotated = list(bed_lines_with_voids(lines, on=today))
    assert sum(line.contracted_beds for line in annotated) == 822
    assert 0 < sum(line.void_beds for line in annotated) < 0.2 * 822  # placements fill most beds; some voids
    # Whatever the day, one Fenland home is well over the void alert's 10% across its 28 days: a third of its beds
    # emptied three weeks ago and not refilled.
    emptied = (
        Placement.objects.filter(kind=PlacementKind.BLOCK, end_date=today - timedelta(days=21))
        .values("location", "location__district__code")
        .annotate(stays=Count("pk"))
        .order_by("-stays", "location")[0]
    )
    assert emptied["location__district__code"] == "E07000010" and emptied["stays"] >= 3, emptied
    void_home = emptied["location"]
    month = void_report(
        start=today - timedelta(days=28), end=today - timedelta(days=1), group_by="location", bed_lines=lines
    )
    figures = next(figures for figures in month if figures.key == void_home)
    assert figures.void_level > 0.15 and figures.void_cost > 0, figures
    contract = lines.first().contract
    assert contract.start_date == date(2021, 1, 18) and contract.break_clause_date == date(2026, 1, 18)
    assert contract.notice_period_months == 6 and contract.uplift_cap_percent == 3
    for reference in Placement.objects.values_list("reference", flat=True)[:200]:
        reference_validate(reference)

    placements = Placement.objects.count()
    assert demo_load() == counts
    assert Placement.objects.count() == placements


PLACEMENT_COLUMNS = [
    "reference",
    "service",
    "kind",
    "bed_line__contract__reference",
    "bed_line__location__cqc_location_id",
    "bed_line__care_type",
    "bed_line__activation_date",
    "location__cqc_location_id",
    "provider__cqc_provider_id",
    "care_type",
    "start_date",
    "end_date",
    "weekly_cost",
    "hours_per_week",
    "source",
    "created_by",
    "home_ward",
]
HISTORY_COLUMNS = ["reference", "history_type", "history_user", "kind", "start_date", "end_date", "weekly_cost"]


def rows_written() -> dict[str, list]:
    return {
        "placements": sorted(Placement.objects.values_list(*PLACEMENT_COLUMNS)),
        "history": sorted(Placement.history.values_list(*HISTORY_COLUMNS)),
        "people": sorted(PersonReference.objects.values_list("reference", flat=True)),
    }


@pytest.mark.today(date(2026, 12, 7))
def test_the_demo_writes_the_rows_placement_create_would(monkeypatch):
    """The demo writes its stays in bulk; placement_create, the one door for a placement, checks each stay and
    writes the same rows: each person's reference, the placement with its home, provider and care type, and its
    history."""
    cambridgeshire_homes()
    # A smaller tender than the demo's 810 beds, leaving room in the homes for the respite beds.
    monkeypatch.setattr(contracts_demo, "BLOCK_BEDS_BY_DISTRICT", dict.fromkeys(HOMES, 12))

    class Undo(Exception):
        pass

    with contextlib.suppress(Undo), transaction.atomic():
        demo_load()
        in_bulk = rows_written()
        raise Undo
    assert not Placement.objects.exists()

    def through_the_service(placements: list[dict]) -> None:
        for fields in placements:
            placement_create(**fields)

    monkeypatch.setattr(contracts_demo, "_placements_write", through_the_service)
    demo_load()
    assert rows_written() == in_bulk
    kinds = {row[2] for row in in_bulk["placements"]}
    assert kinds == {PlacementKind.BLOCK, PlacementKind.RESPITE, PlacementKind.SPOT}
    assert len(in_bulk["history"]) == len(in_bulk["people"]) == len(in_bulk["placements"]) > 100
