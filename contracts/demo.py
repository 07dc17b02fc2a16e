"""Demo contracts: the Cambridgeshire block bed tender (810 block beds plus 12 planned respite beds from
18 January 2021, break clause at year 5, uplift capped at 3%; one contract varied to a second break clause
about seven months after the demo first loads) with placements, voids, one 28-day closure and
spot placements alongside. (The Help to Live at Home homecare people, 933 / 712 / 674 six months after go-live,
are loaded by market.demo_mobilisation: they belong to the lots' areas, which contracts knows nothing of.)

Runs after the providers demo. Idempotent: a second run finds the tender's contracts and writes nothing.
"""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from contracts.models import (
    BedLine,
    CareType,
    Closure,
    CommissioningPartner,
    Contract,
    ContractKind,
    ContractStatus,
    PersonReference,
    Placement,
    PlacementKind,
    PlacementService,
    PlacementSource,
    RateChange,
    VacancyReport,
)
from contracts.selectors.bed_finder import block_beds_free_near
from contracts.services import (
    bed_line_create,
    contract_create,
    contract_update,
    location_close,
    uplift_apply,
    vacancy_report_record,
)
from contracts.services.free_beds import free_bed_state_rebuild
from contracts.signals import risk_changed_send
from providers.models import Location, Provider

SEED = 20210118
CAMBRIDGESHIRE = "E10000003"
TENDER_START = date(2021, 1, 18)
REFERENCE_PREFIX = "CCC-BB21-"
VARIED_BREAK_CLAUSE_AFTER = timedelta(weeks=30)  # from the day the demo first loads
# Block beds per district: a higher share in East Cambridgeshire (little block provision), spread over several
# homes in Fenland (a large area), fewer in Huntingdonshire (earlier tenders worked there). 810 in all.
BLOCK_BEDS_BY_DISTRICT = {
    "E07000008": 150,  # Cambridge
    "E07000009": 215,  # East Cambridgeshire
    "E07000010": 180,  # Fenland
    "E07000011": 95,  # Huntingdonshire
    "E07000012": 170,  # South Cambridgeshire
}
RESPITE_BEDS = 12
# Beds go live in steps: share of each home's beds activated on each date.
ACTIVATION_STEPS = [(TENDER_START, 0.5), (date(2021, 4, 1), 0.3), (date(2021, 7, 1), 0.2)]
RATES_2021 = {
    CareType.RESIDENTIAL: Decimal("640.00"),
    CareType.RESIDENTIAL_DEMENTIA: Decimal("705.00"),
    CareType.NURSING: Decimal("785.00"),
    CareType.NURSING_DEMENTIA: Decimal("850.00"),
    CareType.PLANNED_RESPITE: Decimal("700.00"),
}
# April uplifts: (National Living Wage increase %, CPI %); the 3% cap bites in most years.
UPLIFTS = [
    (date(2022, 4, 1), Decimal("6.6"), Decimal("5.4")),
    (date(2023, 4, 1), Decimal("9.7"), Decimal("10.1")),
    (date(2024, 4, 1), Decimal("9.8"), Decimal("3.2")),
    (date(2025, 4, 1), Decimal("6.7"), Decimal("2.6")),
    (date(2026, 4, 1), Decimal("4.1"), Decimal("3.8")),
]
VOID_SHARE = 0.08  # roughly one bed in twelve is empty on any day
# One Fenland home lost residents three weeks ago and has not refilled their beds: its void level over the void
# alert's 28 days is about a quarter, whatever day the demo loads. (The chains alone leave every home near 8%,
# which is over the alert's 10% on some days and under it on others.)
VOID_HOME_DISTRICT = "E07000010"  # Fenland
RECENT_VOID_DAYS = 21
RECENT_VOID_EVERY = 3  # the stays running in one bed in three
SPOT_PLACEMENTS = 60


class DemoPrerequisiteMissing(RuntimeError):
    pass


def demo_load() -> dict[str, int]:
    homes = list(
        Location.objects.filter(care_home=True, district__parent__code=CAMBRIDGESHIRE, registered_beds__gt=0)
        .select_related("district", "provider")
        .order_by("cqc_location_id", "pk")
    )
    if not homes:
        raise DemoPrerequisiteMissing(
            "The contracts demo needs the Cambridgeshire care homes of the providers demo: run the providers demo "
            "first (no care homes found in districts of county E10000003)."
        )
    if not Contract.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        with transaction.atomic():
            _tender_load(homes)
    return _counts()


def _counts() -> dict[str, int]:
    lines = BedLine.objects.filter(contract__reference__startswith=REFERENCE_PREFIX)
    placements = Placement.objects.filter(location__bed_lines__in=lines).distinct()
    return {
        "contracts": Contract.objects.filter(reference__startswith=REFERENCE_PREFIX).count(),
        "bed_lines": lines.count(),
        "block_beds": lines.exclude(care_type=CareType.PLANNED_RESPITE).aggregate(n=Sum("beds"))["n"] or 0,
        "respite_beds": lines.filter(care_type=CareType.PLANNED_RESPITE).aggregate(n=Sum("beds"))["n"] or 0,
        "rate_changes": RateChange.objects.filter(bed_line__in=lines).count(),
        "block_placements": placements.filter(bed_line__isnull=False).count(),
        "spot_placements": placements.filter(kind=PlacementKind.SPOT).count(),
        "closures": Closure.objects.filter(bed_line__in=lines).count(),
        "vacancy_reports": VacancyReport.objects.filter(location__bed_lines__in=lines).distinct().count(),
    }


def _allocate(total: int, caps: dict[int, int]) -> dict[int, int]:
    """Share `total` beds over homes in proportion to their capacity, never beyond it."""
    allocation = dict.fromkeys(caps, 0)
    remaining = total
    while remaining > 0:
        open_homes = [pk for pk in caps if allocation[pk] < caps[pk]]
        if not open_homes:
            break
        room = sum(caps[pk] - allocation[pk] for pk in open_homes)
        for pk in open_homes:
            if remaining == 0:
                break
            share = max(1, round(remaining * (caps[pk] - allocation[pk]) / room))
            share = min(share, caps[pk] - allocation[pk], remaining)
            allocation[pk] += share
            remaining -= share
    return allocation


def _care_types(home: Location, beds: int) -> dict[str, int]:
    nursing = any("with nursing" in service for service in home.service_types or [])
    dementia = any("dementia" in specialism.lower() for specialism in home.specialisms or [])
    if nursing:
        split = (
            {CareType.NURSING_DEMENTIA: 0.5, CareType.NURSING: 0.4, CareType.RESIDENTIAL: 0.1}
            if dementia
            else {CareType.NURSING: 0.85, CareType.RESIDENTIAL: 0.15}
        )
    else:
        split = (
            {CareType.RESIDENTIAL_DEMENTIA: 0.5, CareType.RESIDENTIAL: 0.5} if dementia else {CareType.RESIDENTIAL: 1}
        )
    counts = {care_type: int(beds * share) for care_type, share in split.items()}
    counts[next(iter(split))] += beds - sum(counts.values())
    return {care_type: n for care_type, n in counts.items() if n > 0}


def _tender_load(homes: list[Location]) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible on purpose
    today = timezone.localdate()
    by_district: dict[str, list[Location]] = defaultdict(list)
    for home in homes:
        by_district[home.district.code].append(home)
    # Never more than 80% of a home's registered beds in one block (limits the council's exposure to one home).
    caps = {home.pk: int(home.registered_beds * 0.8) for home in homes}
    beds_at: dict[int, int] = defaultdict(int)
    carried = 0
    for code, target in BLOCK_BEDS_BY_DISTRICT.items():
        district_homes = by_district.get(code, [])
        allocation = _allocate(target + carried, {home.pk: caps[home.pk] for home in district_homes})
        carried = target + carried - sum(allocation.values())
        for pk, beds in allocation.items():
            beds_at[pk] += beds
    if carried:  # a district with too few homes: the rest goes wherever there is room
        for pk, beds in _allocate(carried, {home.pk: caps[home.pk] - beds_at[home.pk] for home in homes}).items():
            beds_at[pk] += beds

    contracts: dict[int, Contract] = {}
    for provider in Provider.objects.filter(pk__in={home.provider_id for home in homes}).order_by("cqc_provider_id"):
        contracts[provider.pk] = contract_create(
            reference=f"{REFERENCE_PREFIX}{len(contracts) + 1:02d}",
            provider=provider,
            kind=ContractKind.BLOCK,
            start_date=TENDER_START,
            end_date=date(2031, 1, 17),
            break_clause_date=date(2026, 1, 18),
            notice_period_months=6,
            status=ContractStatus.LIVE,
            commissioning_partner=CommissioningPartner.JOINT,
            uplift_nlw_weight=Decimal("0.6"),
            uplift_cpi_weight=Decimal("0.4"),
            uplift_cap_percent=Decimal("3.00"),
            notes="Cambridgeshire block bed tender 2020-21 (older people and physical disability).",
        )
    # At the year-5 review one provider's contract was varied to a second break clause about seven months after
    # the demo first loads: inside its six months' notice plus the alert's margin, so the decision is due now.
    varied = list(contracts.values())[-1]
    if len(contracts) > 1:
        contract_update(
            contract=varied,
            break_clause_date=today + VARIED_BREAK_CLAUSE_AFTER,
            notes=varied.notes + " Varied at the year-5 review: a second break clause.",
        )

    lines: list[BedLine] = []
    respite_homes = [home for home in homes if beds_at[home.pk] and beds_at[home.pk] < caps[home.pk]][:6]
    for home in homes:
        wanted = _care_types(home, beds_at[home.pk]) if beds_at[home.pk] else {}
        if home in respite_homes:
            wanted[CareType.PLANNED_RESPITE] = RESPITE_BEDS // len(respite_homes)
        for care_type, beds in wanted.items():
            stepped = _steps(beds) if care_type != CareType.PLANNED_RESPITE else [(TENDER_START, beds)]
            for activation, n in stepped:
                lines.append(
                    bed_line_create(
                        contract=contracts[home.provider_id],
                        location=home,
                        care_type=care_type,
                        beds=n,
                        activation_date=activation,
                        weekly_rate=RATES_2021[care_type],
                    )
                )
    for effective_from, nlw, cpi in UPLIFTS:
        if effective_from <= today:
            uplift_apply(effective_from=effective_from, nlw_percent=nlw, cpi_percent=cpi)

    closed_home = max(homes, key=lambda home: beds_at[home.pk])
    closure_start = date(2026, 2, 2)
    location_close(
        location=closed_home,
        start_date=closure_start,
        end_date=closure_start + timedelta(days=27),
        reason="28-day closure to admissions after a COVID-19 outbreak",
    )

    rates = {line.pk: RATES_2021[line.care_type] for line in lines}
    placements = _block_placements(lines, rates, rng, today, closed=(closed_home.pk, closure_start))
    void_homes = [
        home
        for home in homes
        if home.district.code == VOID_HOME_DISTRICT and beds_at[home.pk] and home.pk != closed_home.pk
    ]
    if void_homes:
        _recent_voids(placements, home=max(void_homes, key=lambda home: beds_at[home.pk]), today=today)
    placements += _spot_placements(homes, rng, today)
    _placements_write(placements)
    for report in _vacancy_reports(homes, rng, today):
        # Each report as made on its own day: the stale ones were made days ago, not back-dated today.
        vacancy_report_record(**report, today=report["report_date"])


def _placements_write(placements: list[dict]) -> None:
    """The rows placement_create writes for each of these stays (the person's reference, the placement and its
    history) in a few statements: the thousands of stays through the service take the demo from seconds to a
    minute. tests/contracts/test_demo.py holds the two ways to the same rows."""
    now = timezone.now()
    PersonReference.objects.bulk_create(
        [PersonReference(reference=fields["reference"], last_written_at=now) for fields in placements],
        update_conflicts=True,
        unique_fields=["reference"],
        update_fields=["last_written_at"],
        batch_size=1000,
    )
    rows, spot = [], []
    for fields in placements:
        line, home = fields.get("bed_line"), fields.get("location")
        if line is not None:  # a block bed: where and what it is come from its line, as placement_create sets them
            home, fields = line.location, {**fields, "care_type": line.care_type, "location": line.location}
        (spot if fields["kind"] == PlacementKind.SPOT else rows).append(
            Placement(**fields, service=PlacementService.CARE_HOME, provider_id=home.provider_id)
        )
    bulk_create_with_history(rows, Placement, batch_size=1000)
    # Spot beds come after the block stays, as in the demo's own order: a spot bed bought while a block bed was
    # free nearby keeps its reason and the block rate passed over, as placement_create keeps them.
    for placement in spot:
        free = block_beds_free_near(location=placement.location, care_type=placement.care_type, on=placement.start_date)
        placement.block_rate_passed_over = free[0]["weekly_rate"] if free else None
        placement.spot_reason = placement.spot_reason if free else ""
    bulk_create_with_history(spot, Placement, batch_size=1000)
    risk_changed_send("placement")


def _steps(beds: int) -> list[tuple[date, int]]:
    steps, left = [], beds
    for number, (activation, share) in enumerate(ACTIVATION_STEPS):
        n = left if number == len(ACTIVATION_STEPS) - 1 else min(left, max(1, round(beds * share)))
        if n > 0:
            steps.append((activation, n))
            left -= n
    return steps


def _block_placements(lines, rates, rng: random.Random, today: date, *, closed) -> list[dict]:
    """Each bed is a chain of stays with short gaps between them (the voids); most beds are occupied today."""
    closed_location, closure_start = closed
    closure_end = closure_start + timedelta(days=27)
    placements, number = [], 0
    for line in lines:
        for _ in range(line.beds):
            day = line.activation_date + timedelta(days=rng.randint(0, 45))
            while day < today:
                stay = rng.randint(60, 900)
                end = day + timedelta(days=stay)
                if line.location_id == closed_location and end >= closure_start and day <= closure_end:
                    if day >= closure_start:  # no admissions during the closure
                        day = closure_end + timedelta(days=1)
                        continue
                    end = closure_start - timedelta(days=1)
                ongoing = end >= today and rng.random() > VOID_SHARE
                number += 1
                kind = PlacementKind.RESPITE if line.care_type == CareType.PLANNED_RESPITE else PlacementKind.BLOCK
                if kind == PlacementKind.RESPITE:  # a short stay, which the closure cuts short too
                    end = min(end, day + timedelta(days=rng.randint(7, 21)))
                    ongoing = False
                placements.append(
                    {
                        "reference": _reference("CB", number),
                        "kind": kind,
                        "bed_line": line,
                        "start_date": day,
                        "end_date": None if ongoing else min(end, today - timedelta(days=1)),
                        "weekly_cost": rates[line.pk],
                        "source": rng.choice([PlacementSource.HOSPITAL_DISCHARGE, PlacementSource.COMMUNITY]),
                    }
                )
                if ongoing or end >= today:
                    break
                day = min(end, today) + timedelta(days=rng.randint(3, 40))
    return placements


def _recent_voids(placements: list[dict], *, home: Location, today: date) -> None:
    """Ends the stays running today in one bed in three of `home`'s block lines three weeks ago. The random
    stream is drawn as before, so every other home's stays are the same."""
    ended_on = today - timedelta(days=RECENT_VOID_DAYS)
    running = [
        fields
        for fields in placements
        if fields["bed_line"].location_id == home.pk
        and fields["kind"] == PlacementKind.BLOCK
        and fields["end_date"] is None
        and fields["start_date"] < ended_on
    ]
    for fields in running[::RECENT_VOID_EVERY]:
        fields["end_date"] = ended_on


# Why a broker bought a spot bed, kept when a block bed was free nearby that day (placement_create's check).
SPOT_REASONS = [
    "The person chose a home near their family",
    "Hospital discharge that day: the free block beds could not meet the person's needs",
    "The free block beds were in a home the person had left before",
]


def _spot_placements(homes, rng: random.Random, today: date) -> list[dict]:
    placements = []
    for number in range(1, SPOT_PLACEMENTS + 1):
        home = homes[number % len(homes)]
        start = today - timedelta(days=rng.randint(10, 700))
        nursing = any("with nursing" in service for service in home.service_types or [])
        care_type = rng.choice([CareType.NURSING, CareType.NURSING_DEMENTIA] if nursing else [CareType.RESIDENTIAL])
        placements.append(
            {
                "reference": _reference("SP", number),
                "kind": PlacementKind.SPOT,
                "location": home,
                "care_type": care_type,
                "start_date": start,
                "end_date": None if number % 4 else start + timedelta(days=rng.randint(14, 120)),
                "weekly_cost": Decimal(rng.randint(950, 1250)),
                "source": PlacementSource.HOSPITAL_DISCHARGE if number % 3 else PlacementSource.COMMUNITY,
                "spot_reason": SPOT_REASONS[number % len(SPOT_REASONS)],
            }
        )
    return placements


def _vacancy_reports(homes, rng: random.Random, today: date) -> list[dict]:
    reports = []
    for number, home in enumerate(homes):
        if number % 5 == 4:
            continue  # some homes never report
        age = rng.randint(0, 3) if number % 3 else rng.randint(10, 30)  # a third of reports are stale
        nursing = any("with nursing" in service for service in home.service_types or [])
        reports.append(
            {
                "location": home,
                "report_date": today - timedelta(days=age),
                "care_type": CareType.NURSING if nursing else CareType.RESIDENTIAL,
                "vacant_beds": rng.randint(0, 4),
                "accepting_admissions": number % 7 != 0,
            }
        )
    return reports


def _reference(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def free_beds_demo_load() -> dict[str, int]:
    """The free-bed state for the demo's lines, after every step that bought beds or placed people."""
    return {"free-bed state lines": free_bed_state_rebuild()["lines"]}
