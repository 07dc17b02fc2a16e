"""If the largest provider of the national estate failed: the what-if through the full stack, the nightly
failure_impact rule over every provider, and the optimal plan's total distance against a greedy nearest-bed plan.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/bench_market_failure.py

Uses the bed finder benchmark's national estate (bench_contracts_bed_finder: 15,000 care homes of 5,000
providers, 100,000 block bed lines, 400,000 active placements; built once and kept). In one transaction that is
rolled back, every 35th home is handed to one provider, making it the largest (about 430 homes and 11,000 people
placed), then the what-if for it is asked for through the API five times, the rule is evaluated over every
provider, and the two plans compared.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LARGEST = 1
EVERY_NTH_HOME = 35


class Rollback(Exception):
    pass


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--skip-impact", action="store_true")
    parser.add_argument("--only-impact", action="store_true", help="only failure_impact, so its peak memory is its own")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="after the timed requests, profile one (cProfile) and print its N costliest",
    )
    args = parser.parse_args()

    import bench_contracts_bed_finder as estate

    url = estate.bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    estate.database_create(url)
    import random

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    from contracts.models import BedLine, Placement
    from tests.factories import UserFactory

    if BedLine.objects.count() != estate.BED_LINES:
        estate.estate_load(random.Random(20210118))
    from datetime import datetime

    import time_machine

    # The estate is built around its TODAY: the clock says so, as the service's would on that day, so the what-if
    # reads today's free beds from the free-bed state (rebuilt here if it is not for that day).
    clock = time_machine.travel(
        datetime.combine(estate.TODAY, datetime.min.time().replace(hour=12)).astimezone(), tick=True
    )
    clock.start()
    from contracts.selectors.bed_finder import free_bed_state_ready
    from contracts.services.free_beds import free_bed_state_rebuild

    if not free_bed_state_ready(estate.TODAY):
        started = time.perf_counter()
        print(f"free-bed state rebuilt: {free_bed_state_rebuild()} in {time.perf_counter() - started:.1f} s")
    active = Placement.objects.filter(end_date__isnull=True).count()
    print(f"estate: {BedLine.objects.count():,} bed lines, {active:,} active placements")

    from rest_framework.test import APIClient

    from accounts.roles import Role
    from market.selectors.failure import (
        NO_CARE_TYPE,
        _free_bed_slots,
        _near,
        _optimal,
        _reach,
        failing_homes,
        greedy_plan,
        people_in_homes,
    )
    from providers.models import Provider
    from tasks.models import Rule
    from tasks.rules.failure import failure_impacts
    from tasks.services.rules import rules_sync

    def impact(on):
        rules_sync()
        rule = Rule.objects.get(code="failure_impact")
        before = peak_mib()
        started, started_cpu = time.perf_counter(), time.process_time()
        risks = failure_impacts(rule=rule, now=timezone.make_aware(timezone.datetime(on.year, on.month, on.day, 2, 30)))
        took, took_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        providers = Provider.objects.filter(placements__end_date__isnull=True).distinct().count()
        print(
            f"failure_impact over {providers:,} providers: {took:.1f} s (CPU {took_cpu:.1f} s), "
            f"{len(risks):,} risks; "
            f"peak memory {peak_mib():.0f} MiB (before {before:.0f} MiB)"
        )

    on = estate.TODAY
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE providers_location SET provider_id = %s WHERE id %% %s = 0", [LARGEST, EVERY_NTH_HOME]
                )
                cursor.execute(
                    "UPDATE contracts_placement SET provider_id = %s WHERE location_id %% %s = 0",
                    [LARGEST, EVERY_NTH_HOME],
                )
            provider = Provider.objects.get(pk=LARGEST)
            homes = failing_homes(provider=provider)
            people = people_in_homes(home_ids=[home.pk for home in homes], on=on)
            print(f"largest provider: {len(homes):,} homes, {len(people):,} people placed")

            if args.only_impact:
                impact(on)
                raise Rollback
            client = APIClient(SERVER_NAME="localhost")
            client.force_authenticate(
                UserFactory(username=f"bench-commissioner-{time.time_ns()}", roles=[Role.COMMISSIONER])
            )
            times, cpu, database = [], [], []

            def timed(execute, sql, params, many, context):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    database[-1] += time.perf_counter() - started

            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"load average before the requests: {load} on {os.cpu_count()} cores")
            for _ in range(args.requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                database.append(0.0)
                with connection.execute_wrapper(timed):
                    response = client.get(f"/api/v1/market/providers/{LARGEST}/failure/", {"on": str(on)})
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert response.status_code == 200, response.content[:300]
            print(f"load average after the requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                client.get(f"/api/v1/market/providers/{LARGEST}/failure/", {"on": str(on)})
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
            answer = response.json()
            short = sum(row["people"] for row in answer["shortfall"])
            print(
                f"what-if through the API ({args.requests} requests): median {statistics.median(times):.2f} s, "
                f"slowest {max(times):.2f} s; median CPU {statistics.median(cpu):.2f} s (this process), "
                f"median database {statistics.median(database):.2f} s (waiting on its queries); "
                f"{answer['headline']}; placed {answer['people'] - short:,}, "
                f"total distance {answer['total_distance_km']:,.1f} km; peak memory {peak_mib():.0f} MiB"
            )
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(
                f"/api/v1/market/providers/{LARGEST}/failure/", {"on": str(on), "market_after": "true"}
            )
            assert response.status_code == 200, response.content[:300]
            print(
                f"what-if with the market after (market_after=true): {time.perf_counter() - started:.2f} s, "
                f"CPU {time.process_time() - started_cpu:.2f} s"
            )

            radius = settings.FAILURE_RADIUS_KM
            from collections import Counter

            most = Counter(person.care_type for person in people)
            started = time.perf_counter()
            slots = _free_bed_slots(
                provider=provider,
                care_types=set(most) - {NO_CARE_TYPE},
                on=on,
                reach=_reach(people, radius),
                include_restricted=False,
                most=most,
                near=_near(people, radius),
            )
            print(
                f"free beds: {len(slots):,} lines and homes' vacancies, {int(slots.counts.sum()):,} beds, "
                f"read in {time.perf_counter() - started:.2f} s"
            )
            beds = slots.beds()
            started = time.perf_counter()
            optimal = _optimal(people, slots, radius_km=radius)  # what the what-if runs
            optimal_time = time.perf_counter() - started
            started = time.perf_counter()
            greedy = greedy_plan(people, beds, radius_km=radius)
            greedy_time = time.perf_counter() - started
            for name, plan, took in (("optimal", optimal, optimal_time), ("greedy", greedy, greedy_time)):
                placed = [move for move in plan if move.bed is not None]
                total = sum(move.distance_km for move in placed)
                print(
                    f"{name}: {len(placed):,} of {len(plan):,} placed, total distance {total:,.1f} km, "
                    f"mean {total / max(len(placed), 1):.2f} km, {took:.2f} s"
                )

            if not args.skip_impact:
                impact(on)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
