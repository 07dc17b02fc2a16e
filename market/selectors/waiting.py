"""The waiting list: people (pseudonymous references) waiting for care and how they are bridged meanwhile, with
the days each has waited and whether that is a long wait (more than PENDING_WAIT_LONG_DAYS, the rule the capacity
gaps count long waits by)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from market.models import PendingArrangement


def waiting_days(pending: PendingArrangement, *, on: date) -> int:
    """Days waited by `on`, or until the wait ended if it ended before."""
    end = pending.ended_on if pending.ended_on is not None and pending.ended_on < on else on
    return max((end - pending.waiting_since).days, 0)


def wait_is_long(days: int) -> bool:
    return days > settings.PENDING_WAIT_LONG_DAYS


@dataclass(frozen=True)
class Wait:
    pending: PendingArrangement
    days: int
    long: bool


def _waits(pendings: QuerySet[PendingArrangement], *, on: date) -> list[Wait]:
    waits = []
    for pending in pendings.select_related("locality"):
        days = waiting_days(pending, on=on)
        waits.append(Wait(pending=pending, days=days, long=wait_is_long(days)))
    return waits


def waiting_list(*, on: date) -> list[Wait]:
    """Everyone waiting on `on`, longest wait first (one query)."""
    pendings = (
        PendingArrangement.objects.filter(waiting_since__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .order_by("waiting_since", "reference")
    )
    return _waits(pendings, on=on)


def waits_ended(*, on: date, days: int = 30) -> list[Wait]:
    """The waits that ended in the `days` up to `on`, latest first (one query)."""
    pendings = PendingArrangement.objects.filter(ended_on__lte=on, ended_on__gte=on - timedelta(days=days)).order_by(
        "-ended_on", "reference"
    )
    return _waits(pendings, on=on)


def waiting_now(*, pending_id: int) -> PendingArrangement | None:
    """A wait that has not ended, or None."""
    return PendingArrangement.objects.filter(pk=pending_id, ended_on__isnull=True).select_related("locality").first()
