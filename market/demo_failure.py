"""Demo failure planning: the Cambridgeshire block provider with the most people placed is in CQC's Market
Oversight scheme, raised to stage 6 (formal notification of likely business failure) three days ago, and the council
opened a failure response two days ago, due in six weeks. Idempotent: once the register has an entry, nothing."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from contracts.models import PlacementService
from market.models import FailureReason, OversightEntry
from market.services.failure import failure_response_open, oversight_enter, oversight_stage_set
from providers.models import Provider

BLOCK_CONTRACTS = "CCC-BB21-"  # the contracts demo's Cambridgeshire block contracts


def demo_load() -> dict[str, int]:
    if OversightEntry.objects.exists():
        return {"oversight_entries": OversightEntry.objects.count()}
    today = timezone.localdate()
    provider = (
        Provider.objects.filter(contracts__reference__startswith=BLOCK_CONTRACTS)
        .annotate(
            people=Count(
                "placements",
                filter=Q(placements__service=PlacementService.CARE_HOME, placements__end_date__isnull=True),
                distinct=True,
            )
        )
        .order_by("-people", "name")
        .first()
    )
    if provider is None:
        return {"oversight_entries": 0}
    with transaction.atomic():
        entry = oversight_enter(
            provider=provider, stage=3, on=today - timedelta(days=120), notes="Lender covenants breached in the summer."
        )
        for stage, days, note in (
            (4, 60, "Financial sustainability concerns: monthly cash-flow returns to CQC."),
            (5, 20, "Significant risk: CQC asked for an independent business review and a risk mitigation plan."),
            (6, 3, "CQC's formal notification of likely business failure."),
        ):
            entry = oversight_stage_set(entry=entry, stage=stage, on=today - timedelta(days=days), note=note)
        failure_response_open(
            provider=provider,
            reason=FailureReason.LIKELY_FAILURE_NOTICE,
            opened_on=today - timedelta(days=2),
            target_date=today + timedelta(weeks=6),
            notes="Opened on CQC's stage 6 notice.",
        )
    return {"oversight_entries": 1}
