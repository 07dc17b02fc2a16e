"""Weekly rates of bed lines: the latest RateChange effective by a date."""

from datetime import date
from decimal import Decimal

from django.db.models import (
    F,
    OuterRef,
    Subquery,
)

from contracts.models import (
    BedLine,
    RateChange,
)

# --- rates ------------------------------------------------------------------------------------------------


def rate_subquery(on: date | F, *, line_ref: str = "pk") -> Subquery:
    """The weekly rate of the outer bed line on `on`: the latest RateChange effective by then."""
    return Subquery(
        RateChange.objects.filter(bed_line=OuterRef(line_ref), effective_from__lte=on)
        .order_by("-effective_from")
        .values("weekly_rate")[:1]
    )


def rate_on(*, bed_line: BedLine, on: date) -> Decimal | None:
    change = bed_line.rate_changes.filter(effective_from__lte=on).order_by("-effective_from").first()
    return change.weekly_rate if change else None


def rate_history(*, bed_line: BedLine) -> list[RateChange]:
    """A line's rates from the first, each with the rate it replaced (`previous_rate`, None for the first) and the
    person who recorded it: one query."""
    changes = list(bed_line.rate_changes.select_related("created_by").order_by("effective_from", "pk"))
    previous = None
    for change in changes:
        change.previous_rate = previous
        previous = change.weekly_rate
    return changes
