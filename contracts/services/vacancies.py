"""Providers' vacancy reports, one at a time or as a Capacity Tracker style CSV."""

import csv
from datetime import date

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from accounts.permissions import may_act_for_provider
from config.errors import DomainError, ImportRejected
from config.uploads import csv_text_lines
from contracts.models import (
    CareType,
    VacancyReport,
)
from contracts.services.checks import require_may_act
from contracts.signals import risk_changed_send
from providers.models import Location

# --- provider vacancy reports -----------------------------------------------------------------------------


@transaction.atomic
def vacancy_report_record(
    *,
    location: Location,
    report_date: date,
    care_type: str,
    vacant_beds: int,
    accepting_admissions: bool = True,
    by=None,
) -> VacancyReport:
    require_may_act(by, location.provider_id)
    if care_type not in CareType.values:
        raise DomainError(f"Unknown care type {care_type!r}.", field="care_type")
    if vacant_beds is None or vacant_beds < 0:
        raise DomainError("Vacant beds must be zero or more.", field="vacant_beds")
    if location.registered_beds and vacant_beds > location.registered_beds:
        raise DomainError(f"The home has only {location.registered_beds} registered beds.", field="vacant_beds")
    if report_date > timezone.localdate():
        raise DomainError("A report cannot be dated in the future.", field="report_date")
    report, _ = VacancyReport.objects.update_or_create(
        location=location,
        care_type=care_type,
        report_date=report_date,
        defaults={"vacant_beds": vacant_beds, "accepting_admissions": accepting_admissions, "reported_by": by},
    )
    risk_changed_send("vacancy_report")
    return report


CARE_TYPE_BY_NAME = {**{value: value for value in CareType.values}, **{c.label.lower(): c.value for c in CareType}}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
VACANCY_COLUMNS = ["location", "date", "care_type", "vacant_beds", "accepting_admissions"]


def _records(reader: csv.DictReader):
    try:
        yield from reader
    except csv.Error as error:
        row = reader.line_num
        raise ImportRejected(
            f"The file cannot be read as CSV at row {row}; nothing was imported.",
            problems=[{"row": row, "field": None, "message": str(error)}],
        ) from None


def vacancy_reports_import(*, content: bytes | str | File, by=None) -> int:
    """Import a Capacity Tracker style CSV: location (CQC location id), date, care_type, vacant_beds,
    accepting_admissions (yes/no). Everything is checked first; nothing is written if any row is wrong. An
    uploaded file is read a line at a time (config.uploads), and only the five columns of each row are kept."""
    reader = csv.DictReader(csv_text_lines(content))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in VACANCY_COLUMNS if name not in header]
    if missing:
        raise ImportRejected(
            "The file lacks columns.", problems=[{"row": 1, "field": name, "message": "missing"} for name in missing]
        )
    rows, too_long = [], []
    for number, row in enumerate(_records(reader), start=2):
        extra = row.pop(None, None)  # the values of a row longer than the header
        if extra is not None:
            too_long.append(
                {
                    "row": number,
                    "field": None,
                    "message": f"The row has {len(header) + len(extra)} values but the header names {len(header)} "
                    "columns.",
                }
            )
        cells = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        rows.append({name: cells[name] for name in VACANCY_COLUMNS})
    if too_long:
        raise ImportRejected(f"{len(too_long)} row(s) longer than the header; nothing was imported.", problems=too_long)
    if not rows:
        raise ImportRejected("The file has no rows.")
    ids = {row["location"] for row in rows}
    locations = {loc.cqc_location_id: loc for loc in Location.objects.filter(cqc_location_id__in=ids)}
    problems, reports, seen = [], [], set()
    today = timezone.localdate()
    for number, row in enumerate(rows, start=2):

        def problem(field: str, message: str, number: int = number) -> None:
            problems.append({"row": number, "field": field, "message": message})

        location = locations.get(row["location"])
        if location is None:
            problem("location", f"Unknown CQC location id {row['location']!r}.")
        elif by is not None and not may_act_for_provider(by, location.provider_id):
            problem("location", "You may report only for your own provider's locations.")
        try:
            report_date = date.fromisoformat(row["date"])
            if report_date > today:
                problem("date", "The date is in the future.")
        except ValueError:
            report_date = None
            problem("date", f"{row['date']!r} is not a date (YYYY-MM-DD).")
        care_type = CARE_TYPE_BY_NAME.get(row["care_type"].lower())
        if care_type is None:
            problem("care_type", f"Unknown care type {row['care_type']!r}.")
        try:
            vacant = int(row["vacant_beds"])
            if vacant < 0:
                raise ValueError
        except ValueError:
            vacant = None
            problem("vacant_beds", f"{row['vacant_beds']!r} is not a whole number of beds.")
        accepting = row["accepting_admissions"].lower()
        if accepting not in YES | NO:
            problem("accepting_admissions", "Say yes or no.")
        if location and report_date and care_type and vacant is not None:
            key = (location.pk, care_type, report_date)
            if key in seen:
                problem("date", "The same location, care type and date appear twice in the file.")
            seen.add(key)
            reports.append(
                VacancyReport(
                    location=location,
                    report_date=report_date,
                    care_type=care_type,
                    vacant_beds=vacant,
                    accepting_admissions=accepting in YES,
                    reported_by=by,
                )
            )
    if problems:
        raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported.", problems=problems)
    with transaction.atomic():
        VacancyReport.objects.bulk_create(
            reports,
            update_conflicts=True,
            unique_fields=["location", "care_type", "report_date"],
            update_fields=["vacant_beds", "accepting_admissions", "reported_by"],
        )
    risk_changed_send("vacancy_report")
    return len(reports)
