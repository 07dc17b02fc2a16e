"""Demo mobilisation and contingency for Help to Live at Home (2016-17), on top of market.demo's tender.

- The council's mobilisation template (nine milestones) and a plan for each of the 12 live lots' awards, with a
  weekly recruitment trajectory, staff recruited reports and two readiness gateways. Most milestones were met on
  time; some were late, and the Blaby lot's lead provider (HTLAH-01) went live with call monitoring still
  blocked and recruitment well behind: its go-live gateway passed with conditions at high risk, above the
  tolerance, which escalated the lot's contingency plan; after the Inadequate rating its reason became the CQC
  conditions on new work.
- The West Leicestershire withdrawal: a contingency arrangement on each of the three vacant lots from go-live,
  with two contingency providers and a transfer plan (10 people a week to direct payments or a lead provider).
- The homecare people, as placements through the contracts services with pseudonymous references and their
  home ward: six months after go-live (7 May 2017) 933 with lead providers, 712 with contingency providers and
  674 on a direct payment, 120 of them moved from contingency in the vacant lots since January 2017.

- A night-time home care lot mobilising as the demo loads (market.demo_mobilising), on the same template.

Dates other than go-live and the six-month figures are illustrative. Idempotent: a second run writes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from contracts.models import Placement, PlacementKind, PlacementService, PlacementSource
from contracts.services import placement_create, placement_end
from geo.models import Locality
from geo.selectors import wards_by_area
from market import demo_mobilising
from market.models import (
    Award,
    ContingencyArrangement,
    ContingencyReason,
    Lot,
    MilestoneKind,
    MobilisationPlan,
    MobilisationTemplate,
)
from market.selectors.contingency import people_by_area
from market.services.contingency import contingency_create, contingency_update
from market.services.mobilisation import (
    criterion_assess,
    gateway_create,
    gateway_decide,
    milestone_report,
    plan_create,
    recruitment_report,
    recruitment_trajectory_set,
    template_create,
)
from providers.models import Location, Provider

SEED = 20170507
GO_LIVE = date(2016, 11, 7)
SIX_MONTHS_ON = date(2017, 5, 7)
TEMPLATE_NAME = "Help to Live at Home mobilisation"
REFERENCE_PREFIX = "HL"  # HL-000001: no word a name could hide in
BLABY = "HTLAH-01"
VACANT_LOTS = ("HTLAH-02", "HTLAH-03", "HTLAH-04")
CONTINGENCY_PROVIDERS = ("1-9016000002", "1-9016000006")
HTLAH_COUNTS = {PlacementKind.LEAD_PROVIDER: 933, PlacementKind.CONTINGENCY: 712, PlacementKind.DIRECT_PAYMENT: 674}
# People with contingency providers on 7 May 2017, by lot (712 in all); and those moved to a direct payment
# from the vacant lots since transfers began (120: behind the plan's 10 a week).
CONTINGENCY_BY_LOT = {"HTLAH-01": 152, "HTLAH-02": 230, "HTLAH-03": 150, "HTLAH-04": 180}
MOVED_BY_LOT = {"HTLAH-02": 50, "HTLAH-03": 30, "HTLAH-04": 40}
TRANSFERS_START = date(2017, 1, 9)

TEMPLATE = [
    (MilestoneKind.TUPE_CONSULTATION, "TUPE consultation complete", 12, "Provider HR lead", False),
    (MilestoneKind.STAFF_RECRUITED, "Staff recruited against the weekly trajectory", 1, "Provider", True),
    (MilestoneKind.REGISTERED_MANAGER, "Registered manager in post", 8, "Provider", True),
    (MilestoneKind.CQC_REGISTRATION, "Delivering location registered with CQC", 6, "Provider", True),
    (MilestoneKind.POLICIES, "Policies and procedures approved", 6, "Contract officer", False),
    (MilestoneKind.CALL_MONITORING, "Electronic call monitoring live", 3, "Provider", True),
    (MilestoneKind.RECORDS_TRANSFERRED, "Care records transferred", 2, "Council brokerage", False),
    (MilestoneKind.BUSINESS_CONTINUITY, "Business continuity plan tested", 2, "Provider", False),
    (MilestoneKind.FIRST_PACKAGES, "First packages started", 0, "Provider", True),
]
# Milestones finished late (days after due) in some lots, and the Blaby lot's never finished by go-live.
LATE = {
    "HTLAH-07": {MilestoneKind.TUPE_CONSULTATION: 12, MilestoneKind.POLICIES: 20},
    "HTLAH-10": {MilestoneKind.RECORDS_TRANSFERRED: 9},
    "HTLAH-13": {MilestoneKind.BUSINESS_CONTINUITY: 16},
}
BLABY_FAILED = ("Recruitment within 10% of the trajectory", "Electronic call monitoring live")
BLABY_OPEN = {MilestoneKind.CALL_MONITORING: "blocked", MilestoneKind.STAFF_RECRUITED: "in_progress"}


def demo_load() -> dict[str, int]:
    lots = {lot.code: lot for lot in Lot.objects.filter(code__startswith="HTLAH-").select_related("area")}
    if len(lots) < 15:
        return _counts()  # the market demo has not run: nothing to mobilise
    if not MobilisationTemplate.objects.filter(name=TEMPLATE_NAME).exists():
        with transaction.atomic():
            _mobilisation_load(lots)
    if not ContingencyArrangement.objects.filter(lot__code__in=VACANT_LOTS).exists():
        with transaction.atomic():
            _contingency_load(lots)
    if not Placement.objects.filter(reference__startswith=f"{REFERENCE_PREFIX}-").exists():
        with transaction.atomic():
            _people_load(lots)
    # A plan under way as the demo loads, with the council's template: the mobilisation rules watch it.
    mobilising = demo_mobilising.demo_load(template=MobilisationTemplate.objects.filter(name=TEMPLATE_NAME).first())
    return {**_counts(), **mobilising}


def _mobilisation_load(lots: dict[str, Lot]) -> None:
    template = template_create(
        name=TEMPLATE_NAME,
        description="Up to six months from award to go-live; test and challenge every plan.",
        milestones=[
            {"kind": kind, "title": title, "weeks_before_go_live": weeks, "owner": owner, "critical": critical}
            for kind, title, weeks, owner, critical in TEMPLATE
        ],
    )
    awards = Award.objects.filter(lot__in=lots.values(), ended_on__isnull=True).select_related("lot", "bid__provider")
    offices = {location.provider_id: location for location in Location.objects.filter(care_home=False)}
    for award in awards.order_by("lot__code"):
        code = award.lot.code
        plan = plan_create(award=award, template=template, delivering_location=offices.get(award.bid.provider_id))
        _milestones_progress(plan, code)
        _recruitment(plan, code)
        _gateways(plan, code)


def _milestones_progress(plan: MobilisationPlan, code: str) -> None:
    for milestone in plan.milestones.all():
        if milestone.kind == MilestoneKind.CQC_REGISTRATION:
            continue  # read from the providers register
        if code == BLABY and milestone.kind in BLABY_OPEN:
            milestone_report(
                milestone=milestone,
                status=BLABY_OPEN[milestone.kind],
                evidence_note="Monitoring system supplier delayed; rotas checked by telephone meanwhile."
                if milestone.kind == MilestoneKind.CALL_MONITORING
                else "Recruitment well behind the trajectory.",
            )
            continue
        late_by = LATE.get(code, {}).get(milestone.kind, 0)
        milestone_report(
            milestone=milestone,
            status="done",
            completed_on=milestone.due_on + timedelta(days=late_by)
            if late_by
            else milestone.due_on - timedelta(days=2),
            evidence_note="Checked at the mobilisation meeting." if not late_by else f"Done {late_by} days late.",
        )


def _recruitment(plan: MobilisationPlan, code: str) -> None:
    staff = int(plan.award.lot.hours_per_week or 100) // 4  # carers needed for the lot's hours, roughly
    start = plan.award.awarded_on + timedelta(weeks=2)
    weeks = []
    total_weeks = max((plan.go_live_on - start).days // 7, 1)
    for week in range(1, total_weeks + 1):
        weeks.append({"week_ending": start + timedelta(weeks=week), "planned_staff": staff * week // total_weeks})
    recruitment_trajectory_set(plan=plan, weeks=weeks)
    share = 0.62 if code == BLABY else 0.96
    for entry in weeks[3::4]:
        day = entry["week_ending"]
        recruitment_report(plan=plan, reported_on=day, staff_recruited=int(entry["planned_staff"] * share))


def _gateways(plan: MobilisationPlan, code: str) -> None:
    blaby = code == BLABY
    for name, due_on, criteria in [
        (
            "Gateway 1: mobilisation plan tested and challenged",
            date(2016, 8, 15),
            [("Mobilisation plan reviewed with the council", True), ("TUPE list received", False)],
        ),
        (
            "Gateway 2: ready to go live",
            date(2016, 10, 24),
            [
                ("Registered manager in post", True),
                ("Business continuity plan tested", True),
                ("Recruitment within 10% of the trajectory", False),
                ("Electronic call monitoring live", False),
            ],
        ),
    ]:
        gateway = gateway_create(
            plan=plan,
            name=name,
            due_on=due_on,
            risk_tolerance=2,
            criteria=[{"text": text, "mandatory": mandatory} for text, mandatory in criteria],
        )
        for criterion in gateway.criteria.all():
            failed = blaby and criterion.text in (
                "Recruitment within 10% of the trajectory",
                "Electronic call monitoring live",
            )
            criterion_assess(criterion=criterion, result="failed" if failed else "passed")
        if blaby and name.startswith("Gateway 2"):
            gateway_decide(
                gateway=gateway,
                outcome="go_with_conditions",
                risk_level=3,
                reason="Mandatory criteria met, but recruitment 38% behind and call monitoring not live.",
                conditions="Weekly recruitment returns; telephone call checks until monitoring is live.",
                decided_on=due_on,
            )
        else:
            gateway_decide(gateway=gateway, outcome="go", risk_level=1, reason="All criteria met.", decided_on=due_on)


def _contingency_load(lots: dict[str, Lot]) -> None:
    helpers = list(Provider.objects.filter(cqc_provider_id__in=CONTINGENCY_PROVIDERS).order_by("cqc_provider_id"))
    for code in VACANT_LOTS:
        contingency_create(
            lot=lots[code],
            reason=ContingencyReason.PROVIDER_WITHDREW,
            start_date=GO_LIVE,
            providers=helpers,
            transfer_start=TRANSFERS_START,
            people_per_week=10,
            transfer_target_date=date(2017, 11, 6),
            notes="The lead provider withdrew late in West Leicestershire; contingency providers cover everyone "
            "while the lot is procured again. A dedicated team moves people to a direct payment or the new lead "
            "provider.",
        )
    blaby = ContingencyArrangement.objects.filter(lot=lots[BLABY], end_date__isnull=True).first()
    if blaby is not None:  # escalated by its go-live gateway
        contingency_update(
            arrangement=blaby,
            reason=ContingencyReason.CQC_CONDITIONS,
            providers=helpers,
            notes="Rated Inadequate after inspection in November 2016; CQC conditions stop new packages. People "
            "most at risk moved to contingency providers.",
        )


def _people_load(lots: dict[str, Lot]) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible on purpose
    wards = {code: sorted(ward_ids) for code, ward_ids in _wards(lots).items()}
    ward_rows = {ward.pk: ward for ward in Locality.objects.filter(pk__in={w for ids in wards.values() for w in ids})}
    leads = {
        award.lot.code: award.bid.provider
        for award in Award.objects.filter(lot__in=lots.values(), ended_on__isnull=True).select_related(
            "lot", "bid__provider"
        )
    }
    helpers = list(Provider.objects.filter(cqc_provider_id__in=CONTINGENCY_PROVIDERS).order_by("cqc_provider_id"))
    number = 0

    def reference() -> str:
        nonlocal number
        number += 1
        return f"{REFERENCE_PREFIX}-{number:06d}"

    def ward_in(code: str):
        return ward_rows[wards[code][rng.randrange(len(wards[code]))]]

    def start_before_six_months() -> date:
        return GO_LIVE + timedelta(days=rng.randint(0, (SIX_MONTHS_ON - GO_LIVE).days - 1))

    def package(kind, code, start, provider=None, end=None, ref=None):
        common = {"reference": ref or reference(), "kind": kind, "start_date": start, "end_date": end}
        common["source"] = PlacementSource.HOSPITAL_DISCHARGE if rng.random() < 0.25 else PlacementSource.COMMUNITY
        if kind == PlacementKind.DIRECT_PAYMENT:
            return placement_create(**common, home_ward=ward_in(code), weekly_cost=Decimal(rng.randint(80, 420)))
        return placement_create(
            **common,
            provider=provider,
            service=PlacementService.HOMECARE,
            hours_per_week=Decimal(str(rng.choice([3.5, 5.25, 7, 10.5, 14, 21]))),
            home_ward=ward_in(code),
        )

    live = sorted(leads)
    # With lead providers: spread over the live lots.
    for index in range(HTLAH_COUNTS[PlacementKind.LEAD_PROVIDER]):
        code = live[index % len(live)]
        package(PlacementKind.LEAD_PROVIDER, code, start_before_six_months(), provider=leads[code])
    # With contingency providers on 7 May 2017.
    for code, count in CONTINGENCY_BY_LOT.items():
        for index in range(count):
            package(PlacementKind.CONTINGENCY, code, GO_LIVE, provider=helpers[index % len(helpers)])
    # Moved from contingency to a direct payment since January (end and start on the same day, as a move is).
    moved = 0
    for code, count in MOVED_BY_LOT.items():
        for index in range(count):
            day = TRANSFERS_START + timedelta(days=rng.randint(0, (SIX_MONTHS_ON - TRANSFERS_START).days - 3))
            placement = package(PlacementKind.CONTINGENCY, code, GO_LIVE, provider=helpers[index % len(helpers)])
            placement_end(placement=placement, end_date=day)
            package(PlacementKind.DIRECT_PAYMENT, code, day, ref=placement.reference)
            moved += 1
    # The other direct payments, across all 15 lots.
    codes = sorted(lots)
    for index in range(HTLAH_COUNTS[PlacementKind.DIRECT_PAYMENT] - moved):
        package(PlacementKind.DIRECT_PAYMENT, codes[index % len(codes)], start_before_six_months())


def _wards(lots: dict[str, Lot]) -> dict[str, set[int]]:
    by_area = wards_by_area([lot.area_id for lot in lots.values()])
    return {code: by_area.get(lot.area_id, set()) for code, lot in lots.items()}


def _counts() -> dict[str, int]:
    lots = list(Lot.objects.filter(code__startswith="HTLAH-"))
    people = people_by_area(area_ids=[lot.area_id for lot in lots], on=SIX_MONTHS_ON)
    totals = {kind.value: sum(entry[kind] for entry in people.values()) for kind in HTLAH_COUNTS}
    return {
        "mobilisation_plans": MobilisationPlan.objects.filter(award__lot__in=lots).count(),
        "contingency_arrangements": ContingencyArrangement.objects.filter(lot__in=lots).count(),
        "people_with_lead_providers": totals[PlacementKind.LEAD_PROVIDER],
        "people_in_contingency": totals[PlacementKind.CONTINGENCY],
        "people_on_direct_payments": totals[PlacementKind.DIRECT_PAYMENT],
    }
