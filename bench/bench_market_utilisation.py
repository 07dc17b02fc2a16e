"""The quarterly utilisation review at national scale, on the bed finder benchmark's estate (15,000 care homes,
5,000 block contracts, 100,000 bed lines, 400,000 active placements; built by its estate_load):

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/bench_market_utilisation.py

Times the review of every contract for one financial quarter (target under 5 s), by home and by district, in the
selector and through the full Django stack (GET /api/v1/market/utilisation/ as a commissioner), and prints the
statements each took.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_contracts_bed_finder import BED_LINES, bench_database_url, database_create, estate_load  # noqa: E402

YEAR, QUARTER = 2026, 2  # July to September 2026, the last full quarter before the estate's "today"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from contracts.models import BedLine, Contract
    from market.selectors.utilisation import utilisation_review
    from tests.factories import UserFactory

    if args.rebuild or BedLine.objects.count() != BED_LINES:
        estate_load(random.Random(20210118))
    print(f"estate: {Contract.objects.count():,} contracts, {BedLine.objects.count():,} bed lines")

    best = {}
    for group_by in ("contract", "home", "district"):
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                review = utilisation_review(year=YEAR, quarter=QUARTER, group_by=group_by)
                timings.append(time.perf_counter() - started)
        print(
            f"utilisation review {YEAR}/{(YEAR + 1) % 100:02d} Q{QUARTER} by {group_by}: {len(review.rows):,} rows, "
            f"utilisation {review.total.utilisation:.1%}, void cost £{review.total.void_cost:,}; "
            f"{len(queries)} statements; {min(timings):.2f} - {max(timings):.2f} s"
        )
        best[group_by] = min(timings)

    from rest_framework.test import APIClient

    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(UserFactory(username=f"bench-commissioner-{time.time_ns()}", roles=[Role.COMMISSIONER]))
    for path in ("/api/v1/market/utilisation/", "/api/v1/market/utilisation/export/xlsx/"):
        started = time.perf_counter()
        response = client.get(path, {"year": YEAR, "quarter": QUARTER, "group_by": "contract"})
        assert response.status_code == 200, response.content[:300]
        elapsed = time.perf_counter() - started
        print(f"GET {path} every contract: {len(response.content) / 1e6:.1f} MB in {elapsed:.2f} s")
    target = "met" if best["contract"] < 5 else "NOT met"
    print(f"target: the review for all contracts for one quarter in under 5 s: {target} ({best['contract']:.2f} s)")


if __name__ == "__main__":
    main()
