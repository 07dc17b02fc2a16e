"""Alert sweep at national scale: every rule over the bed finder benchmark's estate (15,000 homes, 100,000 bed
lines, 400,000 placements) with Inadequate ratings and no-new-admissions conditions added; beside it the same
rules one subject at a time through the ORM (on a sample, extrapolated); and the inbox with 100,000 alerts.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench_alerts REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/bench_tasks_sweep.py [--scale 2] [--sweeps-only]

`--scale` multiplies the estate as the bed finder benchmark's does (its own database, care_bench_alerts_x2 for 2,
unless BENCH_DATABASE_URL names one), so the sweep's growth with the estate can be checked: at twice the estate a
linear sweep takes twice as long. `--sweeps-only` stops after the three full sweeps.
"""

import argparse
import os
import random
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench.bench_contracts_bed_finder as estate  # noqa: E402
from bench.bench_contracts_bed_finder import TODAY, bench_database_url, database_create, estate_load  # noqa: E402

SAMPLE = 200
INBOX_ALERTS = 100_000


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def risks_add(rng: random.Random) -> None:
    """Inadequate ratings on 2% of homes and no-new-admissions conditions on 1% (once)."""
    from providers.models import Condition, Location, Rating

    if Condition.objects.filter(source="bench").exists():
        return
    ids = list(Location.objects.values_list("id", "provider_id"))
    inadequate = rng.sample(ids, len(ids) // 50)
    ratings = Rating.objects.bulk_create(
        [
            Rating(location_id=pk, provider_id=provider, overall="Inadequate", report_date=TODAY - timedelta(days=30))
            for pk, provider in inadequate
        ]
    )
    for rating in ratings:
        Location.objects.filter(pk=rating.location_id).update(current_rating=rating)
    Condition.objects.bulk_create(
        [
            Condition(
                location_id=pk,
                provider_id=provider,
                text="No new admissions",
                stops_admissions=True,
                imposed_on=TODAY - timedelta(days=10),
                source="bench",
            )
            for pk, provider in rng.sample(ids, len(ids) // 100)
        ]
    )


def one_at_a_time(sample_ids: list[int], now) -> float:
    """The void and home rules for one home at a time through the ORM: seconds per home."""
    from django.db.models import Q

    from contracts.models import BedLine, Placement, live_contract
    from contracts.selectors.voids import active_on, void_report
    from providers.models import Condition, Location

    today = now.date()
    start = today - timedelta(days=27)
    began = time.perf_counter()
    for pk in sample_ids:
        location = Location.objects.select_related("current_rating").get(pk=pk)
        lines = BedLine.objects.filter(live_contract("contract__"), location=location)
        list(void_report(start=start, end=today, group_by="location", bed_lines=lines))
        bad = (location.current_rating and location.current_rating.overall == "Inadequate") or Condition.objects.filter(
            location=location, stops_admissions=True, imposed_on__lte=today
        ).filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=today)).exists()
        if bad:
            lines.filter(active_on(today, start="activation_date")).exists()
            Placement.objects.filter(active_on(today), location=location).count()
    return (time.perf_counter() - began) / len(sample_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1, help="size of the estate, 1 = national (default)")
    parser.add_argument("--sweeps-only", action="store_true", help="stop after the three full sweeps")
    args = parser.parse_args()
    estate.estate_scale(args.scale)
    url = (
        bench_database_url(args.scale).replace("/care_bench", "/care_bench_alerts")
        if "BENCH_DATABASE_URL" not in os.environ
        else bench_database_url(args.scale)
    )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    from contracts.models import BedLine
    from providers.models import Location
    from tasks.models import Alert, AlertStatus, PendingRisk, Rule
    from tasks.services.engine import sweep
    from tasks.services.rules import rules_sync

    rng = random.Random(20210118)
    if BedLine.objects.count() != estate.BED_LINES:
        estate_load(rng)
    risks_add(rng)
    rules_sync()
    now = timezone.make_aware(timezone.datetime.combine(TODAY, timezone.datetime.min.time())) + timedelta(hours=12)
    homes = Location.objects.count()
    print(f"estate: {homes:,} homes, {BedLine.objects.count():,} bed lines (scale {args.scale:g})")

    # The sweep's own alerts and pending risks from an earlier run go, so the first sweep opens them all again.
    Alert.objects.exclude(rule__code__startswith="bench").delete()
    PendingRisk.objects.all().delete()
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would, before the timed sweeps (the deletes leave dead rows)
        for table in ("tasks_alert", "tasks_alertevent", "tasks_alertchange", "tasks_pendingrisk"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    began = time.perf_counter()
    runs = sweep(now=now)
    full = time.perf_counter() - began
    print(f"full sweep, first (opens): {full:.1f} s, peak RSS {peak_rss_mib():.0f} MiB")
    for run in runs:
        print(f"  {run.rule.code:>24}: {run.risks:,} risks, {run.opened:,} opened")
    began = time.perf_counter()
    sweep(now=now + timedelta(minutes=15))
    again = time.perf_counter() - began
    print(f"full sweep, again (nothing changes): {again:.1f} s, peak RSS {peak_rss_mib():.0f} MiB")
    began = time.perf_counter()
    later = sweep(now=now + timedelta(days=1))
    next_day = time.perf_counter() - began
    print(f"full sweep, next day (the period moves: every void alert's evidence changes): {next_day:.1f} s")
    for run in later:
        if run.updated:
            took = (run.finished_at - run.started_at).total_seconds()
            print(f"  {run.rule.code:>24}: {run.updated:,} updated in {took:.1f} s")
    if args.sweeps_only:
        return

    sample = rng.sample(list(Location.objects.values_list("id", flat=True)), SAMPLE)
    per_home = one_at_a_time(sample, now)
    set_based = sum(
        run.finished_at.timestamp() - run.started_at.timestamp()
        for run in runs
        if run.rule.code in ("void_level", "home_in_use_at_risk")
    )
    print(
        f"void and home rules one home at a time: {per_home * 1000:.1f} ms a home on {SAMPLE} homes, "
        f"{per_home * homes:.0f} s for {homes:,} extrapolated; set-based {set_based:.1f} s "
        f"({per_home * homes / max(set_based, 0.001):.0f}x), the set-based time including opening their alerts"
    )
    # Like for like: the one-at-a-time side only evaluates (it writes no alerts), so time the set-based evaluation
    # of the same two rules alone too, without the reconcile that opens or updates alerts.
    from tasks.rules import load

    definitions = load()
    began = time.perf_counter()
    for code in ("void_level", "home_in_use_at_risk"):
        definitions[code].evaluate(rule=Rule.objects.get(code=code), now=now)
    evaluated = time.perf_counter() - began
    print(
        f"void and home rules evaluated set-based, without writing alerts: {evaluated:.1f} s "
        f"({per_home * homes / max(evaluated, 0.001):.0f}x the one-at-a-time evaluation)"
    )

    # The inbox with 100,000 alerts.
    rule = Rule.objects.update_or_create(code="bench_inbox", defaults={"name": "Bench inbox"})[0]
    if Alert.objects.filter(rule=rule).count() != INBOX_ALERTS:
        Alert.objects.filter(rule=rule).delete()
        ids = list(Location.objects.values_list("id", "provider_id", "district_id"))
        Alert.objects.bulk_create(
            [
                Alert(
                    rule=rule,
                    severity=rng.choice(["info", "warning", "high", "critical"]),
                    subject_kind="location",
                    subject_id=pk,
                    location_id=pk,
                    provider_id=provider,
                    locality_id=district,
                    fingerprint=f"bench_inbox:{n}",
                    title=f"Bench alert {n}",
                    evidence={"n": n},
                    first_seen=now - timedelta(minutes=n),
                    last_seen=now - timedelta(seconds=n),
                    status=rng.choice([AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]),
                )
                for n, (pk, provider, district) in ((n, ids[n % len(ids)]) for n in range(INBOX_ALERTS))
            ],
            batch_size=5000,
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after 100,000 rows, as autovacuum would give them
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from tests.factories import UserFactory

    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(UserFactory(username=f"bench-officer-{time.time_ns()}", roles=[Role.COMPLIANCE_OFFICER]))
    timings = {}
    for name, query in (("open inbox", {"status": "open"}), ("critical", {"severity": "critical"}), ("all", {})):
        for _ in range(3):
            client.get("/api/v1/alerts/", query)
        samples = []
        for _ in range(20):
            began = time.perf_counter()
            assert client.get("/api/v1/alerts/", query).status_code == 200
            samples.append(time.perf_counter() - began)
        samples.sort()
        timings[name] = (samples[len(samples) // 2], samples[int(len(samples) * 0.95)])
    total = Alert.objects.count()
    for name, (p50, p95) in timings.items():
        print(f"inbox ({total:,} alerts), {name}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
