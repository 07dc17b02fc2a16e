"""Reads of tenders, lots, rounds, bids and awards. Provider users see only their own: lots and awards their
provider was awarded, bids their provider made, the rounds and tenders they bid in."""

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower

from accounts.selectors import provider_scope
from geo.models import Locality
from market.models import Award, Bid, Lot, LotCapacity, LotStatusChange, ProcurementRound, RoundInvitation, Tender
from providers.models import Location, RatingValue
from providers.selectors import active_conditions


def _current_awards():
    return Award.objects.filter(lot=OuterRef("pk"), ended_on__isnull=True)


def _lead_provider_is(**lookups):
    """Exists(...) for a row of the lot's current lead provider matching `lookups`."""
    return {"provider__bids__award__lot": OuterRef("pk"), "provider__bids__award__ended_on__isnull": True, **lookups}


def lots_register(*, user) -> QuerySet[Lot]:
    """Lots with their current award and lead provider, and whether that provider is stopped from taking new
    work by a CQC condition or has a location rated Inadequate."""
    current = _current_awards()
    queryset = (
        Lot.objects.select_related("tender", "area")
        .annotate(
            current_award_id=Subquery(current.values("pk")[:1]),
            awarded_on=Subquery(current.values("awarded_on")[:1]),
            go_live_on=Subquery(current.values("go_live_on")[:1]),
            lead_provider_id=Subquery(current.values("bid__provider_id")[:1]),
            lead_provider_name=Subquery(current.values("bid__provider__name")[:1]),
            lead_provider_cqc_id=Subquery(current.values("bid__provider__cqc_provider_id")[:1]),
            contract_reference=Subquery(current.values("contract__reference")[:1]),
            lead_provider_stops_admissions=Exists(
                active_conditions().filter(**_lead_provider_is(stops_admissions=True))
            ),
            lead_provider_inadequate=Exists(
                Location.objects.filter(**_lead_provider_is(current_rating__overall=RatingValue.INADEQUATE))
            ),
            round_count=Subquery(
                ProcurementRound.objects.filter(lot=OuterRef("pk"))
                .order_by()
                .values("lot")
                .annotate(count=Count("*"))
                .values("count")[:1]
            ),
        )
        .prefetch_related(Prefetch("capacities", queryset=LotCapacity.objects.order_by("care_type")))
        .order_by("code", "id")
    )
    return _lots_scoped(queryset, user)


def _lots_scoped(queryset: QuerySet[Lot], user) -> QuerySet[Lot]:
    if not user.is_authenticated or not user.is_provider_user:
        return provider_scope(queryset, user)
    # A provider sees the lots it delivers now: after it withdraws, the lot (and who delivers it next) is not its.
    own = Award.objects.filter(lot=OuterRef("pk"), ended_on__isnull=True, bid__provider__memberships__user=user)
    return queryset.filter(Exists(own))


def lot_detail_queryset(*, user) -> QuerySet[Lot]:
    """The register with each lot's rounds in order and its status history."""
    return lots_register(user=user).prefetch_related(
        Prefetch("rounds", queryset=_rounds_annotated(ProcurementRound.objects.select_related("tender"))),
        Prefetch(
            "status_changes",
            queryset=LotStatusChange.objects.select_related("changed_by").order_by("pk"),  # as the moves were made
        ),
    )


def _rounds_annotated(queryset: QuerySet[ProcurementRound]) -> QuerySet[ProcurementRound]:
    """Rounds with their bid counts and the organisations invited by name (`invitations`, A to Z)."""
    invitations = RoundInvitation.objects.select_related("provider").order_by(Lower("name"), "pk")
    return (
        queryset.prefetch_related(Prefetch("invitations", invitations))
        .annotate(
            bid_count=Count("bids", distinct=True),
            compliant_bid_count=Count("bids", filter=Q(bids__compliant=True), distinct=True),
        )
        .order_by("lot_id", "number")
    )


def rounds_of(*, lot: Lot) -> QuerySet[ProcurementRound]:
    """A lot's procurement rounds, first to last."""
    return _rounds_annotated(ProcurementRound.objects.filter(lot=lot).select_related("tender", "lot"))


def rounds_list(*, user) -> QuerySet[ProcurementRound]:
    queryset = _rounds_annotated(ProcurementRound.objects.select_related("tender", "lot"))
    if user.is_authenticated and user.is_provider_user:
        return queryset.filter(Exists(Bid.objects.filter(round=OuterRef("pk"), provider__memberships__user=user)))
    return provider_scope(queryset, user)


def bids_list(*, user) -> QuerySet[Bid]:
    queryset = Bid.objects.select_related("round__lot", "round__tender", "provider").order_by(
        "round__lot__code", "round__number", F("rank").asc(nulls_last=True), "provider__name", "id"
    )
    return provider_scope(queryset, user, provider_field="provider")


def awards_list(*, user) -> QuerySet[Award]:
    queryset = Award.objects.select_related("lot", "bid__provider", "bid__round", "contract").order_by(
        "lot__code", "awarded_on", "id"
    )
    return provider_scope(queryset, user, provider_field="bid__provider")


def tenders_list(*, user) -> QuerySet[Tender]:
    lot_count = Lot.objects.filter(tender=OuterRef("pk")).order_by().values("tender").annotate(n=Count("*")).values("n")
    queryset = (
        Tender.objects.annotate(lot_count=Coalesce(Subquery(lot_count[:1]), 0))
        .prefetch_related("stages")
        .order_by("reference", "id")
    )
    if user.is_authenticated and user.is_provider_user:
        return queryset.filter(
            Exists(Bid.objects.filter(round__tender=OuterRef("pk"), provider__memberships__user=user))
        )
    return provider_scope(queryset, user)


# --- map layer --------------------------------------------------------------------------------------------


def lots_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    """For lot areas on the map: the lot's code, status and lead provider (one query)."""
    current = Award.objects.filter(lot=OuterRef("pk"), ended_on__isnull=True)
    rows = (
        Lot.objects.filter(area_id__in=[locality.id for locality in localities])
        .exclude(status="ended")
        .annotate(lead_provider=Subquery(current.values("bid__provider__name")[:1]))
        .order_by("area_id", "code")
        .values("area_id", "id", "code", "name", "status", "lead_provider")
    )
    found: dict[int, dict] = {}
    for row in rows:
        found.setdefault(
            row["area_id"],
            {
                "lot_id": row["id"],
                "lot_code": row["code"],
                "lot_name": row["name"],
                "lot_status": row["status"],
                "lead_provider": row["lead_provider"],
            },
        )
    return found


def lots_layer_version() -> str:
    found = Lot.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    # Every award made or ended moves its lot's status, so the lots' updated_at follows awards too.
    awards = Award.objects.aggregate(count=Count("id"), ended=Count("ended_on"), highest=Max("id"))
    latest = found["latest"].timestamp() if found["latest"] else 0
    return f"{found['count']}.{latest:.6f}.{awards['count']}.{awards['ended']}.{awards['highest'] or 0}"


# --- a tender's page ----------------------------------------------------------------------------------------


def tender_rounds(*, tender: Tender) -> QuerySet[ProcurementRound]:
    """The procurement rounds run under `tender` (its lots' first rounds and any re-procurement under it), by lot
    and number, each with its bids best first (their providers and awards): a fixed number of queries."""
    bids = Bid.objects.select_related("provider", "award").order_by(
        F("rank").asc(nulls_last=True), "-weighted_total", "provider__name", "id"
    )
    return _rounds_annotated(
        ProcurementRound.objects.filter(tender=tender).select_related("lot").prefetch_related(Prefetch("bids", bids))
    ).order_by("lot__code", "number")


def lots_to_procure(*, tender: Tender) -> QuerySet[Lot]:
    """The lots a new round under `tender` may be for: its own lots and any vacant lot (a re-procurement), not
    those that have ended, have a round under way or a current award."""
    under_way = ProcurementRound.objects.filter(lot=OuterRef("pk"), closed_on__isnull=True)
    return (
        Lot.objects.filter(Q(tender=tender) | Q(status="vacant"))
        .exclude(status="ended")
        .exclude(Exists(under_way))
        .exclude(Exists(_current_awards()))
        .order_by("code", "id")
    )
