"""Server time of the pages for people on the demo data, at the 50th and 95th percentiles (target: under 150 ms).

    .venv/bin/python bench/bench_web_pages.py [--runs 40]

Loads the demo data (`manage.py demo_load`) into a throwaway SQLite database, the embedded default (or the
PostgreSQL database named by BENCH_DATABASE_URL), signs in the demo broker, provider user and commissioner (the
market pages), and asks for each page through the full Django stack (middleware, sessions, templates) with
Django's test client, which times the server's work without a network or a browser.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40, help="requests per page (after two warm-up requests)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-web-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "true"  # the embedded default; the test client serves no static files either way
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
    from contracts.models import BedLine, Contract
    from geo.models import Locality, LocalityKind, Postcode
    from market.models import Lot
    from providers.models import Location, SyncRun
    from providers.selectors import locations_list
    from tasks.models import Alert
    from tasks.services.engine import sweep

    sweep()  # the demo's alerts, as after its first scheduled sweep

    broker, provider = User.objects.get(username="broker"), User.objects.get(username="provider")
    home = locations_list(user=provider).filter(care_home=True).first()
    line = BedLine.objects.order_by("pk").first()
    postcode = Postcode.objects.order_by("postcode").first()
    district = (
        Locality.objects.filter(kind=LocalityKind.DISTRICT, district_locations__isnull=False).order_by("code").first()
    )
    lot, contract = Lot.objects.order_by("pk").first(), Contract.objects.order_by("pk").first()
    home_any = Location.objects.filter(care_home=True).order_by("pk").first()
    alert = Alert.objects.order_by("-severity", "pk").first()
    run = SyncRun.objects.order_by("-pk").first()
    pages = {
        "broker": [
            ("bed finder (empty)", "/beds/"),
            ("bed finder: postcode, 20 km", f"/beds/?care_type=residential&postcode={postcode.postcode}&radius_km=20"),
            ("bed finder: postcode, 100 km", f"/beds/?care_type=nursing&postcode={postcode.postcode}&radius_km=100"),
            ("bed finder: district", f"/beds/?care_type=residential&district={district.code}" if district else None),
            ("hold a bed", f"/beds/lines/{line.pk}/hold/" if line else None),
            ("your holds", "/beds/holds/"),
        ],
        "provider": [
            ("your homes", "/portal/"),
            ("a home", f"/portal/homes/{home.pk}/" if home else None),
            ("report vacancies", "/portal/vacancies/"),
            ("your mobilisation", "/portal/mobilisation/"),
        ],
        "commissioner": [
            ("market: capacity gaps", "/market/capacity-gaps/"),
            ("market: block and spot", "/market/block-spot/"),
            ("market: cost avoidance", "/market/cost-avoidance/"),
            ("market: utilisation review", "/market/utilisation/"),
            ("market: market shape", "/market/market-shape/"),
            ("market: micro-enterprise programme", "/market/programme/"),
        ],
        "commissioner (register)": [
            ("home page", "/"),
            ("map: districts", "/map/"),
            ("map: wards", "/map/?layer=ward"),
            ("map: lot areas", "/map/?layer=lot_area"),
            ("lots", "/lots/"),
            ("a lot", f"/lots/{lot.pk}/" if lot else None),
            ("contracts", "/contracts/"),
            ("a contract", f"/contracts/{contract.pk}/" if contract else None),
            ("a provider", f"/providers/{home_any.provider_id}/" if home_any else None),
            ("a home (register)", f"/homes/{home_any.pk}/" if home_any else None),
        ],
        "compliance": [
            ("alert inbox", "/alerts/"),
            ("alert inbox: critical", "/alerts/?severity=critical"),
            ("an alert", f"/alerts/{alert.pk}/" if alert else None),
        ],
        "provider (alerts)": [("your alerts", "/portal/alerts/")],
        "admin": [
            ("boundary uploads", "/jobs/boundaries/"),
            ("upload boundaries", "/jobs/boundaries/upload/"),
            ("CQC sync runs", "/jobs/cqc-sync/"),
            ("a CQC sync run", f"/jobs/cqc-sync/{run.pk}/" if run else None),
        ],
        None: [("sign in", "/sign-in/")],
    }
    users = {
        "broker": broker,
        "provider": provider,
        "provider (alerts)": provider,
        "commissioner": User.objects.get(username="commissioner"),
        "commissioner (register)": User.objects.get(username="commissioner"),
        "compliance": User.objects.get(username="compliance"),
        "admin": User.objects.get(username="admin"),
    }
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status")
    worst = 0.0
    for who, entries in pages.items():
        client = Client()
        if who:
            client.force_login(users[who])
        for name, url in entries:
            if url is None:
                print(f"{name:34} (no such data in the demo)")
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
    print(f"slowest page at p95: {worst:.1f} ms (target < 150 ms)")


if __name__ == "__main__":
    main()
