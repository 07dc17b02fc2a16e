"""Postcode directory import: ONS Postcode Directory style CSV (pcds, lat, long, oslaua, osward, doterm).

The national file has about 2.7 million rows (over 1 GB), so it is streamed twice: once to check every row,
then to upsert in batches inside one transaction. Memory stays bounded by the batch size."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import transaction

from core.errors import ImportRejected
from geo.models import Postcode
from geo.selectors import POSTCODE_PATTERN, postcode_normalise

REQUIRED_COLUMNS = ("pcds", "lat", "long", "oslaua", "osward", "doterm")
# ONSPD gives postcodes without a grid reference latitude 99.999999 and longitude 0.000000.
NO_GRID_REFERENCE_LATITUDE = 99.0
MAX_PROBLEMS = 100


@dataclass
class PostcodeImportReport:
    rows: int = 0
    imported: int = 0
    terminated: int = 0
    without_location: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _open(path: Path) -> io.TextIOBase:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(row number as a spreadsheet shows it, row) with the header on row 1."""
    with _open(path) as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ImportRejected(
                "The postcode file was rejected; nothing was imported.",
                problems=[
                    {"row": 1, "field": column, "message": f"The file has no {column} column."} for column in missing
                ],
            )
        yield from enumerate(reader, start=2)


def _coordinate(value: str) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _parsed(number: int, row: dict, problems: list[dict]) -> Postcode | None:
    postcode = postcode_normalise(row["pcds"])
    if not POSTCODE_PATTERN.match(postcode):
        problems.append({"row": number, "field": "pcds", "message": f"{row['pcds']!r} is not a UK postcode."})
        return None
    coordinates = {}
    for column in ("lat", "long"):
        try:
            coordinates[column] = _coordinate(row[column])
        except ValueError:
            problems.append({"row": number, "field": column, "message": f"{row[column]!r} is not a number."})
    if len(coordinates) < 2:
        return None
    latitude, longitude = coordinates["lat"], coordinates["long"]
    if latitude is None or longitude is None or latitude > NO_GRID_REFERENCE_LATITUDE:
        latitude = longitude = None
    elif not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        problems.append({"row": number, "field": "lat", "message": f"({latitude}, {longitude}) is not a place."})
        return None
    return Postcode(
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        district_code=(row["oslaua"] or "").strip()[:9],
        ward_code=(row["osward"] or "").strip()[:9],
        terminated=bool((row["doterm"] or "").strip()),
    )


def postcodes_import(
    *, path: str | Path, batch_size: int = 5000, progress: Callable[[int], None] | None = None
) -> PostcodeImportReport:
    """Check every row of the file, then upsert all postcodes by postcode in one transaction. A file with
    bad rows is rejected with their row numbers and columns, and nothing is written."""
    path = Path(path)
    if not path.exists():
        raise ImportRejected(
            f"There is no file at {path}.", problems=[{"row": None, "field": "file", "message": "missing"}]
        )
    problems: list[dict] = []
    for number, row in _rows(path):
        _parsed(number, row, problems)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportRejected("The postcode file was rejected; nothing was imported.", problems=problems)
    return _write(path, batch_size=batch_size, progress=progress)


@transaction.atomic
def _write(path: Path, *, batch_size: int, progress: Callable[[int], None] | None) -> PostcodeImportReport:
    report = PostcodeImportReport()
    batch: dict[str, Postcode] = {}

    def flush() -> None:
        Postcode.objects.bulk_create(
            batch.values(),
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "district_code", "ward_code", "terminated"],
        )
        report.imported += len(batch)
        batch.clear()

    for number, row in _rows(path):
        postcode = _parsed(number, row, [])
        report.rows += 1
        report.terminated += postcode.terminated
        report.without_location += postcode.latitude is None
        # The last row for a postcode wins; one statement may not touch a row twice.
        batch[postcode.postcode] = postcode
        if len(batch) >= batch_size:
            flush()
            if progress:
                progress(report.rows)
    if batch:
        flush()
    if progress:
        progress(report.rows)
    return report
