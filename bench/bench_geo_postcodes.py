"""Benchmark: stream an ONS Postcode Directory style CSV into the postcode table, then import it again.

The national file has about 2.7 million rows; this generates BENCH_POSTCODES rows (default 300,000) and shows
the rate and that memory does not grow with the file (peak resident memory before and after). Everything
happens in one transaction that is rolled back, so the database is left as it was.
Run: DATABASE_URL=postgres://... .venv/bin/python bench/bench_geo_postcodes.py
"""

import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from geo.services import postcodes_import  # noqa: E402

ROWS = int(os.getenv("BENCH_POSTCODES", "300000"))
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class RollBack(Exception):
    pass


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pcd", "pcds", "dointr", "doterm", "oslaua", "osward", "lat", "long"])
        for n in range(ROWS):
            district, rest = divmod(n, 4000)
            sector, unit = divmod(rest, 400)
            outward = f"Y{'ABCDEFGHKL'[district // 99 % 10]}{district % 99 + 1}"  # YA1..: valid, not real areas
            postcode = f"{outward} {sector}{LETTERS[unit // 20]}{LETTERS[unit % 20]}"
            writer.writerow(
                [postcode, postcode, "198001", "201001" if n % 40 == 0 else "", "E07000009", "E05002722",
                 f"{52 + (n % 1000) / 1000:.6f}", f"{(n % 700) / 1000:.6f}"]
            )  # fmt: skip


def main() -> None:
    # As in production: with DEBUG on, Django keeps the text of recent queries, which is not the import's memory.
    settings.DEBUG = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "onspd.csv"
        generate(path)
        size = path.stat().st_size / 1e6
        before = peak_mb()
        try:
            with transaction.atomic():
                for label in ("first import", "second import (upsert of the same rows)"):
                    started = time.perf_counter()
                    report = postcodes_import(path=path)
                    took = time.perf_counter() - started
                    print(
                        f"{label}: {report.imported:,} postcodes from a {size:.0f} MB file in {took:.1f} s "
                        f"({report.rows / took:,.0f} rows/s); peak memory {before:.0f} MB before, "
                        f"{peak_mb():.0f} MB after"
                    )
                raise RollBack
        except RollBack:
            pass


if __name__ == "__main__":
    main()
