"""Benchmark: a micro-enterprise programme's figures, state of health and micro_enterprise_hours at scale.

A county-wide programme over 10 districts of 20 wards each, 10 years (40 quarters), with 5,000 micro-enterprises
(each an enquiry, most developing, two thirds trading, some ceased) and 4 returns each; the rows are written in
bulk (the figures read them, they do not care how they came). Then the figures over the API's selector, the
state of health and the capacity gaps' micro_enterprise_hours, each timed and with its query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench_micro \
        .venv/bin/python bench/bench_market_programme_figures.py

Everything happens in one transaction that is rolled back at the end, so the database is left as it was.
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from geo.models import Locality  # noqa: E402
from market.models import (  # noqa: E402
    MicroEnterprise,
    MicroEnterpriseReturn,
    MicroEnterpriseStatusChange,
    Programme,
    ProgrammeQuarter,
    ProgrammeYear,
)
from market.selectors.micro_enterprises import micro_enterprise_hours  # noqa: E402
from market.selectors.programmes import programme_figures, programme_health  # noqa: E402

ENTERPRISES = int(os.getenv("BENCH_MICRO_ENTERPRISES", "5000"))
DISTRICTS, WARDS_EACH, YEARS = 10, 20, 10
START = date(2021, 1, 1)


class RollBack(Exception):
    pass


def build() -> Programme:
    random.seed(10)
    county = Locality.objects.create(code="BENCH-COUNTY", name="Bench county", kind="county")
    wards = []
    for d in range(DISTRICTS):
        district = Locality.objects.create(code=f"BENCH-D{d:02d}", name=f"District {d}", kind="district", parent=county)
        wards += Locality.objects.bulk_create(
            Locality(code=f"BENCH-W{d:02d}{w:02d}", name=f"Ward {d}-{w}", kind="ward", parent=district)
            for w in range(WARDS_EACH)
        )
    programme = Programme.objects.create(name="Bench programme", start_date=START)
    programme.areas.set([county])
    ProgrammeYear.objects.bulk_create(
        ProgrammeYear(programme=programme, year=y, enquiries_target=400, trading_target=125, hours_per_week_target=750)
        for y in range(1, YEARS + 1)
    )
    ProgrammeQuarter.objects.bulk_create(
        ProgrammeQuarter(programme=programme, quarter=q, planned_hours_per_week=25 * q, spending=Decimal(15000))
        for q in range(1, 4 * YEARS + 1)
    )
    days = (date(2030, 6, 30) - START).days
    enterprises, histories = [], []
    for n in range(ENTERPRISES):
        enquiry = START + timedelta(days=random.randrange(days))
        steps = [("enquiry", enquiry)]
        if n % 4:
            steps.append(("developing", enquiry + timedelta(days=20)))
        if n % 3:
            steps.append(("trading", enquiry + timedelta(days=60)))
            if n % 11 == 0:
                steps.append(("ceased", enquiry + timedelta(days=400)))
        status, since = steps[-1]
        enterprises.append(
            MicroEnterprise(trading_name=f"Carer {n}", locality=random.choice(wards), status=status, status_since=since)
        )
        histories.append(steps)
    enterprises = MicroEnterprise.objects.bulk_create(enterprises, batch_size=2000)
    changes, returns = [], []
    for enterprise, steps in zip(enterprises, histories, strict=True):
        changes += [MicroEnterpriseStatusChange(micro_enterprise=enterprise, status=s, on=d) for s, d in steps]
        trading = [d for s, d in steps if s == "trading"]
        if trading:
            returns += [
                MicroEnterpriseReturn(
                    micro_enterprise=enterprise,
                    from_date=trading[0] + timedelta(days=90 * k),
                    hours_per_week=Decimal(random.randint(2, 20)),
                    people_supported=random.randint(1, 4),
                )
                for k in range(4)
            ]
    MicroEnterpriseStatusChange.objects.bulk_create(changes, batch_size=5000)
    MicroEnterpriseReturn.objects.bulk_create(returns, batch_size=5000)
    print(f"built {ENTERPRISES:,} micro-enterprises, {len(changes):,} status changes, {len(returns):,} returns")
    return programme


def timed(name: str, call, runs: int = 5):
    best, queries = None, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
        queries = len(captured)
    print(f"{name}: best of {runs} {best * 1000:.0f} ms, {queries} queries")
    return best


def main() -> None:
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL; figures are for", connection.vendor)
    try:
        with transaction.atomic():
            programme = build()
            on = date(2030, 12, 31)
            timed(
                "figures, 40 quarters",
                lambda: programme_figures(programme=Programme.objects.get(pk=programme.pk), on=on),
            )
            timed("state of health, 200 wards", lambda: programme_health(programme=programme, on=on))
            timed("micro_enterprise_hours", lambda: micro_enterprise_hours(on=on))
            raise RollBack
    except RollBack:
        pass


if __name__ == "__main__":
    main()
