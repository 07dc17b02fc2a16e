"""Capacity gaps at national scale: the bed finder benchmark's estate (15,000 care homes, 100,000 block bed
lines, 400,000 active placements, vacancy reports) in districts made up to England's 326, with demand for every
district and care type and 5,000 people waiting.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/bench_market_capacity_gaps.py

Builds the estate with the bed finder benchmark's builder (bench/bench_contracts_bed_finder.py) if the database
does not hold it yet, adds the districts, demand and pending arrangements (replacing any from an earlier run),
then times the capacity gaps of all districts for one day: the selector alone, and through the full Django stack
(`GET /api/v1/market/capacity-gaps/`), and prints the median and the slowest of the runs.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_contracts_bed_finder import BED_LINES, TODAY, bench_database_url, database_create, estate_load  # noqa: E402

DISTRICTS = 326
WAITING = 5_000
TARGET_SECONDS = 2.0


def demand_load(rng: random.Random) -> int:
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from geo.models import Locality, LocalityKind
    from market.models import Demand, DemandCareType, PendingArrangement

    with transaction.atomic():
        Demand.objects.all().delete()
        PendingArrangement.objects.all().delete()
        existing = Locality.objects.filter(kind=LocalityKind.DISTRICT).count()
        highest = max(Locality.objects.order_by("-id").values_list("id", flat=True)[:1] or [0])
        Locality.objects.bulk_create(
            [
                Locality(code=f"E06{n:06d}", name=f"Bench unitary {n}", kind=LocalityKind.DISTRICT)
                for n in range(highest + 1, highest + 1 + max(DISTRICTS - existing, 0))
            ]
        )
        districts = list(Locality.objects.filter(kind=LocalityKind.DISTRICT))
        start = date(TODAY.year if TODAY.month >= 4 else TODAY.year - 1, 4, 1)  # this financial year
        end = date(start.year + 1, 3, 31)
        rows = [
            Demand(
                locality=district,
                care_type=care_type,
                period_start=start,
                period_end=end,
                quantity=Decimal(rng.randint(20, 400) if care_type == "homecare_hours" else rng.randint(0, 120)),
                source="forecast",
            )
            for district in districts
            for care_type in DemandCareType.values
        ]
        bulk_create_with_history(rows, Demand, batch_size=2000)
        waiting = [
            PendingArrangement(
                reference=f"BENCH-{n:06d}",
                locality=rng.choice(districts),
                care_type=rng.choice(["residential", "nursing", "nursing_dementia", "residential_dementia"]),
                waiting_since=TODAY - timedelta(days=rng.randint(0, 120)),
                bridging=rng.choice(["reablement", "block_car", "interim_bed", "none"]),
            )
            for n in range(WAITING)
        ]
        bulk_create_with_history(waiting, PendingArrangement, batch_size=2000)
    return len(districts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
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

    settings.DEBUG = False  # no query log: time what production does
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from contracts.models import BedLine
    from market.selectors.gaps import capacity_gaps
    from tests.factories import UserFactory

    rng = random.Random(20210118)
    if args.rebuild or BedLine.objects.count() != BED_LINES:
        estate_load(rng)
    districts = demand_load(rng)
    print(f"estate: {BedLine.objects.count():,} bed lines, {districts} districts, {WAITING:,} people waiting")

    from rest_framework.test import APIClient

    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(UserFactory(username=f"bench-commissioner-{time.time_ns()}", roles=[Role.COMMISSIONER]))

    capacity_gaps(on=TODAY)  # warm up
    selector, stack = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        gaps = capacity_gaps(on=TODAY)
        selector.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.get("/api/v1/market/capacity-gaps/", {"on": str(TODAY)})
        stack.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        capacity_gaps(on=TODAY)
    rows = len(gaps)
    print(f"capacity gaps of {districts} districts, {rows:,} rows (district × care type), {len(queries)} queries")
    print(f"  selector:   median {statistics.median(selector):.3f} s, slowest {max(selector):.3f} s")
    print(
        f"  full stack: median {statistics.median(stack):.3f} s, slowest {max(stack):.3f} s"
        f" (target < {TARGET_SECONDS} s)"
    )
    # The target is for a typical request (the median): on the shared machine the slowest run is mostly the load.
    if statistics.median(stack) >= TARGET_SECONDS:
        sys.exit(f"the median is slower than the target of {TARGET_SECONDS} s")


if __name__ == "__main__":
    main()
