"""Benchmark: import a generated 50,000-location CQC care directory CSV, then import it again unchanged.

Targets (issue 4): the first import under 60 s; the unchanged re-import writes nothing and takes under 15 s.
Run against PostgreSQL: DATABASE_URL=postgres://... .venv/bin/python bench/bench_providers_directory_import.py
Everything happens in one transaction that is rolled back at the end, so the database is left as it was.
"""

import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from providers.models import Location, Provider, Rating  # noqa: E402
from providers.services.imports import cqc_file_import  # noqa: E402

LOCATIONS = int(os.getenv("BENCH_LOCATIONS", "50000"))
PROVIDERS = LOCATIONS // 5
HEADER = [
    "Name", "Also known as", "Address", "Postcode", "Phone number", "Service's website (if available)",
    "Service types", "Date of latest check", "Specialisms/services", "Provider name", "Local authority", "Region",
    "Location URL", "CQC Location ID (for office use only)", "CQC Provider ID (for office use only)",
    "Latest overall rating",
]  # fmt: skip
SERVICE_TYPES = ["Nursing homes", "Residential homes", "Homecare agencies", "Nursing homes|Residential homes"]
SPECIALISMS = ["Dementia", "Caring for adults over 65 yrs", "Physical disabilities", "Mental health conditions"]
RATINGS = ["Good", "Good", "Good", "Requires improvement", "Outstanding", "Inadequate", "No published rating"]
AUTHORITIES = ["Cambridgeshire", "Leicestershire", "Norfolk", "Suffolk", "Essex", "Kent", "Devon", "Cumbria"]


class RollBack(Exception):
    pass


def generate(path: Path) -> None:
    rng = random.Random(4)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerows([["Care directory with ratings"], ["Data as at 01 November 2026"], ["Generated"], []])
        writer.writerow(HEADER)
        for n in range(LOCATIONS):
            provider = n % PROVIDERS
            writer.writerow(
                [
                    f"Bench Location {n}", "", f"{n} High Street, Town {n % 500}",
                    f"BX{n % 99 + 1} {n % 9}AA", "01000 000000", "",
                    rng.choice(SERVICE_TYPES),
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(17, 25)}",
                    "|".join(rng.sample(SPECIALISMS, 2)), f"Bench Provider {provider} Ltd",
                    rng.choice(AUTHORITIES), "East", f"https://www.cqc.org.uk/location/1-8{n:09d}",
                    f"1-8{n:09d}", f"1-7{provider:09d}", rng.choice(RATINGS),
                ]
            )  # fmt: skip


def main() -> None:
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL; figures are for", connection.vendor)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.csv"
        started = time.perf_counter()
        generate(path)
        print(
            f"generated {LOCATIONS:,} rows ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        try:
            with transaction.atomic():
                started = time.perf_counter()
                first = cqc_file_import(path=path)
                first_seconds = time.perf_counter() - started
                print(
                    f"first import: {first_seconds:.1f} s  (target < 60 s): {first.locations_created:,} locations, "
                    f"{first.providers_created:,} providers, {first.ratings_created:,} ratings, "
                    f"{len(first.rejected)} rejected"
                )
                counts = (Location.objects.count(), Provider.objects.count(), Rating.objects.count())
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    second = cqc_file_import(path=path)
                    second_seconds = time.perf_counter() - started
                writes = [
                    q["sql"]
                    for q in queries.captured_queries
                    if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                ]
                print(
                    f"unchanged re-import: {second_seconds:.1f} s  (target < 15 s): {second.written} rows written, "
                    f"{len(writes)} write statements, {len(queries)} queries in all"
                )
                assert counts == (Location.objects.count(), Provider.objects.count(), Rating.objects.count())
                assert second.written == 0 and not writes, "the unchanged re-import wrote something"
                raise RollBack
        except RollBack:
            pass
    ok = first_seconds < 60 and second_seconds < 15
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
