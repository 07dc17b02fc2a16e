"""Demand writes: need by locality, care type and period, and pending arrangements (people waiting for care),
one at a time or as a CSV file. A file is checked whole first and written in one transaction only if every
row is right; otherwise ImportRejected lists each problem with its row and column and nothing is written."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from contracts.services.checks import dates_ordered, reference_validate
from core.errors import Conflict, DomainError, ImportRejected
from core.uploads import csv_text_lines
from core.writes import UNCHANGED, given
from geo.models import Locality, LocalityKind
from market.models import Bridging, Demand, DemandCareType, DemandSource, PendingArrangement, PendingOutcome
from market.models.demand import HOMECARE_HOURS
from market.signals import risk_changed_send

LOCALITY_KINDS = (LocalityKind.DISTRICT, LocalityKind.WARD)
DEMAND_FIELDS = ("locality", "care_type", "period_start", "period_end", "quantity", "source", "notes")
PENDING_FIELDS = (
    "reference",
    "locality",
    "care_type",
    "hours_per_week",
    "waiting_since",
    "bridging",
    "ended_on",
    "outcome",
    "notes",
)


# --- checks shared by single writes and imports -------------------------------------------------------------


def _choice(value: str, choices, *, field: str, what: str) -> str:
    if value not in choices.values:
        raise DomainError(
            f"Unknown {what} {value!r}; {what}s are {', '.join(v for v in choices.values if v)}.", field=field
        )
    return value


def _locality_check(locality: Locality) -> None:
    if locality.kind not in LOCALITY_KINDS:
        raise DomainError(f"{locality.code} is a {locality.kind}: give a district or a ward.", field="locality")


def _demand_check(demand: Demand) -> None:
    _locality_check(demand.locality)
    _choice(demand.care_type, DemandCareType, field="care_type", what="care type")
    _choice(demand.source, DemandSource, field="source", what="source")
    dates_ordered(demand.period_start, demand.period_end, end_field="period_end", start_name="period start")
    if demand.quantity is None or demand.quantity < 0:
        raise DomainError("The quantity is zero or more (beds, or hours a week for homecare).", field="quantity")
    _digits(demand.quantity, field="quantity", below=10**8, places=1)


def _digits(value: Decimal, *, field: str, below: int, places: int) -> None:
    """What the column holds: less than `below`, with at most `places` decimal places."""
    if value >= below or value.as_tuple().exponent < -places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(f"Give a number below {below:,} with at most {places} decimal place(s).", field=field)


def _overlapping(queryset, *, start: date, end: date):
    return queryset.filter(period_start__lte=end, period_end__gte=start)


def _no_overlap(demand: Demand) -> None:
    clash = _overlapping(
        Demand.objects.filter(locality=demand.locality, care_type=demand.care_type, source=demand.source),
        start=demand.period_start,
        end=demand.period_end,
    ).exclude(pk=demand.pk)
    found = clash.first()
    if found is not None:
        raise Conflict(
            f"{demand.locality.code} already has {demand.get_source_display().lower()} {demand.care_type} demand "
            f"from {found.period_start} to {found.period_end}, which overlaps this period.",
            field="period_start",
        )


def _lock(locality: Locality) -> None:
    # Writes for one locality are settled one after the other, so two overlapping periods cannot both pass.
    Locality.objects.select_for_update().filter(pk=locality.pk).first()


# --- demand -------------------------------------------------------------------------------------------------


@transaction.atomic
def demand_create(
    *,
    locality: Locality,
    care_type: str,
    period_start: date,
    period_end: date,
    quantity: Decimal,
    source: str = DemandSource.ENTERED,
    notes: str = "",
    by=None,
) -> Demand:
    demand = Demand(
        locality=locality,
        care_type=care_type,
        period_start=period_start,
        period_end=period_end,
        quantity=quantity,
        source=source,
        notes=notes,
        created_by=by,
    )
    _demand_check(demand)
    _lock(locality)
    _no_overlap(demand)
    demand.save()
    risk_changed_send("demand")
    return demand


@transaction.atomic
def demand_update(
    *,
    demand: Demand,
    locality: Locality = UNCHANGED,
    care_type: str = UNCHANGED,
    period_start: date = UNCHANGED,
    period_end: date = UNCHANGED,
    quantity: Decimal = UNCHANGED,
    source: str = UNCHANGED,
    notes: str = UNCHANGED,
    by=None,
) -> Demand:
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    changes = given(
        locality=locality,
        care_type=care_type,
        period_start=period_start,
        period_end=period_end,
        quantity=quantity,
        source=source,
        notes=notes,
    )
    for name, value in changes.items():
        setattr(demand, name, value)
    _demand_check(demand)
    _lock(demand.locality)
    _no_overlap(demand)
    demand.save(update_fields=[*changes, "updated_at"])
    risk_changed_send("demand")
    return demand


@transaction.atomic
def demand_delete(*, demand: Demand, by=None) -> None:
    Demand.objects.filter(pk=demand.pk).delete()
    risk_changed_send("demand")


# --- pending arrangements -----------------------------------------------------------------------------------


def _pending_check(pending: PendingArrangement) -> None:
    pending.reference = reference_validate(pending.reference)
    _locality_check(pending.locality)
    _choice(pending.care_type, DemandCareType, field="care_type", what="care type")
    _choice(pending.bridging, Bridging, field="bridging", what="bridging")
    _choice(pending.outcome or "", PendingOutcome, field="outcome", what="outcome")
    dates_ordered(pending.waiting_since, pending.ended_on, end_field="ended_on", start_name="wait's start")
    if pending.ended_on and not pending.outcome:
        raise DomainError("Say how the wait ended (outcome) when it has an end date.", field="outcome")
    if pending.outcome and not pending.ended_on:
        raise DomainError("A wait with an outcome has ended: give the day it ended.", field="ended_on")
    if pending.care_type == HOMECARE_HOURS:
        if pending.hours_per_week is None:
            raise DomainError("Give the hours a week of homecare the person needs.", field="hours_per_week")
        if pending.hours_per_week < 0:
            raise DomainError("Hours a week are zero or more.", field="hours_per_week")
        _digits(pending.hours_per_week, field="hours_per_week", below=10**4, places=2)
    elif pending.hours_per_week is not None:
        raise DomainError("Hours a week are for homecare only; a bed is one bed.", field="hours_per_week")


def _one_open_wait(pending: PendingArrangement) -> None:
    if pending.ended_on is not None:
        return
    clash = PendingArrangement.objects.filter(reference=pending.reference, ended_on__isnull=True).exclude(pk=pending.pk)
    if clash.exists():
        raise Conflict(f"{pending.reference} is already waiting for care; end that wait first.", field="reference")


@transaction.atomic
def pending_create(
    *,
    reference: str,
    locality: Locality,
    care_type: str,
    waiting_since: date,
    bridging: str = Bridging.NONE,
    hours_per_week: Decimal | None = None,
    ended_on: date | None = None,
    outcome: str = "",
    notes: str = "",
    by=None,
) -> PendingArrangement:
    pending = PendingArrangement(
        reference=reference,
        locality=locality,
        care_type=care_type,
        hours_per_week=hours_per_week,
        waiting_since=waiting_since,
        bridging=bridging,
        ended_on=ended_on,
        outcome=outcome or "",
        notes=notes,
        created_by=by,
    )
    _pending_check(pending)
    _one_open_wait(pending)
    pending.save()
    risk_changed_send("demand")
    return pending


@transaction.atomic
def pending_update(
    *,
    pending: PendingArrangement,
    reference: str = UNCHANGED,
    locality: Locality = UNCHANGED,
    care_type: str = UNCHANGED,
    hours_per_week: Decimal | None = UNCHANGED,
    waiting_since: date = UNCHANGED,
    bridging: str = UNCHANGED,
    ended_on: date | None = UNCHANGED,
    outcome: str = UNCHANGED,
    notes: str = UNCHANGED,
    by=None,
) -> PendingArrangement:
    pending = PendingArrangement.objects.select_for_update().get(pk=pending.pk)
    changes = given(
        reference=reference,
        locality=locality,
        care_type=care_type,
        hours_per_week=hours_per_week,
        waiting_since=waiting_since,
        bridging=bridging,
        ended_on=ended_on,
        outcome=outcome,
        notes=notes,
    )
    for name, value in changes.items():
        setattr(pending, name, value if value is not None or name != "outcome" else "")
    _pending_check(pending)
    _one_open_wait(pending)
    pending.save(update_fields=[*changes, "reference", "updated_at"] if changes else ["updated_at"])
    risk_changed_send("demand")
    return pending


@transaction.atomic
def pending_delete(*, pending: PendingArrangement, by=None) -> None:
    PendingArrangement.objects.filter(pk=pending.pk).delete()
    risk_changed_send("demand")


# --- CSV imports --------------------------------------------------------------------------------------------

DEMAND_COLUMNS = ["locality", "care_type", "period_start", "period_end", "quantity"]
DEMAND_OPTIONAL = ["source", "notes"]
PENDING_COLUMNS = ["reference", "locality", "care_type", "waiting_since"]
PENDING_OPTIONAL = ["bridging", "hours_per_week", "ended_on", "outcome", "notes"]


def _csv_rows(content: bytes | str | File, *, required: list[str], optional: list[str]) -> list[tuple[int, dict]]:
    """The rows of a CSV file as (row number, {column: text}); the header is row 1. A file that cannot be read,
    lacks a column, names one we do not know, or has a row longer than its header is rejected whole."""
    reader = csv.reader(csv_text_lines(content))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise ImportRejected(
            "The file cannot be read as CSV at row 1.", problems=[{"row": 1, "field": None, "message": str(error)}]
        ) from None
    if not any(cell.strip() for cell in header):
        raise ImportRejected("The file is empty.", problems=[{"row": 1, "field": None, "message": "No header."}])
    header = [cell.strip().lower() for cell in header]
    problems = [
        {"row": 1, "field": name, "message": "This column is missing."} for name in required if name not in header
    ]
    problems += [
        {"row": 1, "field": name, "message": f"Unknown column; columns are {', '.join(required + optional)}."}
        for name in header
        if name not in required + optional
    ]
    rows = []
    for number, cells in _records(reader):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets often leave at the end
        if len(cells) > len(header):
            problems.append(
                {
                    "row": number,
                    "field": None,
                    "message": f"The row has {len(cells)} values but the header names {len(header)} columns.",
                }
            )
            continue
        rows.append((number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}))
    if problems:
        raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported.", problems=problems)
    if not rows:
        raise ImportRejected(
            "The file has a header but no rows.", problems=[{"row": 2, "field": None, "message": "No rows."}]
        )
    return rows


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """The records after the header, numbered as rows from 2; a file csv cannot read is rejected at its row."""
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportRejected(
                f"The file cannot be read as CSV at row {number + 1}.",
                problems=[{"row": number + 1, "field": None, "message": str(error)}],
            ) from None
        number += 1
        yield number, cells


class _Row:
    """One row being read: each parser notes a problem against its column and returns None."""

    def __init__(self, number: int, cells: dict, problems: list[dict]):
        self.number, self.cells, self.problems = number, cells, problems

    def problem(self, field: str | None, message: str) -> None:
        self.problems.append({"row": self.number, "field": field, "message": message})

    def text(self, name: str) -> str:
        return self.cells.get(name, "")

    def parsed(self, name: str, parse: Callable, message: str, *, required: bool = True):
        value = self.text(name)
        if not value:
            if required:
                self.problem(name, "This value is missing.")
            return None
        try:
            return parse(value)
        except (ValueError, InvalidOperation):
            self.problem(name, message.format(value=value))
            return None

    def locality(self, localities: dict[str, Locality]) -> Locality | None:
        code = self.text("locality").upper()
        if not code:
            self.problem("locality", "This value is missing.")
            return None
        found = localities.get(code)
        if found is None:
            self.problem("locality", f"No district or ward has the code {code!r}.")
        return found

    def choice(self, name: str, choices, *, default: str | None = None) -> str | None:
        value = self.text(name).lower()
        if not value and default is not None:
            return default
        by_label = {label.lower(): key for key, label in choices.choices}
        found = value if value in choices.values else by_label.get(value)
        if found is None or (found == "" and default is None):
            self.problem(
                name, f"Unknown value {self.text(name)!r}; use one of {', '.join(v for v in choices.values if v)}."
            )
            return None
        return found

    def checked(self, instance, check: Callable):
        """The row's object, checked by the same rules as a single write (a DomainError names its column)."""
        try:
            check(instance)
        except DomainError as error:
            self.problem(error.field, error.message)
            return None
        return instance


def _localities(rows: list[tuple[int, dict]]) -> dict[str, Locality]:
    codes = {cells.get("locality", "").upper() for _, cells in rows}
    return {locality.code: locality for locality in Locality.objects.filter(code__in=codes, kind__in=LOCALITY_KINDS)}


def _quantity(value: str) -> Decimal:
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError
    return number


def demand_import(*, content: bytes | str | File, by=None) -> int:
    """Import need from a CSV: locality (district or ward code), care_type, period_start, period_end (YYYY-MM-DD),
    quantity, and optionally source (forecast, the default, or entered) and notes. A period that overlaps
    another of the same locality, care type and source, in the file or already recorded, is refused."""
    rows = _csv_rows(content, required=DEMAND_COLUMNS, optional=DEMAND_OPTIONAL)
    localities = _localities(rows)
    problems: list[dict] = []
    found: list[tuple[_Row, Demand]] = []
    for number, cells in rows:
        row = _Row(number, cells, problems)
        locality = row.locality(localities)
        care_type = row.choice("care_type", DemandCareType)
        start = row.parsed("period_start", date.fromisoformat, "{value!r} is not a date (YYYY-MM-DD).")
        end = row.parsed("period_end", date.fromisoformat, "{value!r} is not a date (YYYY-MM-DD).")
        quantity = row.parsed("quantity", _quantity, "{value!r} is not a number.")
        source = row.choice("source", DemandSource, default=DemandSource.FORECAST)
        if None in (locality, care_type, start, end, quantity, source):
            continue
        demand = row.checked(
            Demand(
                locality=locality,
                care_type=care_type,
                period_start=start,
                period_end=end,
                quantity=quantity,
                source=source,
                notes=cells.get("notes", ""),
                created_by=by,
            ),
            _demand_check,
        )
        if demand is not None:
            found.append((row, demand))
    _overlaps_in_file(found)
    with transaction.atomic():
        for locality in sorted({demand.locality_id for _, demand in found}):
            Locality.objects.select_for_update().filter(pk=locality).first()
        _overlaps_recorded(found)
        if problems:
            raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported.", problems=problems)
        bulk_create_with_history([demand for _, demand in found], Demand, default_user=by)
    if found:
        risk_changed_send("demand")
    return len(found)


def _overlaps_in_file(found: list[tuple[_Row, Demand]]) -> None:
    seen: dict[tuple, list[tuple[int, Demand]]] = {}
    for row, demand in found:
        key = (demand.locality_id, demand.care_type, demand.source)
        for other_number, other in seen.get(key, []):
            if other.period_start <= demand.period_end and other.period_end >= demand.period_start:
                row.problem(
                    "period_start",
                    f"The period overlaps row {other_number}'s for the same locality, care type and source.",
                )
                break
        seen.setdefault(key, []).append((row.number, demand))


def _overlaps_recorded(found: list[tuple[_Row, Demand]]) -> None:
    """One query for the recorded periods that any row could overlap."""
    if not found:
        return
    condition = Q()
    for _, demand in found:
        condition |= Q(locality_id=demand.locality_id, care_type=demand.care_type, source=demand.source)
    first = min(demand.period_start for _, demand in found)
    last = max(demand.period_end for _, demand in found)
    recorded = list(_overlapping(Demand.objects.filter(condition), start=first, end=last))
    for row, demand in found:
        for other in recorded:
            if (
                (other.locality_id, other.care_type, other.source)
                == (demand.locality_id, demand.care_type, demand.source)
                and other.period_start <= demand.period_end
                and other.period_end >= demand.period_start
            ):
                row.problem(
                    "period_start",
                    f"The period overlaps the recorded one from {other.period_start} to {other.period_end}.",
                )
                break


def pending_import(*, content: bytes | str | File, by=None) -> int:
    """Import pending arrangements from a CSV: reference, locality, care_type, waiting_since, and optionally
    bridging (reablement, block_car, interim_bed, none), hours_per_week (homecare), ended_on, outcome, notes."""
    rows = _csv_rows(content, required=PENDING_COLUMNS, optional=PENDING_OPTIONAL)
    localities = _localities(rows)
    problems: list[dict] = []
    found: list[tuple[_Row, PendingArrangement]] = []
    for number, cells in rows:
        row = _Row(number, cells, problems)
        locality = row.locality(localities)
        care_type = row.choice("care_type", DemandCareType)
        since = row.parsed("waiting_since", date.fromisoformat, "{value!r} is not a date (YYYY-MM-DD).")
        ended = row.parsed("ended_on", date.fromisoformat, "{value!r} is not a date (YYYY-MM-DD).", required=False)
        hours = row.parsed("hours_per_week", _quantity, "{value!r} is not a number.", required=False)
        bridging = row.choice("bridging", Bridging, default=Bridging.NONE)
        outcome = row.choice("outcome", PendingOutcome, default="") if row.text("outcome") else ""
        reference = row.text("reference")
        if not reference:
            row.problem("reference", "This value is missing.")
        if None in (locality, care_type, since, bridging, outcome) or not reference:
            continue
        if row.text("ended_on") and ended is None or row.text("hours_per_week") and hours is None:
            continue
        pending = row.checked(
            PendingArrangement(
                reference=reference,
                locality=locality,
                care_type=care_type,
                hours_per_week=hours,
                waiting_since=since,
                bridging=bridging,
                ended_on=ended,
                outcome=outcome,
                notes=cells.get("notes", ""),
                created_by=by,
            ),
            _pending_check,
        )
        if pending is not None:
            found.append((row, pending))
    waiting: dict[str, int] = {}
    for row, pending in found:
        if pending.ended_on is None:
            if pending.reference in waiting:
                row.problem("reference", f"{pending.reference} is already waiting in row {waiting[pending.reference]}.")
            waiting.setdefault(pending.reference, row.number)
    with transaction.atomic():
        already = set(
            PendingArrangement.objects.filter(reference__in=list(waiting), ended_on__isnull=True).values_list(
                "reference", flat=True
            )
        )
        for row, pending in found:
            if pending.ended_on is None and pending.reference in already:
                row.problem("reference", f"{pending.reference} is already waiting for care; end that wait first.")
        if problems:
            raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported.", problems=problems)
        bulk_create_with_history([pending for _, pending in found], PendingArrangement, default_user=by)
    if found:
        risk_changed_send("demand")
    return len(found)
