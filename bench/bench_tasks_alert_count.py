"""What the alert list's count costs: an exact COUNT(*), the bounded count the list makes (at most
API_EXACT_COUNT_UP_TO + 1 rows) and PostgreSQL's estimate, for the demo compliance officer's alerts, unfiltered
and open only; with `--clear-map`, also the exact count after every alert is updated once (the visibility map no
longer set) and after a VACUUM.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench_inbox .venv/bin/python \\
        bench/bench_tasks_alert_count.py [--alerts 125000] [--runs 20] [--clear-map]

Uses the PostgreSQL database BENCH_DATABASE_URL names (default `care_bench_inbox`, next to DATABASE_URL's), as
bench/bench_tasks_inbox_pages.py fills it (the demo data and `--alerts` alerts over its homes): a database that
script filled is reused, an empty one is filled the same way (and kept for later runs).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_contracts_bed_finder import database_create  # noqa: E402
from bench.bench_tasks_inbox_pages import add_alerts  # noqa: E402


def timed(label: str, call, runs: int) -> None:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        value = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{label:58} median {statistics.median(times):7.2f} ms  p95 {p95:7.2f} ms  -> {value:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=125_000, help="alerts the database holds at least")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--clear-map", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/care_bench_inbox"
    if not os.environ.get("BENCH_DATABASE_URL"):
        url = urlunparse(urlparse(url)._replace(path="/care_bench_inbox"))  # never the database someone's tests use
    database_create(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from core.api import _planned_rows
    from tasks.models import Alert
    from tasks.selectors import alerts_list

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="compliance").exists():
        call_command("demo_load", verbosity=0)
    officer = User.objects.get(username="compliance")
    if Alert.objects.count() < args.alerts:
        add_alerts(args.alerts - Alert.objects.count(), officer)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_alert")
    print(f"{Alert.objects.count():,} alerts in {url.rsplit('/', 1)[-1]}")
    limit = settings.API_EXACT_COUNT_UP_TO
    for name, alerts in (("all", alerts_list(user=officer)), ("open", alerts_list(user=officer).filter(status="open"))):
        alerts = alerts.order_by()
        timed(f"{name}: exact COUNT(*)", alerts.count, args.runs)
        timed(
            f"{name}: COUNT(*) of at most {limit + 1:,}", lambda alerts=alerts: alerts[: limit + 1].count(), args.runs
        )
        timed(
            f"{name}: PostgreSQL's estimate (EXPLAIN of the ids)",
            lambda alerts=alerts: _planned_rows(alerts),
            args.runs,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = 'tasks_alert'")
        visible, pages = cursor.fetchone()
        print(f"all-visible pages / pages of tasks_alert: {visible:,} / {pages:,}")
    if args.clear_map:
        alerts = alerts_list(user=officer).order_by()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tasks_alert SET title = title")  # every row a new version: the map is cleared
        timed("all: exact COUNT(*), every alert updated since the vacuum", alerts.count, args.runs)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_alert")
        timed("all: exact COUNT(*), vacuumed again", alerts.count, args.runs)


if __name__ == "__main__":
    main()
