"""Providers' vacancy reports, one at a time or as a Capacity Tracker style CSV."""

import csv
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from accounts.permissions import may_act_for_provider
from contracts.models import (
    CareType,
    VacancyReport,
)
from contracts.services.checks import require_may_act
from contracts.signals import risk_changed_send
from core.errors import DomainError, ImportRejected
from core.present import day, listed
from core.uploads import csv_text_lines
from providers.models import Location

# --- provider vacancy reports -----------------------------------------------------------------------------


def vacancy_report_days(*, today: date) -> tuple[date, date]:
    """The first and last day a vacancy report made on `today` may be dated: a report says what is free now, so it
    is for today or the VACANCY_REPORT_MAX_AGE_DAYS just gone (yesterday, by default), never for a day to come."""
    return today - timedelta(days=settings.VACANCY_REPORT_MAX_AGE_DAYS), today


def vacancy_report_days_words() -> str:
    """The days a report may be dated, in words: "today or yesterday" with the default setting."""
    days = settings.VACANCY_REPORT_MAX_AGE_DAYS
    if days <= 0:
        return "today"
    if days == 1:
        return "today or yesterday"
    return f"today or the {days} days before"


def _vacancy_report_problems(
    *, location: Location, report_date: date | None, care_type: str | None, vacant_beds: int | None, today: date
) -> list[tuple[str, str]]:
    """What is wrong with one report, as (field, message) pairs: the one check of a row, for a single report and
    for every row of a file. A value the file could not read is passed as None and left to the reader's message."""
    problems = []
    if care_type is not None and care_type not in CareType.values:
        problems.append(("care_type", f"Unknown care type {care_type!r}."))
    if vacant_beds is not None:
        if vacant_beds < 0:
            problems.append(("vacant_beds", "Vacant beds must be zero or more."))
        elif location.registered_beds and vacant_beds > location.registered_beds:
            problems.append(("vacant_beds", f"The home has only {location.registered_beds} registered beds."))
    earliest, latest = vacancy_report_days(today=today)
    if report_date is not None and report_date > latest:
        problems.append(("report_date", "A report cannot be dated in the future."))
    elif report_date is not None and report_date < earliest:
        problems.append(
            (
                "report_date",
                f"Vacancies are reported for {vacancy_report_days_words()}: a report dated {day(report_date)} is "
                f"too old (the earliest is {day(earliest)}).",
            )
        )
    return problems


def _vacancy_reports_save(reports: list[VacancyReport], *, by) -> list[VacancyReport]:
    """Write reports, a report for the same home, care type and day replacing the earlier one, and a history row
    for each as a save would (`+` for a new report, `~` for a replaced one, by `by`). One upsert and a few queries
    whatever the number of reports."""
    keys = {(report.location_id, report.care_type, report.report_date) for report in reports}
    same_days = VacancyReport.objects.filter(
        location_id__in={key[0] for key in keys}, report_date__in={key[2] for key in keys}
    )
    existing = {key for key in same_days.values_list("location_id", "care_type", "report_date") if key in keys}
    VacancyReport.objects.bulk_create(
        reports,
        update_conflicts=True,
        unique_fields=["location", "care_type", "report_date"],
        update_fields=["vacant_beds", "accepting_admissions", "reported_by"],
    )
    saved = {
        (report.location_id, report.care_type, report.report_date): report
        for report in same_days
        if (report.location_id, report.care_type, report.report_date) in keys
    }
    created = [report for key, report in saved.items() if key not in existing]
    replaced = [report for key, report in saved.items() if key in existing]
    VacancyReport.history.bulk_history_create(created, default_user=by)
    VacancyReport.history.bulk_history_create(replaced, update=True, default_user=by)
    return [saved[(report.location_id, report.care_type, report.report_date)] for report in reports]


@transaction.atomic
def vacancy_report_record(
    *,
    location: Location,
    report_date: date,
    care_type: str,
    vacant_beds: int,
    accepting_admissions: bool = True,
    by=None,
    today: date | None = None,
) -> VacancyReport:
    """One report. `today` is the day it is made, the council's today unless a demo or test records a report as
    it was made on an earlier day; the report's date must be that day or the few before it."""
    require_may_act(by, location.provider_id)
    if vacant_beds is None:
        raise DomainError("Vacant beds must be zero or more.", field="vacant_beds")
    problems = _vacancy_report_problems(
        location=location,
        report_date=report_date,
        care_type=care_type,
        vacant_beds=vacant_beds,
        today=today or timezone.localdate(),
    )
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    (report,) = _vacancy_reports_save(
        [
            VacancyReport(
                location=location,
                care_type=care_type,
                report_date=report_date,
                vacant_beds=vacant_beds,
                accepting_admissions=accepting_admissions,
                reported_by=by,
            )
        ],
        by=by,
    )
    risk_changed_send("vacancy_report")
    return report


CARE_TYPE_BY_NAME = {**{value: value for value in CareType.values}, **{c.label.lower(): c.value for c in CareType}}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
VACANCY_COLUMNS = ["location", "date", "care_type", "vacant_beds", "accepting_admissions"]
# A report's field named as the file's column, where the two differ.
FILE_COLUMNS = {"report_date": "date"}


NOTE = "#"  # a row whose first cell starts with this is a note for the person filling the file in


def vacancy_template_rows(*, homes: list[Location], today: date) -> list[list[str]]:
    """The rows of the CSV template a provider downloads: the header naming every column, then notes (rows whose
    first cell starts with #, skipped by the import) saying what each column holds, the allowed care types by
    label and code, and the CQC location ids of the provider's own homes."""
    earliest, latest = vacancy_report_days(today=today)
    care_types = "; ".join(f"{choice.label} ({choice.value})" for choice in CareType)
    rows = [
        VACANCY_COLUMNS,
        [f"{NOTE} Rows starting with {NOTE} are notes and are not imported. One row per home, care type and day."],
        [f"{NOTE} location: the home's CQC location id, as listed below."],
        [
            f"{NOTE} date: the day the vacancies are for, YYYY-MM-DD: {vacancy_report_days_words()} "
            f"({earliest.isoformat()} to {latest.isoformat()} today)."
        ],
        [f"{NOTE} care_type: the label or the code of one of: {care_types}."],
        [f"{NOTE} vacant_beds: the beds free for new residents on the day, a whole number, zero or more."],
        [f"{NOTE} accepting_admissions: yes or no."],
    ]
    rows += [
        [f"{NOTE} {home.cqc_location_id}: {home.name}"]
        if home.cqc_location_id
        else [f"{NOTE} {home.name} has no CQC location id: report its vacancies one at a time on the page."]
        for home in homes
    ]
    return rows


def _records(reader: csv.DictReader):
    try:
        yield from reader
    except csv.Error as error:
        row = reader.line_num
        raise ImportRejected(
            f"The file cannot be read as CSV at row {row}; nothing was imported.",
            problems=[{"row": row, "field": None, "message": str(error)}],
        ) from None


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def vacancy_reports_import(*, content: bytes | str | File, by=None) -> int:
    """Import a Capacity Tracker style CSV: location (CQC location id), date, care_type, vacant_beds,
    accepting_admissions (yes/no). Everything is checked first; nothing is written if any row is wrong. An
    uploaded file is read a line at a time (core.uploads), and only the five columns of each row are kept."""
    reader = csv.DictReader(csv_text_lines(content))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in VACANCY_COLUMNS if name not in header]
    if missing:
        raise ImportRejected(
            f"The file lacks the column{'s' if len(missing) > 1 else ''} {listed(missing)}; nothing was imported.",
            problems=[{"row": 1, "field": name, "message": f"The header has no column {name}."} for name in missing],
        )
    rows, too_long = [], []
    first_column = reader.fieldnames[0]
    for number, row in enumerate(_records(reader), start=2):
        if (row.get(first_column) or "").strip().startswith(NOTE):
            continue  # a note, as the template's lines under the header
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
        rows.append((number, {name: cells[name] for name in VACANCY_COLUMNS}))  # its row in the file, notes counted
    if too_long:
        raise ImportRejected(
            f"{_count(too_long, 'row')} longer than the header; nothing was imported.", problems=too_long
        )
    if not rows:
        raise ImportRejected("The file has no rows.")
    ids = {row["location"] for _, row in rows}
    locations = {loc.cqc_location_id: loc for loc in Location.objects.filter(cqc_location_id__in=ids)}
    problems, reports, seen = [], [], set()
    today = timezone.localdate()
    for number, row in rows:

        def problem(field: str, message: str, number: int = number) -> None:
            problems.append({"row": number, "field": field, "message": message})

        location = locations.get(row["location"])
        if location is None:
            problem("location", f"Unknown CQC location id {row['location']!r}.")
        elif by is not None and not may_act_for_provider(by, location.provider_id):
            problem("location", "You may report only for your own provider's locations.")
        try:
            report_date = date.fromisoformat(row["date"])
        except ValueError:
            report_date = None
            problem("date", f"{row['date']!r} is not a date (YYYY-MM-DD).")
        care_type = CARE_TYPE_BY_NAME.get(row["care_type"].lower())
        if care_type is None:
            problem("care_type", f"Unknown care type {row['care_type']!r}.")
        try:
            vacant = int(row["vacant_beds"])
        except ValueError:
            vacant = None
            problem("vacant_beds", f"{row['vacant_beds']!r} is not a whole number of beds.")
        accepting = row["accepting_admissions"].lower()
        if accepting not in YES | NO:
            problem("accepting_admissions", "Say yes or no.")
        if location is not None:
            for field, message in _vacancy_report_problems(
                location=location, report_date=report_date, care_type=care_type, vacant_beds=vacant, today=today
            ):
                problem(FILE_COLUMNS.get(field, field), message)
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
        raise ImportRejected(f"{_count(problems, 'problem')} in the file; nothing was imported.", problems=problems)
    with transaction.atomic():
        _vacancy_reports_save(reports, by=by)
    risk_changed_send("vacancy_report")
    return len(reports)
