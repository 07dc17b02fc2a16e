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
