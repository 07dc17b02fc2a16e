"""Micro-enterprise reads: who sees which (a micro-enterprise's own account sees only its own), the register
with each one's latest return, the localities an area covers, and the hours a week micro-enterprises deliver by
locality on a day (for the capacity gaps)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from geo.models import Locality
from market.models import MicroEnterprise, MicroEnterpriseReturn, MicroEnterpriseStatus, MicroEnterpriseStatusChange


def micro_enterprise_scope(queryset: QuerySet, user, *, field: str = "") -> QuerySet:
    """Restrict `queryset` to the micro-enterprises a provider user's account is linked to (through
    MicroEnterpriseMembership); council staff see all. `field` is the path from the queryset's model to the
    micro-enterprise ("" for micro-enterprises themselves, "micro_enterprise" for their returns). A provider user
    with no link sees none, as provider users see none of the programme."""
    if not user.is_authenticated:
        return queryset.none()
    if not user.is_provider_user:
        return queryset
    path = f"{field}__memberships__user" if field else "memberships__user"
    return queryset.filter(**{path: user}).distinct()


def _latest_return(on: date | None = None) -> QuerySet:
    returns = MicroEnterpriseReturn.objects.filter(micro_enterprise=OuterRef("pk"))
    if on is not None:
        returns = returns.filter(from_date__lte=on)
    return returns.order_by("-from_date", "-id")


def micro_enterprises_list(user) -> QuerySet[MicroEnterprise]:
    """The register a user may see, each with its latest return (hours a week, people supported, from when):
    one query, whatever its length."""
    latest = _latest_return()
    return (
        micro_enterprise_scope(MicroEnterprise.objects.all(), user)
        .select_related("locality", "cqc_location")
        .annotate(
            latest_return_from=Subquery(latest.values("from_date")[:1]),
            latest_hours_per_week=Subquery(latest.values("hours_per_week")[:1]),
            latest_people_supported=Subquery(latest.values("people_supported")[:1]),
        )
        .order_by("trading_name", "id")
    )


def localities_covered(area_ids: Iterable[int]) -> set[int]:
    """The areas themselves, their children and grandchildren (a county's districts and their wards) and their
    members (a lot area's or a composed district's wards): one query."""
    area_ids = list(area_ids)
    if not area_ids:
        return set()
    covered = Locality.objects.filter(
        Q(id__in=area_ids) | Q(parent_id__in=area_ids) | Q(parent__parent_id__in=area_ids) | Q(member_of__in=area_ids)
    )
    return set(covered.values_list("id", flat=True))


def micro_enterprise_hours(*, on: date) -> dict[int, Decimal]:
    """Locality id (each micro-enterprise's own ward or district) -> hours a week delivered on `on` by the
    micro-enterprises trading that day, from each one's latest return on or before it. One query."""
    status_on = (
        MicroEnterpriseStatusChange.objects.filter(micro_enterprise=OuterRef("pk"), on__lte=on)
        .order_by("-on")
        .values("status")[:1]
    )
    rows = (
        MicroEnterprise.objects.annotate(
            status_on=Subquery(status_on), hours=Subquery(_latest_return(on).values("hours_per_week")[:1])
        )
        .filter(status_on=MicroEnterpriseStatus.TRADING, hours__isnull=False)
        .values_list("locality_id", "hours")
    )
    hours: dict[int, Decimal] = {}
    for locality_id, value in rows:
        hours[locality_id] = hours.get(locality_id, Decimal(0)) + Decimal(str(value))
    return hours


def micro_enterprises_register(
    *,
    user,
    statuses: Iterable[str] = (),
    district: Locality | None = None,
    text: str = "",
) -> QuerySet[MicroEnterprise]:
    """The register (micro_enterprises_list) narrowed to `statuses`, to a district and its wards, and to those whose
    trading name or services contain `text`, as the API's filters narrow it."""
    register = micro_enterprises_list(user)
    statuses = list(statuses)
    if statuses:
        register = register.filter(status__in=statuses)
    if district is not None:
        register = register.filter(Q(locality=district) | Q(locality__parent=district))
    if text:
        register = register.filter(Q(trading_name__icontains=text) | Q(services__icontains=text))
    return register


def micro_enterprise_detail(*, user, pk: int) -> MicroEnterprise:
    """One micro-enterprise of the register a user may see, with its status history (latest first) and its
    returns (latest first); MicroEnterprise.DoesNotExist for one they may not see."""
    return (
        micro_enterprises_list(user)
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=MicroEnterpriseStatusChange.objects.select_related("created_by").order_by("-on", "-id"),
            ),
            Prefetch("returns", queryset=MicroEnterpriseReturn.objects.order_by("-from_date", "-id")),
        )
        .get(pk=pk)
    )
