"""Demo market: Leicestershire's Help to Live at Home tender as it happened (2016-17).

Home care in 15 geographic lots over the geo demo's lot areas (HTLAH-01 to HTLAH-15), awarded to 8 lead
providers (the providers demo's invented names) with go-live on 7 November 2016. The provider of the three West
Leicestershire lots (Hinckley and Twycross, Groby and Market Bosworth, Mountsorrel and Quorn) withdrew late,
before go-live, and those lots stayed vacant: an open procedure in January 2017 found no compliant bid, a second
in April 2017 none either, and a competitive procedure with negotiation with the 10 organisations that met the
selection criteria followed, with new services due in November 2017. The lead provider of the lot covering Blaby,
Countesthorpe, Narborough, Lutterworth, Birstall and Anstey is the one the providers demo rates Inadequate with a
CQC condition on new work; its lot shows both.

Dates other than go-live and the re-procurement months (the tender's stages, award and withdrawal days) are
illustrative. The 12 live lots have call-off contracts through the contracts services. Runs after the geo,
providers and contracts demos; idempotent (a second run finds the tender and writes nothing).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, ContractKind, ContractService, ContractStatus
from contracts.services import contract_create
from geo.demo import HTLAH_LOTS
from geo.models import Locality, LocalityKind
from market import demo_failure, demo_micro
from market.demo_analysis import demo_load as analysis_demo_load
from market.demo_demand import demo_load as demand_demo_load
from market.models import Award, Bid, Lot, LotStatus, ProcurementRound, RoundOutcome, Tender
from market.services import (
    award_end,
    award_make,
    bid_record,
    lot_create,
    lot_status_set,
    round_close,
    round_invite,
    round_open,
    tender_create,
    tender_stage_record,
)
from providers.models import Provider


class DemoPrerequisiteMissing(RuntimeError):
    pass


TENDER_REFERENCE = "LCC-HTLAH-2016"
REPROCUREMENT_REFERENCE = "LCC-HTLAH-2017-WL"
GO_LIVE = date(2016, 11, 7)
AWARDED_ON = date(2016, 5, 16)
WITHDRAWN_ON = date(2016, 10, 21)
CONTRACT_PREFIX = "LCC-HTLAH-"

# The lead provider of each lot (CQC provider ids of the providers demo's Help to Live at Home providers).
LEAD_PROVIDERS = {
    "HTLAH-01": "1-9016000001",  # Soar Valley Homecare: rated Inadequate, CQC condition on new work
    "HTLAH-02": "1-9016000008",  # Burbage and Hinckley Homecare: withdrew before go-live
    "HTLAH-03": "1-9016000008",
    "HTLAH-04": "1-9016000008",
    "HTLAH-05": "1-9016000002",
    "HTLAH-06": "1-9016000003",
    "HTLAH-07": "1-9016000005",
    "HTLAH-08": "1-9016000005",
    "HTLAH-09": "1-9016000006",
    "HTLAH-10": "1-9016000006",
    "HTLAH-11": "1-9016000004",
    "HTLAH-12": "1-9016000004",
    "HTLAH-13": "1-9016000007",
    "HTLAH-14": "1-9016000002",
    "HTLAH-15": "1-9016000007",
}
VACANT_LOTS = ("HTLAH-02", "HTLAH-03", "HTLAH-04")
# About 1,903 hours a week of new care in the first months (57,109 hours), shared over the lots.
HOURS_PER_WEEK = {
    "HTLAH-01": 168,
    "HTLAH-02": 150,
    "HTLAH-03": 96,
    "HTLAH-04": 104,
    "HTLAH-05": 182,
    "HTLAH-06": 121,
    "HTLAH-07": 110,
    "HTLAH-08": 72,
    "HTLAH-09": 143,
    "HTLAH-10": 124,
    "HTLAH-11": 118,
    "HTLAH-12": 84,
    "HTLAH-13": 160,
    "HTLAH-14": 137,
    "HTLAH-15": 134,
}
STAGES = [
    ("published", date(2016, 1, 11)),
    ("clarification", date(2016, 2, 1)),
    ("submission_deadline", date(2016, 2, 29)),
    ("evaluation", date(2016, 3, 14)),
    ("moderation", date(2016, 4, 11)),
    ("award_decision", AWARDED_ON),
    ("standstill", date(2016, 5, 17)),
    ("contract_start", GO_LIVE),
]
# Re-procurement of the vacant lots: (procedure, opened, closed, outcome, organisations invited, services due).
REPROCUREMENT_ROUNDS = [
    ("open", date(2017, 1, 9), date(2017, 3, 6), RoundOutcome.NO_COMPLIANT_BID, None, None),
    ("open", date(2017, 4, 3), date(2017, 5, 22), RoundOutcome.NO_COMPLIANT_BID, None, None),
    ("competitive_negotiation", date(2017, 6, 12), None, RoundOutcome.PENDING, 10, date(2017, 11, 6)),
]

# The organisations named as invited into the round under way (CQC provider IDs are linked to the register).
INVITED_BY_NAME = ["1-9016000008", "1-9016000003", "1-9016000002", "Sence Valley Care Partnership"]


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def demo_load() -> dict[str, int]:
    areas = {area.code: area for area in Locality.objects.filter(kind=LocalityKind.LOT_AREA, code__in=LEAD_PROVIDERS)}
    providers = {p.cqc_provider_id: p for p in Provider.objects.filter(cqc_provider_id__in=LEAD_PROVIDERS.values())}
    missing = sorted(set(LEAD_PROVIDERS) - set(areas)) + sorted(set(LEAD_PROVIDERS.values()) - set(providers))
    if missing:
        raise DemoPrerequisiteMissing(
            "The market demo needs the geo demo's lot areas and the providers demo's Help to Live at Home "
            f"providers first; missing: {', '.join(missing)}. Run manage.py demo_load, which loads them in order."
        )
    if not Tender.objects.filter(reference=TENDER_REFERENCE).exists():
        with transaction.atomic():
            _tender_load(areas, providers)
    # The analysis settings (spot inflation, spot prices, market limits) for Cambridgeshire's block beds, its
    # demand and people waiting, set against the contracts demo's block beds, and its micro-enterprise programme.
    # And failure planning: a Cambridgeshire block provider at Market Oversight stage 6, with a failure response.
    return {
        **_counts(),
        **analysis_demo_load(),
        **demand_demo_load(),
        **demo_micro.demo_load(),
        **demo_failure.demo_load(),
    }


def _tender_load(areas: dict[str, Locality], providers: dict[str, Provider]) -> None:
    tender = tender_create(
        reference=TENDER_REFERENCE,
        title="Help to Live at Home: home care in 15 geographic lots",
        service="homecare_hours",
        procedure="open",
        quality_threshold=Decimal("60"),
        quality_weight=Decimal("60"),
        price_weight=Decimal("40"),
        status="awarded",
        notes="Integrated service of the county council and two NHS commissioning groups.",
    )
    for stage, day in STAGES:
        tender_stage_record(tender=tender, stage=stage, planned_date=day, actual_date=day)
    names = {code: name for code, name, _ in HTLAH_LOTS}
    others = sorted(providers)
    for number, (code, lead_id) in enumerate(LEAD_PROVIDERS.items(), start=1):
        lot = lot_create(
            tender=tender,
            code=code,
            name=names[code],
            area=areas[code],
            hours_per_week=Decimal(HOURS_PER_WEEK[code]),
            at=_at(date(2015, 11, 2)),
        )
        round_ = round_open(lot=lot, opened_on=date(2016, 1, 11), closes_on=date(2016, 2, 29))
        # The lead provider's winning bid and two others that scored lower.
        rivals = [pid for pid in others if pid != lead_id][number % 5 : number % 5 + 2]
        for offset, pid in enumerate(rivals):
            bid_record(
                round=round_,
                provider=providers[pid],
                quality_score=Decimal(62 + (number * 3 + offset * 7) % 14),
                price_score=Decimal(58 + (number * 5 + offset * 11) % 20),
                submitted_on=date(2016, 2, 29),
            )
        winning = bid_record(
            round=round_,
            provider=providers[lead_id],
            quality_score=Decimal(78 + number % 9),
            price_score=Decimal(80 + number % 7),
            submitted_on=date(2016, 2, 29),
        )
        contract = None
        if code not in VACANT_LOTS:
            contract = contract_create(
                reference=f"{CONTRACT_PREFIX}{code.removeprefix('HTLAH-')}",
                provider=providers[lead_id],
                kind=ContractKind.CALL_OFF,
                service=ContractService.HOMECARE_HOURS,
                start_date=GO_LIVE,
                end_date=date(2021, 11, 6),
                status=ContractStatus.LIVE,
                commissioning_partner="joint",
                notes=f"Help to Live at Home call-off for lot {code}.",
            )
        award = award_make(bid=winning, awarded_on=AWARDED_ON, go_live_on=GO_LIVE, contract=contract)
        lot_status_set(
            lot=lot, status=LotStatus.MOBILISING, reason="Standstill over; mobilising", at=_at(date(2016, 5, 27))
        )
        if code in VACANT_LOTS:
            award_end(
                award=award,
                ended_on=WITHDRAWN_ON,
                reason="The provider withdrew late, before go-live; contingency arrangements cover everyone.",
            )
        else:
            lot_status_set(lot=lot, status=LotStatus.LIVE, reason="Go-live", at=_at(GO_LIVE))
    _reprocurement_load(tender, providers)


def _reprocurement_load(first: Tender, providers: dict[str, Provider]) -> None:
    tender = tender_create(
        reference=REPROCUREMENT_REFERENCE,
        title="Help to Live at Home: West Leicestershire lots re-procured",
        service="homecare_hours",
        procedure="open",
        quality_threshold=first.quality_threshold,
        quality_weight=first.quality_weight,
        price_weight=first.price_weight,
        status="evaluation",
        notes="Hinckley and Twycross, Groby and Market Bosworth, Mountsorrel and Quorn, vacant since the withdrawal.",
    )
    bidders = [providers[pid] for pid in ("1-9016000002", "1-9016000006")]
    for code in VACANT_LOTS:
        lot = Lot.objects.get(code=code)
        for procedure, opened_on, closed_on, outcome, invited, due in REPROCUREMENT_ROUNDS:
            round_ = round_open(
                lot=lot,
                tender=tender,
                procedure=procedure,
                opened_on=opened_on,
                organisations_invited=invited,
                services_due_on=due,
            )
            if outcome == RoundOutcome.PENDING:
                # Of the 10 that met the selection criteria, those named so far: three from the register and a
                # newcomer not yet registered with the council.
                round_invite(round=round_, organisations=INVITED_BY_NAME, invited_on=opened_on + timedelta(days=14))
                continue
            for provider in bidders:
                bid_record(
                    round=round_,
                    provider=provider,
                    quality_score=Decimal("48"),
                    price_score=Decimal("70"),
                    compliant=False,
                    non_compliance_reason="Could not evidence the staff to deliver the lot's hours (recruitment plan).",
                    submitted_on=opened_on.replace(day=28),
                )
            round_close(round=round_, outcome=outcome, closed_on=closed_on)


def _counts() -> dict[str, int]:
    lots = Lot.objects.filter(code__startswith="HTLAH-")
    awards = Award.objects.filter(lot__in=lots)
    return {
        "tenders": Tender.objects.filter(reference__in=[TENDER_REFERENCE, REPROCUREMENT_REFERENCE]).count(),
        "lots": lots.count(),
        "lead_providers": awards.values("bid__provider").distinct().count(),
        "live_lots": lots.filter(status=LotStatus.LIVE).count(),
        "vacant_lots": lots.filter(status=LotStatus.VACANT).count(),
        "procurement_rounds": ProcurementRound.objects.filter(lot__in=lots).count(),
        "bids": Bid.objects.filter(round__lot__in=lots).count(),
        "awards": awards.count(),
        "lot_contracts": Contract.objects.filter(reference__startswith=CONTRACT_PREFIX).count(),
    }
