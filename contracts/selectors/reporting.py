"""Provider reporting status, the Help to Live at Home counts and the contracts register."""

from datetime import date

from django.db.models import (
    Count,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import (
    Contract,
    Placement,
    PlacementKind,
    PlacementService,
    VacancyReport,
    live_contract,
)
from contracts.selectors.vacancies import vacancy_stale_before
from contracts.selectors.voids import active_on
from providers.models import Location


def last_reported(*, location_ref: str) -> Subquery:
    return Subquery(
        VacancyReport.objects.filter(location=OuterRef(location_ref))
        .order_by()
        .values("location")
        .annotate(last=Max("report_date"))
        .values("last")
    )


# --- provider reporting -----------------------------------------------------------------------------------


def locations_reporting_status(locations: QuerySet[Location], *, today: date | None = None) -> QuerySet[Location]:
    """Each location with the day it last reported vacancies and whether that report is stale."""
    today = today or timezone.localdate()
    stale_before = vacancy_stale_before(today=today)
    return (
        locations.annotate(last_reported_on=last_reported(location_ref="pk"))
        .select_related("provider")
        .annotate(
            stale=Q(last_reported_on__isnull=True) | Q(last_reported_on__lt=stale_before),
        )
    )


# --- homecare and direct payments -------------------------------------------------------------------------


def homecare_counts(*, on: date, provider_ids: list[int] | None = None) -> dict[str, int]:
    """People receiving homecare or a direct payment on a date, by arrangement: lead provider, contingency,
    spot and direct payment (the Help to Live at Home picture: 933 / 712 / 674)."""
    placements = Placement.objects.filter(
        active_on(on), service__in=[PlacementService.HOMECARE, PlacementService.DIRECT_PAYMENT]
    )
    if provider_ids is not None:
        placements = placements.filter(provider_id__in=provider_ids)
    counts = dict(placements.order_by().values_list("kind").annotate(n=Count("id")))
    hours = placements.filter(service=PlacementService.HOMECARE).aggregate(h=Sum("hours_per_week"))["h"]
    return {
        "lead_provider": counts.get(PlacementKind.LEAD_PROVIDER, 0),
        "contingency": counts.get(PlacementKind.CONTINGENCY, 0),
        "spot": counts.get(PlacementKind.SPOT, 0),
        "direct_payment": counts.get(PlacementKind.DIRECT_PAYMENT, 0),
        "hours_per_week": float(hours or 0),
    }


# --- the register -----------------------------------------------------------------------------------------


def contracts_register(contracts: QuerySet[Contract], *, on: date | None = None) -> QuerySet[Contract]:
    """Contracts with their active block beds and line count on a date, for the register and its export. A
    contract that is not live (a draft, or ended) has no active beds, whatever its lines' dates say."""
    on = on or timezone.localdate()
    active = active_on(on, start="activation_date", prefix="bed_lines__") & live_contract()
    return (
        contracts.select_related("provider")
        .annotate(
            bed_line_count=Count("bed_lines", distinct=True),
            active_beds=Coalesce(Sum("bed_lines__beds", filter=active), 0),
        )
        .order_by("reference")
    )


# The terms a variation changes, in the order the history shows them.
VARIED_TERMS = (
    ("break_clause_date", "Break clause"),
    ("end_date", "End date"),
    ("notice_period_months", "Notice period (months)"),
    ("status", "Status"),
)


def contract_variations(*, contract: Contract) -> list[dict]:
    """The contract's changes of break clause, end date, notice period or status, newest first: when, by whom,
    each term before and after, and the reason kept with the change. Read from the contract's history in one
    query; a change of other terms only (its notes, say) is left out."""
    records = list(contract.history.select_related("history_user").order_by("history_date", "history_id"))
    found = []
    for before, after in zip(records, records[1:], strict=False):
        changes = [
            {"term": label, "field": name, "before": getattr(before, name), "after": getattr(after, name)}
            for name, label in VARIED_TERMS
            if getattr(before, name) != getattr(after, name)
        ]
        if changes:
            found.append(
                {
                    "at": after.history_date,
                    "by": after.history_user,
                    "reason": after.history_change_reason or "",
                    "changes": changes,
                }
            )
    return found[::-1]
