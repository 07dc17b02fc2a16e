"""A broker's holds: the beds they are holding for people, soonest to lapse first."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from contracts.models import Hold, HoldStatus, Placement


def holds_active_of(*, user, now: datetime | None = None) -> QuerySet[Hold]:
    """The holds `user` made that still count (held, not yet expired), with the home and contract they are on."""
    return (
        Hold.objects.filter(created_by=user, status=HoldStatus.HELD, expires_at__gt=now or timezone.now())
        .select_related("bed_line__location__provider", "bed_line__contract")
        .order_by("expires_at", "pk")
    )


def hold_of(*, user, hold_id: int) -> Hold | None:
    """One of `user`'s own holds, whatever its status; None for anyone else's."""
    return (
        Hold.objects.filter(created_by=user, pk=hold_id)
        .select_related("bed_line__location__provider", "bed_line__contract", "placement")
        .first()
    )


def person_record(*, reference: str) -> dict:
    """What brokerage knows of one person (a pseudonymous reference): their placements, current first then past,
    and every hold made for them, newest first. Nothing else about them is stored."""
    placements = list(
        Placement.objects.filter(reference=reference)
        .select_related("location__provider", "bed_line__contract", "provider", "home_ward")
        .order_by("-start_date", "-pk")
    )
    holds = list(
        Hold.objects.filter(reference=reference)
        .select_related("bed_line__location", "bed_line__contract", "placement")
        .order_by("-created_at", "-pk")
    )
    return {"placements": placements, "holds": holds}
