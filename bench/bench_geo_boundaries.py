"""Benchmark: the national district TopoJSON import, its unchanged re-import, and the district map layers.

Targets (issue 3): importing england_lad_2013.topojson (326 districts, no CRS declared) under 10 s; the
national district layer under 1.5 MB; the county district layer served from cache under 50 ms.
Run against PostgreSQL: DATABASE_URL=postgres://... .venv/bin/python bench/bench_geo_boundaries.py
Everything happens in one transaction that is rolled back at the end, so the database is left as it was.
"""

import gc
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User, role_group  # noqa: E402
from accounts.roles import Role  # noqa: E402
from geo.demo import demo_load  # noqa: E402
from geo.layers import locality_layer  # noqa: E402
from geo.services import boundaries_import  # noqa: E402

NATIONAL = Path(os.getenv("BENCH_TOPOJSON", Path(__file__).resolve().parents[1] / "geo/data/england_lad_2013.topojson"))
FIELDS = {"kind": "district", "code_field": "LAD13CD", "name_field": "LAD13NM"}


class RollBack(Exception):
    pass


def main() -> None:
    try:
        with transaction.atomic():
            started = time.perf_counter()
            counts = demo_load()
            print(f"demo geography (for the counties): {counts} in {time.perf_counter() - started:.2f} s")

            started = time.perf_counter()
            report = boundaries_import(path=NATIONAL, **FIELDS)
            took = time.perf_counter() - started
            print(
                f"national district TopoJSON import: {report.summary()}; "
                f"{report.parents_by_containment} parents by containment: {took:.2f} s (target < 10 s)"
            )

            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                again = boundaries_import(path=NATIONAL, **FIELDS)
                took = time.perf_counter() - started
            writes = sum(q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE") for q in queries.captured_queries)
            print(
                f"unchanged re-import: {again.created} created, {again.updated} updated, {writes} write statements: "
                f"{took:.2f} s"
            )

            started = time.perf_counter()
            national = locality_layer(kind="district", parent=None)
            took = time.perf_counter() - started
            print(
                f"national district layer: {len(national.body) / 1e6:.2f} MB "
                f"({len(gzip.compress(national.body)) / 1e6:.2f} MB gzipped), built in {took * 1000:.0f} ms "
                "(target < 1.5 MB)"
            )

            user = User.objects.create(username="bench-geo-commissioner")
            user.groups.add(role_group(Role.COMMISSIONER))
            client = Client(SERVER_NAME="localhost")
            client.force_login(user)
            url = "/api/v1/geo/localities/?kind=district&parent=E10000003"
            started = time.perf_counter()
            first = client.get(url)
            cold = time.perf_counter() - started
            assert first.status_code == 200, first.content[:300]
            # The imports above left millions of objects for the collector; a web worker would not carry them,
            # so they are frozen out of the timed requests.
            gc.collect()
            gc.freeze()
            timings = []
            for _ in range(50):
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200
            not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
            print(
                f"Cambridgeshire district layer ({len(first.content) / 1000:.0f} kB): first request "
                f"{cold * 1000:.1f} ms, from cache median {statistics.median(timings) * 1000:.1f} ms, "
                f"95th percentile {statistics.quantiles(timings, n=20)[-1] * 1000:.1f} ms, "
                f"slowest {max(timings) * 1000:.1f} ms over 50 (target < 50 ms); "
                f"If-None-Match -> {not_modified.status_code}"
            )
            raise RollBack
    except RollBack:
        pass


if __name__ == "__main__":
    main()
