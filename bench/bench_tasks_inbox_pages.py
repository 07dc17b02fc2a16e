"""Server time of the alert inbox API list and pages on the demo data with many alerts added, at the 50th and 95th
percentiles (targets: every page under 150 ms; the inbox list with 100,000 alerts under 100 ms).

    .venv/bin/python bench/bench_tasks_inbox_pages.py [--alerts 100000] [--runs 30]

Loads the demo data (`manage.py demo_load`) into a throwaway SQLite database, the embedded default (or the
PostgreSQL database named by BENCH_DATABASE_URL), runs the sweep, adds `--alerts` alerts over the demo's homes
(every status and severity, a share assigned to the demo compliance officer, a history row each), and asks for each
page, and the API's first page of `/api/v1/alerts/` (unfiltered, status=open, severity=critical), as the demo
compliance officer and provider user through the full Django stack with Django's test client.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def add_alerts(count: int, officer) -> None:
    from django.utils import timezone

    from providers.models import Location
    from tasks.models import SEVERITY_ORDER, Alert, AlertChange, AlertStatus, Rule

    homes = list(Location.objects.filter(care_home=True).values("id", "provider_id", "district_id", "name"))
    rules = list(Rule.objects.order_by("code"))
    statuses = [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED, AlertStatus.RESOLVED]
    now = timezone.now()
    batch = []
    for n in range(count):
        home, rule = homes[n % len(homes)], rules[n % len(rules)]
        status = statuses[n % 4]
        seen = now - timedelta(minutes=n)
        batch.append(
            Alert(
                rule=rule,
                severity=SEVERITY_ORDER[(n // 4) % 4],
                subject_kind="location",
                subject_id=home["id"],
                provider_id=home["provider_id"],
                location_id=home["id"],
                locality_id=home["district_id"],
                fingerprint=f"bench:{rule.code}:{n}",
                title=f"{home['name']}: bench risk {n}",
                evidence={"n": n, "void_cost": "1520.00"},
                first_seen=seen,
                last_seen=seen,
                status=status,
                owner_user=officer if n % 10 == 0 else None,
                resolved_at=seen if status == AlertStatus.RESOLVED else None,
            )
        )
        if len(batch) == 5000:
            Alert.objects.bulk_create(batch)
            batch = []
    Alert.objects.bulk_create(batch)
    changes = [
        AlertChange(alert_id=pk, at=now, field="owner_user", old_value="", new_value=str(officer.pk))
        for pk in Alert.objects.filter(owner_user=officer).values_list("pk", flat=True)[:20000]
    ]
    AlertChange.objects.bulk_create(changes, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=100_000, help="alerts added to the demo's own")
    parser.add_argument("--runs", type=int, default=30, help="requests per page (after two warm-up requests)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-inbox-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo_load", verbosity=0)

    from accounts.models import User
    from tasks.models import Alert
    from tasks.selectors import alerts_list
    from tasks.services.engine import sweep

    sweep()
    officer, provider = User.objects.get(username="compliance"), User.objects.get(username="provider")
    started = time.perf_counter()
    add_alerts(args.alerts, officer)
    print(f"{Alert.objects.count()} alerts ({time.perf_counter() - started:.1f} s to add {args.alerts})")
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would have by now: statistics and the visibility map
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    one = Alert.objects.filter(owner_user=officer).order_by("-pk").first()
    own = alerts_list(user=provider).order_by("-pk").first()
    district = one.locality.code if one and one.locality_id else None
    pages = {
        officer: [
            ("API: first page", "/api/v1/alerts/"),
            ("API: status=open", "/api/v1/alerts/?status=open"),
            ("API: severity=critical", "/api/v1/alerts/?severity=critical"),
            ("inbox (unresolved, most severe)", "/alerts/"),
            ("inbox: newest first", "/alerts/?sort=newest"),
            ("inbox: critical, open", "/alerts/?severity=critical&status=open"),
            ("inbox: mine", "/alerts/?mine=on"),
            ("inbox: an area", f"/alerts/?locality={district}" if district else None),
            ("inbox: page 100", "/alerts/?page=100"),
            ("an alert", f"/alerts/{one.pk}/" if one else None),
        ],
        provider: [
            ("portal alerts", "/portal/alerts/"),
            ("portal: an alert", f"/alerts/{own.pk}/" if own else None),
        ],
    }
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status")
    worst = 0.0
    for user, entries in pages.items():
        client = Client()
        client.force_login(user)
        for name, url in entries:
            if url is None:
                print(f"{name:34} (no such data)")
                continue
            for _ in range(2):
                client.get(url)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                answer = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p50 = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            worst = max(worst, p95)
            print(f"{name:34} {p50:8.1f} {p95:8.1f} {times[-1]:8.1f}  {answer.status_code}")
    print(f"slowest page at p95: {worst:.1f} ms (targets < 150 ms a page, < 100 ms the inbox list)")


if __name__ == "__main__":
    main()
