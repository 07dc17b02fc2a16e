"""Demo mobilisation under way: a night-time home care lot awarded sixteen weeks before the demo first loads,
going live six weeks after it, so the mobilisation rules have something current to watch.

The lead provider (Charnwood Community Care, a contingency provider of Help to Live at Home) finished its TUPE
consultation, but its registered manager, due in post eight weeks before go-live, is not, and staff recruited
run at about half the weekly trajectory. The first sweep raises a red milestone and recruitment behind trajectory
on the lot. Dates are computed from the day of the first load; a second run finds the tender and writes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from geo.models import Locality, LocalityKind
from market.models import LotStatus, MilestoneKind, MobilisationPlan, MobilisationTemplate, Tender
from market.services import award_make, bid_record, lot_create, lot_status_set, round_open, tender_create
from market.services.mobilisation import milestone_report, plan_create, recruitment_report, recruitment_trajectory_set
from providers.models import Location, Provider

TENDER_REFERENCE = "LCC-NHC-MOB"
LOT_CODE = "NHC-01"
AREA = "HTLAH-05"  # the lot area the night service covers
LEAD_PROVIDER = "1-9016000002"
RIVAL = "1-9016000006"
HOURS_PER_WEEK = Decimal("84")
AWARDED_WEEKS_AGO = 16
GO_LIVE_WEEKS_AHEAD = 6
RECRUITED_SHARE = 0.5  # of the planned staff: well behind the tolerance
STAFF_NEEDED = 21


def demo_load(*, template: MobilisationTemplate | None) -> dict[str, int]:
    area = Locality.objects.filter(kind=LocalityKind.LOT_AREA, code=AREA).first()
    providers = {p.cqc_provider_id: p for p in Provider.objects.filter(cqc_provider_id__in=(LEAD_PROVIDER, RIVAL))}
    ready = template is not None and area is not None and len(providers) == 2
    if ready and not Tender.objects.filter(reference=TENDER_REFERENCE).exists():
        with transaction.atomic():
            _mobilising_load(area, providers, template, today=timezone.localdate())
    return {"plans_mobilising": MobilisationPlan.objects.filter(award__lot__code=LOT_CODE).count()}


def _mobilising_load(
    area: Locality, providers: dict[str, Provider], template: MobilisationTemplate, *, today: date
) -> None:
    awarded_on = today - timedelta(weeks=AWARDED_WEEKS_AGO)
    go_live_on = today + timedelta(weeks=GO_LIVE_WEEKS_AHEAD)
    tender = tender_create(
        reference=TENDER_REFERENCE,
        title="Night-time home care: one lot, mobilising",
        procedure="open",
        quality_threshold=Decimal("60"),
        status="awarded",
        notes="Night visits across the lot area, alongside the Help to Live at Home day service.",
    )
    lot = lot_create(
        tender=tender,
        code=LOT_CODE,
        name="Night-time home care",
        area=area,
        hours_per_week=HOURS_PER_WEEK,
        at=timezone.now() - timedelta(weeks=AWARDED_WEEKS_AGO + 12),
    )
    round_ = round_open(lot=lot, opened_on=awarded_on - timedelta(weeks=10), closes_on=awarded_on - timedelta(weeks=4))
    bid_record(
        round=round_,
        provider=providers[RIVAL],
        quality_score=Decimal("66"),
        price_score=Decimal("71"),
        submitted_on=awarded_on - timedelta(weeks=4),
    )
    winning = bid_record(
        round=round_,
        provider=providers[LEAD_PROVIDER],
        quality_score=Decimal("81"),
        price_score=Decimal("77"),
        submitted_on=awarded_on - timedelta(weeks=4),
    )
    award = award_make(bid=winning, awarded_on=awarded_on, go_live_on=go_live_on)
    lot_status_set(lot=lot, status=LotStatus.MOBILISING, reason="Standstill over; mobilising")
    office = Location.objects.filter(provider=providers[LEAD_PROVIDER], care_home=False).order_by("pk").first()
    plan = plan_create(award=award, template=template, delivering_location=office)
    for milestone in plan.milestones.all():
        if milestone.due_on >= today or milestone.kind == MilestoneKind.CQC_REGISTRATION:
            continue  # not due yet; the CQC milestone is read from the register
        if milestone.kind == MilestoneKind.REGISTERED_MANAGER:
            milestone_report(
                milestone=milestone,
                status="in_progress",
                evidence_note="The first candidate withdrew; interviews again next week.",
            )
            continue
        milestone_report(
            milestone=milestone,
            status="done",
            completed_on=milestone.due_on - timedelta(days=1),
            evidence_note="Checked at the mobilisation meeting.",
        )
    start = awarded_on + timedelta(weeks=2)
    total_weeks = (go_live_on - start).days // 7
    weeks = [
        {"week_ending": start + timedelta(weeks=week), "planned_staff": STAFF_NEEDED * week // total_weeks}
        for week in range(1, total_weeks + 1)
    ]
    recruitment_trajectory_set(plan=plan, weeks=weeks)
    for entry in weeks:
        if entry["week_ending"] <= today and entry["planned_staff"]:
            recruitment_report(
                plan=plan,
                reported_on=entry["week_ending"],
                staff_recruited=int(entry["planned_staff"] * RECRUITED_SHARE),
            )
