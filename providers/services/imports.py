"""CQC file imports: the "care directory with ratings" CSV and the "latest ratings" sheet (CSV or XLSX).

Both are validated whole before anything is written: a file that is not the expected format is rejected
with nothing written (ImportRejected); rows that cannot be read are reported with their row number and
reason, and every other row is written in one transaction with bulk upserts (a few queries per thousand
rows, never one per row). Row numbers are the file's own line (CSV) or sheet row (XLSX) numbers.
"""

import csv
import io
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from core.errors import ImportRejected
from providers.models import RatingValue
from providers.services.ratings import QUESTION_NAMES, RatingInput, ratings_record
from providers.services.register import locations_upsert, providers_upsert

CQC_ID = re.compile(r"^1-\d{5,}$")
HEADER_SEARCH_ROWS = 10
DIRECTORY = "directory"
RATINGS = "ratings"

# Short service type names used in the directory, and CQC's formal names the API gives.
SERVICE_TYPE_NAMES = {
    "nursing homes": "Care home service with nursing",
    "residential homes": "Care home service without nursing",
    "homecare agencies": "Domiciliary care service",
    "supported living": "Supported living service",
    "extra care housing": "Extra Care housing services",
    "shared lives": "Shared Lives",
}
CARE_HOME_TYPES = {"Care home service with nursing", "Care home service without nursing"}

DIRECTORY_COLUMNS = {
    "name": "name",
    "also known as": "also_known_as",
    "address": "address",
    "postcode": "postcode",
    "service types": "service_types",
    "date of latest check": "latest_check",
    "specialisms/services": "specialisms",
    "provider name": "provider_name",
    "local authority": "local_authority",
    "region": "region",
    "cqc location id (for office use only)": "location_id",
    "cqc provider id (for office use only)": "provider_id",
    "latest overall rating": "overall",
}
DIRECTORY_REQUIRED = ("name", "location_id", "provider_id", "provider_name")

RATINGS_COLUMNS = {
    "location id": "location_id",
    "location name": "location_name",
    "care home?": "care_home",
    "location type": "location_type",
    "location local authority": "local_authority",
    "location region": "region",
    "location post code": "postcode",
    "location postcode": "postcode",
    "service / population group": "group",
    "domain": "domain",
    "latest rating": "rating",
    "publication date": "published",
    "provider id": "provider_id",
    "provider name": "provider_name",
}
RATINGS_REQUIRED = ("location_id", "location_name", "domain", "rating", "provider_id")


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    # Ratings sheet rows that rate one service or population group of a location (hospital services, a GP's
    # older patients), not the location itself.
    service_rows: int = 0
    providers_created: int = 0
    providers_updated: int = 0
    locations_created: int = 0
    locations_updated: int = 0
    locations_unchanged: int = 0
    ratings_created: int = 0
    ratings_updated: int = 0
    rating_changes: int = 0
    rejected: list[dict] = field(default_factory=list)

    @property
    def written(self) -> int:
        return (
            self.providers_created
            + self.providers_updated
            + self.locations_created
            + self.locations_updated
            + self.ratings_created
            + self.ratings_updated
            + self.rating_changes
        )


# --- reading files --------------------------------------------------------------------------------------


def _normal(cell) -> str:
    return re.sub(r"\s+", " ", str(cell or "")).strip().lower()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for row in reader:
            line = reader.line_num
            yield line, row
    except csv.Error as exc:
        # An unclosed quote swallows the rest of the file into one cell: the file as a whole is unreadable.
        # The row at fault starts on the line after the last one read whole.
        raise ImportRejected(
            f"The file cannot be read as CSV at line {line + 1} ({exc}).",
            problems=[{"row": line + 1, "field": None, "message": str(exc)}],
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; all mean "not a spreadsheet"
        raise ImportRejected(f"The file could not be read as a spreadsheet ({type(exc).__name__}).") from exc
    # The ratings workbook has a Locations sheet and a Providers sheet (and sometimes notes): take the first
    # sheet whose header mentions locations and domains.
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            head = []
            for number, row in enumerate(rows, start=1):
                head.append((number, list(row)))
                if number >= HEADER_SEARCH_ROWS:
                    break
            if _find_header(head, RATINGS_COLUMNS, ("location_id", "domain")) is not None:
                yield from head
                yield from ((number, list(row)) for number, row in enumerate(rows, start=len(head) + 1))
                return
    finally:
        workbook.close()


def _find_header(rows: list[tuple[int, list]], columns: dict, needed: Iterable[str]) -> tuple[int, dict] | None:
    for index, (_, row) in enumerate(rows):
        mapping = {}
        for position, cell in enumerate(row):
            key = columns.get(_normal(cell))
            if key and key not in mapping:
                mapping[key] = position
        if all(name in mapping for name in needed):
            return index, mapping
    return None


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|;]", value or "") if part.strip()]


def detect_kind(path: Path, data: bytes) -> str:
    if path.suffix.lower() in (".xlsx", ".xlsm") or data[:2] == b"PK":
        return RATINGS
    head = list(itertools.islice(_csv_rows(data), HEADER_SEARCH_ROWS))
    if _find_header(head, RATINGS_COLUMNS, RATINGS_REQUIRED) is not None:
        return RATINGS
    if _find_header(head, DIRECTORY_COLUMNS, DIRECTORY_REQUIRED) is not None:
        return DIRECTORY
    # Telling someone who meant a ratings sheet that the file "is not a care directory" would mislead.
    raise ImportRejected(
        f"{path.name} is neither a CQC care directory nor a latest ratings sheet: none of its first "
        f"{HEADER_SEARCH_ROWS} lines is a header with the columns {_headings(DIRECTORY_COLUMNS, DIRECTORY_REQUIRED)} "
        f"or {_headings(RATINGS_COLUMNS, RATINGS_REQUIRED)} (in any letter case).",
        problems=[{"row": None, "field": None, "message": "header row not found"}],
    )


# --- the imports ----------------------------------------------------------------------------------------


def cqc_file_import(*, path: str | Path, kind: str | None = None, progress: bool = False) -> ImportReport:
    """Import a CQC directory CSV or latest-ratings CSV/XLSX; `kind` is detected from the header if not given."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRejected(f"Cannot read {path}: {exc.strerror}.") from exc
    if not data.strip():
        raise ImportRejected(f"{path.name} is empty.")
    kind = kind or detect_kind(path, data)
    if kind == DIRECTORY:
        return directory_import(data=data, name=path.name, progress=progress)
    if kind == RATINGS:
        is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm") or data[:2] == b"PK"
        return ratings_sheet_import(data=data, name=path.name, xlsx=is_xlsx, progress=progress)
    raise ImportRejected(f"Unknown kind of CQC file {kind!r}: use {DIRECTORY!r} or {RATINGS!r}.")


def _headings(columns: dict, required: Iterable[str]) -> str:
    return ", ".join(repr(heading) for heading, key in columns.items() if key in required)


def _header_or_reject(rows: list[tuple[int, list]], columns: dict, required, name: str, what: str):
    found = _find_header(rows, columns, required)
    if found is None:
        raise ImportRejected(
            f"{name} is not a CQC {what}: none of its first {HEADER_SEARCH_ROWS} lines is a header with the "
            f"columns {_headings(columns, required)} (in any letter case).",
            problems=[{"row": None, "field": None, "message": "header row not found"}],
        )
    return found


def _progress(rows: Iterable, *, enabled: bool, total: int | None, label: str) -> Iterable:
    return tqdm(rows, total=total, desc=label, unit=" rows", disable=not enabled, leave=False)


def directory_import(*, data: bytes, name: str = "file", progress: bool = False) -> ImportReport:
    report = ImportReport(kind=DIRECTORY)
    rows = list(_csv_rows(data))
    header_index, columns = _header_or_reject(
        rows[:HEADER_SEARCH_ROWS], DIRECTORY_COLUMNS, DIRECTORY_REQUIRED, name, "care directory"
    )

    providers: dict[str, dict] = {}
    locations: dict[str, dict] = {}
    ratings: dict[str, tuple[str, date | None]] = {}

    def cell(row, key):
        position = columns.get(key)
        return row[position].strip() if position is not None and position < len(row) else ""

    body = rows[header_index + 1 :]
    for line, row in _progress(body, enabled=progress, total=len(body), label="Reading directory"):
        if not any(part.strip() for part in row):
            continue
        report.rows += 1
        problem = None
        location_id, provider_id = cell(row, "location_id"), cell(row, "provider_id")
        if not CQC_ID.match(location_id):
            problem = ("CQC Location ID", f"{location_id!r} is not a CQC location id (like 1-1000000001)")
        elif not CQC_ID.match(provider_id):
            problem = ("CQC Provider ID", f"{provider_id!r} is not a CQC provider id (like 1-101634239)")
        elif not cell(row, "name"):
            problem = ("Name", "the name is empty")
        elif not cell(row, "provider_name"):
            problem = ("Provider name", "the provider name is empty")
        elif location_id in locations:
            problem = ("CQC Location ID", f"{location_id} appears twice in the file")
        overall, checked = cell(row, "overall"), None
        if problem is None and overall and overall not in RatingValue.values:
            problem = ("Latest overall rating", f"{overall!r} is not a CQC rating")
        if problem is None:
            try:
                checked = _parse_date(cell(row, "latest_check"))
            except ValueError:
                problem = ("Date of latest check", f"{cell(row, 'latest_check')!r} is not a date (dd/mm/yyyy)")
        if problem is not None:
            report.rejected.append({"row": line, "field": problem[0], "message": problem[1]})
            continue
        service_types = [SERVICE_TYPE_NAMES.get(t.lower(), t) for t in _split(cell(row, "service_types"))]
        providers[provider_id] = {"cqc_provider_id": provider_id, "name": cell(row, "provider_name")[:300]}
        locations[location_id] = {
            "cqc_location_id": location_id,
            "provider_cqc_id": provider_id,
            "name": cell(row, "name")[:300],
            "address_line_1": cell(row, "address")[:300],
            "postcode": cell(row, "postcode"),
            "local_authority": cell(row, "local_authority")[:100],
            "region": cell(row, "region")[:100],
            "service_types": service_types,
            "specialisms": _split(cell(row, "specialisms")),
            "care_home": any(t in CARE_HOME_TYPES for t in service_types),
        }
        if overall:
            ratings[location_id] = (overall, checked)
    if report.rows == 0:
        raise ImportRejected(f"{name} has a header but no rows.")
    _write(report, providers, locations, ratings, source="cqc_directory")
    return report


def ratings_sheet_import(
    *, data: bytes, name: str = "file", xlsx: bool = False, progress: bool = False
) -> ImportReport:
    report = ImportReport(kind=RATINGS)
    rows = list(_xlsx_rows(data)) if xlsx else list(_csv_rows(data))
    header_index, columns = _header_or_reject(
        rows[:HEADER_SEARCH_ROWS], RATINGS_COLUMNS, RATINGS_REQUIRED, name, "latest ratings sheet"
    )

    def cell(row, key):
        position = columns.get(key)
        if position is None or position >= len(row) or row[position] is None:
            return ""
        value = row[position]
        return value if isinstance(value, date | datetime) else str(value).strip()

    per_location: dict[str, dict] = defaultdict(lambda: {"lines": [], "questions": {}})
    body = rows[header_index + 1 :]
    for line, row in _progress(body, enabled=progress, total=len(body), label="Reading ratings"):
        if not any(str(part or "").strip() for part in row):
            continue
        report.rows += 1
        if _normal(cell(row, "group")) not in ("", "overall"):
            report.service_rows += 1
            continue
        location_id, provider_id = str(cell(row, "location_id")), str(cell(row, "provider_id"))
        domain = QUESTION_NAMES.get(_normal(cell(row, "domain")))
        value = str(cell(row, "rating"))
        problem, published = None, None
        if not CQC_ID.match(location_id):
            problem = ("Location ID", f"{location_id!r} is not a CQC location id")
        elif not CQC_ID.match(provider_id):
            problem = ("Provider ID", f"{provider_id!r} is not a CQC provider id")
        elif domain is None:
            problem = ("Domain", f"{cell(row, 'domain')!r} is not Overall or a key question")
        elif value not in RatingValue.values:
            problem = ("Latest Rating", f"{value!r} is not a CQC rating")
        else:
            try:
                published = _parse_date(cell(row, "published"))
            except ValueError:
                problem = ("Publication Date", f"{cell(row, 'published')!r} is not a date (dd/mm/yyyy)")
        if problem is None and domain in per_location[location_id]["questions"]:
            problem = ("Domain", f"{location_id} has two {cell(row, 'domain')} rows")
        if problem is not None:
            report.rejected.append({"row": line, "field": problem[0], "message": problem[1]})
            continue
        entry = per_location[location_id]
        entry["lines"].append(line)
        entry["questions"][domain] = (value, published)
        if domain == "overall" or "location" not in entry:
            care_home = _normal(cell(row, "care_home"))
            entry["provider"] = {"cqc_provider_id": provider_id, "name": str(cell(row, "provider_name"))[:300]}
            entry["location"] = {
                "cqc_location_id": location_id,
                "provider_cqc_id": provider_id,
                "name": str(cell(row, "location_name"))[:300],
                "location_type": str(cell(row, "location_type"))[:100],
                "local_authority": str(cell(row, "local_authority"))[:100],
                "region": str(cell(row, "region"))[:100],
                **({"care_home": care_home in ("y", "yes")} if care_home else {}),
                **({"postcode": str(cell(row, "postcode"))} if cell(row, "postcode") else {}),
            }

    providers, locations, ratings = {}, {}, {}
    for location_id, entry in per_location.items():
        if not entry["lines"]:
            continue
        if "overall" not in entry["questions"]:
            report.rejected.extend(
                {"row": line, "field": "Domain", "message": f"{location_id} has no Overall row"}
                for line in entry["lines"]
            )
            continue
        provider = entry["provider"]
        if not provider["name"]:
            provider = {"cqc_provider_id": provider["cqc_provider_id"]}
        providers.setdefault(provider["cqc_provider_id"], provider)
        locations[location_id] = entry["location"]
        ratings[location_id] = entry["questions"]
    if report.rows == 0:
        raise ImportRejected(f"{name} has a header but no rows.")
    _write(report, providers, locations, ratings, source="cqc_ratings")
    report.rejected.sort(key=lambda problem: problem["row"])
    return report


@transaction.atomic
def _write(report: ImportReport, providers: dict, locations: dict, ratings: dict, *, source: str) -> None:
    if not locations:
        return
    provider_outcome = providers_upsert(records=list(providers.values()), source=source)
    report.providers_created, report.providers_updated = provider_outcome.created, provider_outcome.updated
    records = []
    for record in locations.values():
        record = dict(record)
        record["provider_id"] = provider_outcome.ids[record.pop("provider_cqc_id")]
        records.append(record)
    location_outcome = locations_upsert(records=records, source=source)
    report.locations_created = location_outcome.created
    report.locations_updated = location_outcome.updated
    report.locations_unchanged = location_outcome.unchanged
    inputs = []
    for location_id, rating in ratings.items():
        pk = location_outcome.ids[location_id]
        if isinstance(rating, tuple):  # directory: overall and the date of the latest check
            inputs.append(RatingInput(location_id=pk, overall=rating[0], report_date=rating[1]))
        else:  # ratings sheet: every domain, dated by the overall rating's publication
            overall, published = rating["overall"]
            inputs.append(
                RatingInput(
                    location_id=pk,
                    overall=overall,
                    report_date=published,
                    **{q: value for q, (value, _) in rating.items() if q != "overall"},
                )
            )
    outcome = ratings_record(ratings=inputs, source=source)
    report.ratings_created, report.ratings_updated = outcome.created, outcome.updated
    report.rating_changes = len(outcome.changes)
