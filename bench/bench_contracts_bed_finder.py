"""Bed finder at national scale: 15,000 care homes, 100,000 block bed lines, 400,000 active placements.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/bench_contracts_bed_finder.py
    ... bench/bench_contracts_bed_finder.py --scale 2    # twice the homes, lines, placements, closures and holds

`--scale` multiplies the estate (a scaled estate is kept in its own database, care_bench_x2 for 2, unless
BENCH_DATABASE_URL names one). Requests carry a real API token (TokenAuthentication, as a client's would). The
clock is set to the estate's day, so the searches are "today" and read the free-bed state (rebuilt after a load);
the bare SQL of both the state's query and the counting query is timed beside them.

Creates the database (default: `care_bench` next to DATABASE_URL's), migrates it, loads the estate once with
COPY (kept for later runs; pass --rebuild to load it again), then asks the bed finder for beds within 20 km of
random postcodes through the full Django stack (URL routing, authentication, permissions, serialisers) and
prints the percentiles next to the time of the bare SQL for the same answers.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOMES = 15_000
PROVIDERS = 5_000
BED_LINES = 100_000
ACTIVE_PLACEMENTS = 400_000
ENDED_PLACEMENTS = 100_000
POSTCODES = 3_000
CLOSURES, HOLDS = 2_000, 5_000
# England, roughly: where the homes and the postcodes are scattered.
LAT_RANGE, LON_RANGE = (50.6, 54.9), (-3.4, 1.6)
TODAY = date(2026, 11, 23)
CARE_TYPES = ["residential", "residential_dementia", "nursing", "nursing_dementia", "planned_respite", "short_term"]
CARE_TYPE_WEIGHTS = [20, 15, 25, 30, 5, 5]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def estate_scale(scale: float) -> None:
    """Multiply the estate's sizes (module constants the builder reads) by `scale`."""
    global HOMES, PROVIDERS, BED_LINES, ACTIVE_PLACEMENTS, ENDED_PLACEMENTS, CLOSURES, HOLDS
    HOMES, PROVIDERS, BED_LINES = int(15_000 * scale), int(5_000 * scale), int(100_000 * scale)
    ACTIVE_PLACEMENTS, ENDED_PLACEMENTS = int(400_000 * scale), int(100_000 * scale)
    CLOSURES, HOLDS = int(2_000 * scale), int(5_000 * scale)


def bench_database_url(scale: float = 1) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/care_bench"
    parts = urlparse(url)
    name = "care_bench" if scale == 1 else f"care_bench_x{scale:g}".replace(".", "_")
    if parts.path.strip("/") != name and not os.environ.get("BENCH_DATABASE_URL"):
        parts = parts._replace(path=f"/{name}")  # never the database someone's tests use
    return urlunparse(parts)


def database_create(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.strip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def copy_models(model, objects, fields=None) -> None:
    """COPY model instances (with their ids set) into the table: ten times faster than INSERTs."""
    from django.db import connection

    concrete = [f for f in model._meta.concrete_fields if fields is None or f.name in fields or f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in concrete)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in concrete])


def estate_load(rng: random.Random) -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from contracts.models import BedLine, Closure, Contract, Hold, Placement, RateChange, VacancyReport
    from geo.models import Locality, Postcode
    from providers.models import Condition, Location, Provider, Rating

    models = [VacancyReport, Hold, Closure, Placement, RateChange, BedLine, Contract, Condition]
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            tables = [m._meta.db_table for m in models] + [
                Location._meta.db_table,
                Rating._meta.db_table,
                Provider._meta.db_table,
                Postcode._meta.db_table,
                Locality._meta.db_table,
            ]
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")

        # Districts: a grid of half-degree cells, so every home has one.
        districts = []
        cells = {}
        lat = LAT_RANGE[0]
        while lat < LAT_RANGE[1]:
            lon = LON_RANGE[0]
            while lon < LON_RANGE[1]:
                pk = len(districts) + 1
                cells[(round(lat, 1), round(lon, 1))] = pk
                districts.append(Locality(pk=pk, code=f"E07{pk:06d}", name=f"Bench district {pk}", kind="district"))
                lon += 0.5
            lat += 0.5
        copy_models(Locality, districts)

        def district_of(latitude, longitude):
            key = (
                round(LAT_RANGE[0] + 0.5 * int((latitude - LAT_RANGE[0]) / 0.5), 1),
                round(LON_RANGE[0] + 0.5 * int((longitude - LON_RANGE[0]) / 0.5), 1),
            )
            return cells.get(key)

        copy_models(
            Provider,
            (
                Provider(pk=n, cqc_provider_id=f"1-8{n:09d}", name=f"Bench Care {n} Ltd")
                for n in range(1, PROVIDERS + 1)
            ),
        )
        homes, ratings = [], []
        for n in range(1, HOMES + 1):
            latitude, longitude = rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)
            homes.append(
                Location(
                    pk=n,
                    cqc_location_id=f"1-7{n:09d}",
                    provider_id=1 + n % PROVIDERS,
                    name=f"Bench Care Home {n}",
                    postcode="",
                    latitude=latitude,
                    longitude=longitude,
                    district_id=district_of(latitude, longitude),
                    care_home=True,
                    registered_beds=rng.randint(60, 120),
                    current_rating_id=n,
                )
            )
            overall = rng.choices(["Outstanding", "Good", "Requires improvement", "Inadequate"], [5, 70, 22, 3])[0]
            ratings.append(
                Rating(
                    pk=n,
                    location_id=n,
                    provider_id=1 + n % PROVIDERS,
                    overall=overall,
                    report_date=TODAY - timedelta(days=rng.randint(30, 1500)),
                    source="bench",
                )
            )
        with connection.cursor() as cursor:  # ratings point at homes and homes at ratings: check at commit
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        copy_models(Location, homes)
        copy_models(Rating, ratings)
        copy_models(
            Condition,
            (
                Condition(
                    pk=i + 1,
                    location_id=n,
                    provider_id=1 + n % PROVIDERS,
                    text="No new admissions",
                    stops_admissions=True,
                    imposed_on=TODAY - timedelta(days=100),
                )
                for i, n in enumerate(rng.sample(range(1, HOMES + 1), HOMES // 100))
            ),
        )
        copy_models(
            Contract,
            (
                Contract(
                    pk=n,
                    reference=f"BENCH-{n:06d}",
                    provider_id=n,
                    kind="block",
                    start_date=date(2021, 1, 18),
                    status="live",
                    uplift_cap_percent=Decimal("3.00"),
                )
                for n in range(1, PROVIDERS + 1)
            ),
        )
        lines, rates, line_beds = [], [], []
        for pk in range(1, BED_LINES + 1):
            home = 1 + (pk - 1) % HOMES
            beds = rng.randint(2, 8)
            line_beds.append(beds)
            activation = date(2021, 1, 18) + timedelta(days=rng.randint(0, 1500))
            lines.append(
                BedLine(
                    pk=pk,
                    contract_id=1 + home % PROVIDERS,
                    location_id=home,
                    care_type=rng.choices(CARE_TYPES, CARE_TYPE_WEIGHTS)[0],
                    beds=beds,
                    activation_date=activation,
                )
            )
            rate = Decimal(rng.randint(600, 1100))
            rates.append(RateChange(pk=2 * pk - 1, bed_line_id=pk, effective_from=activation, weekly_rate=rate))
            rates.append(
                RateChange(
                    pk=2 * pk,
                    bed_line_id=pk,
                    effective_from=date(2026, 4, 1),
                    weekly_rate=(rate * Decimal("1.03")).quantize(Decimal("0.01")),
                    reason="uplift",
                )
            )
        copy_models(BedLine, lines)
        copy_models(RateChange, rates)

        # 400,000 active placements: most beds of every line taken, a few void, exactly that many in all.
        takes = [min(beds, int(beds * ACTIVE_PLACEMENTS / sum(line_beds) + rng.random())) for beds in line_beds]
        index = 0
        while sum(takes) != ACTIVE_PLACEMENTS:
            step = 1 if sum(takes) < ACTIVE_PLACEMENTS else -1
            if 0 <= takes[index] + step <= line_beds[index]:
                takes[index] += step
            index = (index + 1) % len(takes)
        placements, pk = [], 0
        for line, take in zip(lines, takes, strict=True):
            for _ in range(take):
                pk += 1
                start = min(line.activation_date + timedelta(days=rng.randint(0, 200)), TODAY - timedelta(days=1))
                placements.append(
                    Placement(
                        pk=pk,
                        reference=f"BN-{pk:07d}",
                        kind="block",
                        bed_line_id=line.pk,
                        location_id=line.location_id,
                        provider_id=1 + line.location_id % PROVIDERS,
                        care_type=line.care_type,
                        start_date=start,
                        source="community",
                    )
                )
            if len(placements) >= 50_000:
                copy_models(Placement, placements)
                placements = []
        for _ in range(ENDED_PLACEMENTS):
            line = lines[rng.randrange(len(lines))]
            pk += 1
            start = line.activation_date + timedelta(days=rng.randint(0, 30))
            placements.append(
                Placement(
                    pk=pk,
                    reference=f"BN-{pk:07d}",
                    kind="block",
                    bed_line_id=line.pk,
                    location_id=line.location_id,
                    provider_id=1 + line.location_id % PROVIDERS,
                    care_type=line.care_type,
                    start_date=start,
                    end_date=start + timedelta(days=rng.randint(10, 60)),
                    source="community",
                )
            )
        copy_models(Placement, placements)
        copy_models(
            Closure,
            (
                Closure(
                    pk=i + 1,
                    bed_line_id=line,
                    beds=1,
                    start_date=TODAY - timedelta(days=10),
                    end_date=TODAY + timedelta(days=18),
                    reason="Outbreak",
                )
                for i, line in enumerate(rng.sample(range(1, BED_LINES + 1), CLOSURES))
            ),
        )
        from django.utils import timezone

        expires = timezone.now() + timedelta(days=3650)  # stay active for later runs
        copy_models(
            Hold,
            (
                Hold(pk=i + 1, bed_line_id=line, reference=f"BH-{i:06d}", start_date=TODAY, expires_at=expires)
                for i, line in enumerate(rng.sample(range(1, BED_LINES + 1), HOLDS))
            ),
        )
        copy_models(
            VacancyReport,
            (
                VacancyReport(
                    pk=n,
                    location_id=n,
                    report_date=TODAY - timedelta(days=rng.randint(0, 20)),
                    care_type=rng.choice(CARE_TYPES[:4]),
                    vacant_beds=rng.randint(0, 5),
                )
                for n in range(1, HOMES + 1)
            ),
        )
        postcodes, seen = [], set()
        while len(postcodes) < POSTCODES:
            code = (
                f"{rng.choice('BCDEGHKLMNPRSTW')}{rng.choice('ABDEFGHLMNPRSTY')}{rng.randint(1, 99)} "
                f"{rng.randint(0, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
            )
            if code in seen:
                continue
            seen.add(code)
            postcodes.append(
                Postcode(
                    pk=len(postcodes) + 1,
                    postcode=code,
                    latitude=rng.uniform(*LAT_RANGE),
                    longitude=rng.uniform(*LON_RANGE),
                )
            )
        copy_models(Postcode, postcodes)
        with connection.cursor() as cursor:
            for model in [
                Locality,
                Provider,
                Location,
                Rating,
                Condition,
                Contract,
                BedLine,
                RateChange,
                Placement,
                Closure,
                Hold,
                VacancyReport,
                Postcode,
            ]:
                for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now: visibility map and statistics
    print(f"loaded the estate in {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--radius", type=float, default=20)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after warming up, as config.gunicorn does"
    )
    parser.add_argument("--scale", type=float, default=1, help="size of the estate, 1 = national (default)")
    args = parser.parse_args()
    estate_scale(args.scale)

    url = bench_database_url(args.scale)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False  # no query log: time what production does
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from contracts.models import BedLine, Placement
    from contracts.selectors import BedSearch, block_lines_sql
    from contracts.selectors.bed_finder import block_lines_state_sql, free_bed_state_ready
    from geo.models import Postcode
    from tests.factories import UserFactory

    rng = random.Random(20210118)
    import time_machine

    # The estate is built around TODAY: the clock says so, as the service's would on that day.
    clock = time_machine.travel(datetime.combine(TODAY, datetime.min.time().replace(hour=12)).astimezone(), tick=True)
    clock.start()
    from contracts.services.free_beds import free_bed_state_rebuild

    if args.rebuild or BedLine.objects.count() != BED_LINES:
        estate_load(rng)
    started = time.perf_counter()
    report = free_bed_state_rebuild()
    print(f"free-bed state rebuilt for {TODAY}: {report} in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE contracts_freebedstate")
    active = Placement.objects.filter(end_date__isnull=True).count()
    print(
        f"estate: {BedLine.objects.count():,} bed lines, {active:,} active placements, "
        f"{Postcode.objects.count():,} postcodes"
    )

    from rest_framework.test import APIClient

    from accounts.services import token_issue

    client = APIClient(SERVER_NAME="localhost")
    token = token_issue(user=UserFactory(username=f"bench-broker-{time.time_ns()}", roles=[Role.BROKER]))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")  # authenticated as a client is, every request
    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    care_types = CARE_TYPES[:4]

    def ask(postcode, care_type):
        return client.get(
            "/api/v1/beds/available/",
            {"care_type": care_type, "postcode": postcode, "radius_km": args.radius, "from": str(TODAY)},
        )

    for _ in range(30):  # warm up connections and caches
        ask(rng.choice(postcodes), rng.choice(care_types))

    assert free_bed_state_ready(TODAY)
    if args.gc_freeze:
        import gc

        gc.freeze()
    stack, bare, counted, results = [], [], [], []
    for _ in range(args.requests):
        postcode, care_type = rng.choice(postcodes), rng.choice(care_types)
        started = time.perf_counter()
        response = ask(postcode, care_type)
        stack.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        results.append(len(response.json()["block_beds"]))

        # The bare SQL of the same answer: the postcode lookup and the bed line query, no Django around them.
        point = Postcode.objects.get(postcode=postcode)
        search = BedSearch(
            care_type=care_type, on=TODAY, latitude=point.latitude, longitude=point.longitude, radius_km=args.radius
        )
        for timings, (sql, sql_params) in ((bare, block_lines_state_sql(search)), (counted, block_lines_sql(search))):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute("SELECT latitude, longitude FROM geo_postcode WHERE postcode = %s", [postcode])
                cursor.fetchall()
                cursor.execute(sql, sql_params)
                rows = cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            assert len(rows) >= results[-1]

    print(
        f"{args.requests} bed finder requests within {args.radius:g} km of random postcodes "
        f"(results per answer: mean {statistics.mean(results):.0f}, max {max(results)})"
    )
    print(
        f"  full Django stack: p50 {percentile(stack, 0.5):6.1f} ms   p95 {percentile(stack, 0.95):6.1f} ms   "
        f"max {max(stack):6.1f} ms"
    )
    print(
        f"  bare SQL (state):  p50 {percentile(bare, 0.5):6.1f} ms   p95 {percentile(bare, 0.95):6.1f} ms   "
        f"max {max(bare):6.1f} ms"
    )
    print(
        f"  bare SQL (counted): p50 {percentile(counted, 0.5):5.1f} ms   p95 {percentile(counted, 0.95):6.1f} ms   "
        f"max {max(counted):6.1f} ms   (the query a search for another day runs)"
    )
    goal = 10 if args.scale <= 1 else 15
    target = "met" if percentile(stack, 0.95) <= goal else "NOT met"
    print(f"  goal p95 <= {goal} ms through the stack at scale {args.scale:g}: {target}")

    # The void report over the same estate: one interval-sweep statement for every line, grouped, ordered and
    # paged in SQL. The whole report by district, then the first page by line as a commissioner asks for it
    # (the group count and the page), through the full stack.
    from contracts.selectors import void_report

    started = time.perf_counter()
    rows = list(void_report(start=date(2025, 4, 1), end=date(2026, 3, 31), group_by="district"))
    print(
        f"void report, whole estate, 2025-26 by district: {len(rows)} districts, "
        f"{sum(row.void_bed_days for row in rows):,} void bed-days in {time.perf_counter() - started:.2f} s"
    )
    client.force_authenticate(UserFactory(username=f"bench-commissioner-{time.time_ns()}", roles=[Role.COMMISSIONER]))
    for group_by in ("line", "district"):
        started = time.perf_counter()
        response = client.get("/api/v1/voids/", {"from": "2025-04-01", "to": "2026-03-31", "group_by": group_by})
        assert response.status_code == 200, response.content[:300]
        print(
            f"GET /api/v1/voids/ whole estate by {group_by}, first page of {len(response.json()['results'])} "
            f"(of {response.json()['count']:,} groups): {time.perf_counter() - started:.2f} s"
        )


if __name__ == "__main__":
    main()
