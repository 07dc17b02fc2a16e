"""The free-bed state (contracts.models.FreeBedState): each bed line's beds on today, recounted by every service
that changes them, in that service's transaction, so a killed worker or request never leaves it wrong.

It is counted by contracts.selectors.bed_lines_with_voids, the one definition of void and free beds, never by a
copy. The day changes at midnight without any write (placements start and end, closures open, lines activate,
rates change), so a daily sweep rebuilds the whole state for the new day (tasks.schedules) and the bed finder
reads it only once that has happened (FreeBedStateDay)."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from contracts.models import (
    BedLine,
    FreeBedState,
    FreeBedStateDay,
    Hold,
    HoldStatus,
    live_contract,
    void_and_free,
)
from contracts.selectors.voids import bed_lines_with_voids

# What a repair compares: everything but the day the row was counted for.
COUNTED = (
    "location_id",
    "care_type",
    "contract_reference",
    "contracted_beds",
    "placed_beds",
    "closed_beds",
    "void_beds",
    "held_beds",
    "holds_expire_first",
    "weekly_rate",
)


def _counted(lines, *, now: datetime) -> dict[int, FreeBedState]:
    """The state's rows for `lines` (a BedLine queryset) on today: lines active today in a live contract."""
    on = timezone.localdate(now)
    first_expiry = (
        Hold.objects.filter(bed_line=OuterRef("pk"), status=HoldStatus.HELD, expires_at__gt=now)
        .order_by()
        .values("bed_line")
        .annotate(first=Min("expires_at"))
        .values("first")
    )
    active = lines.filter(live_contract("contract__"), activation_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    counted = bed_lines_with_voids(active.order_by(), on=on, now=now).annotate(
        holds_expire_first=Subquery(first_expiry)
    )
    rows = {}
    for line in counted.values(
        "pk",
        "location_id",
        "care_type",
        "contracted_beds",
        "placed_beds",
        "closed_beds",
        "held_beds",
        "holds_expire_first",
        "weekly_rate",
        contract_reference=F("contract__reference"),
    ):
        pk = line.pop("pk")
        rows[pk] = FreeBedState(bed_line_id=pk, on=on, void_beds=_void(line), **line)
    return rows


def _void(line: dict) -> int:
    return void_and_free(
        contracted=line["contracted_beds"], placed=line["placed_beds"], closed=line["closed_beds"], held=0
    )[0]


def _write(rows: dict[int, FreeBedState], *, scope: set[int] | None) -> None:
    gone = FreeBedState.objects.exclude(bed_line_id__in=list(rows))
    if scope is not None:
        gone = gone.filter(bed_line_id__in=list(scope))
    gone.delete()
    FreeBedState.objects.bulk_create(
        list(rows.values()),
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["bed_line"],
        update_fields=["on", *(name.removesuffix("_id") if name == "location_id" else name for name in COUNTED)],
    )


@transaction.atomic
def free_bed_state_refresh(*, lines: Iterable[int | BedLine], now: datetime | None = None) -> None:
    """Recount the state of `lines` (bed lines or their ids) for today, inside the caller's transaction. Every
    service that changes placements, holds, closures, rates, bed lines or contracts calls it last."""
    ids = {line.pk if isinstance(line, BedLine) else line for line in lines if line is not None}
    if not ids:
        return
    # Lock the lines (in one order) so a rebuild for the new day and this recount are settled one after the other.
    locked = set(BedLine.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    _write(_counted(BedLine.objects.filter(pk__in=locked), now=now or timezone.now()), scope=ids)


def free_bed_state_rebuild(*, now: datetime | None = None, batch: int = 900) -> dict[str, int | bool]:
    """Count the whole state afresh for today, write what differs and mark it as today's. Returns how many lines
    it counted and how many rows were missing, wrong (beyond the day they were counted for) or left over: after
    the daily rebuild the last two are 0 unless something wrote placements, holds, closures, rates, bed lines or
    contracts without their service.

    Lines are counted `batch` at a time (within SQLite's 999 parameters), each batch locked and written in its own
    transaction, so brokers wait for one batch at most, never for the whole estate. Rows of a batch not yet done
    may still be yesterday's, which is why the state is marked as today's only at the end (a service's own recount
    in between is today's already)."""
    now = now or timezone.now()
    day = FreeBedStateDay.objects.filter(pk=1).values_list("on", flat=True).first()
    ids = list(BedLine.objects.order_by("pk").values_list("pk", flat=True))
    report = {"lines": 0, "missing": 0, "wrong": 0, "left_over": 0}
    for first in range(0, len(ids), batch):
        with transaction.atomic():
            chunk = set(ids[first : first + batch])
            locked = BedLine.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
            rows = _counted(BedLine.objects.filter(pk__in=list(locked.values_list("pk", flat=True))), now=now)
            kept = {state.bed_line_id: state for state in FreeBedState.objects.filter(bed_line_id__in=chunk)}
            report["lines"] += len(rows)
            report["missing"] += sum(pk not in kept for pk in rows)
            report["left_over"] += sum(pk not in rows for pk in kept)
            report["wrong"] += sum(
                pk in kept and any(getattr(row, name) != getattr(kept[pk], name) for name in COUNTED)
                for pk, row in rows.items()
            )
            _write(rows, scope=chunk)
    FreeBedStateDay.objects.update_or_create(pk=1, defaults={"on": timezone.localdate(now), "rebuilt_at": now})
    # Rows counted for an earlier day differ because the day changed, not because a write was missed.
    return {**report, "was_for_today": day == timezone.localdate(now)}
