"""Benchmark: assign 50,000 random points in England to their districts (localities_at, geopandas sjoin).

Target (issue 3): under 5 s. The national district boundaries are imported first (not timed), inside one
transaction that is rolled back at the end, so the database is left as it was.
Run against PostgreSQL: DATABASE_URL=postgres://... .venv/bin/python bench/bench_geo_points.py
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.db import transaction  # noqa: E402

from geo import selectors  # noqa: E402
from geo.models import Locality, LocalityBoundary  # noqa: E402
from geo.selectors import localities_at  # noqa: E402
from geo.services import boundaries_import  # noqa: E402

NATIONAL = Path(os.getenv("BENCH_TOPOJSON", Path(__file__).resolve().parents[1] / "geo/data/england_lad_2013.topojson"))
POINTS = int(os.getenv("BENCH_POINTS", "50000"))


class RollBack(Exception):
    pass


def random_points_in_england(count: int) -> list[tuple[float, float]]:
    """Uniform in England's bounding box, keeping only points on land inside a district."""
    boundaries = LocalityBoundary.objects.filter(locality__kind="district").values_list("boundary", flat=True)
    england = shapely.union_all([shapely.from_geojson(json.dumps(value)) for value in boundaries])
    shapely.prepare(england)
    xmin, ymin, xmax, ymax = england.bounds
    rng = np.random.default_rng(3)
    kept: list[np.ndarray] = []
    while sum(len(chunk) for chunk in kept) < count:
        lon, lat = rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)
        inside = shapely.contains_xy(england, lon, lat)
        kept.append(np.column_stack([lat[inside], lon[inside]]))
    return [tuple(point) for point in np.concatenate(kept)[:count]]


def main() -> None:
    try:
        with transaction.atomic():
            boundaries_import(path=NATIONAL, kind="district", code_field="LAD13CD", name_field="LAD13NM")
            points = random_points_in_england(POINTS)
            selectors._parsed.clear()
            started = time.perf_counter()
            [one] = localities_at(points[:1])
            print(
                f"one point, nothing parsed yet: {len(selectors._parsed)} of {Locality.objects.count()} "
                f"district boundaries parsed, in {(time.perf_counter() - started) * 1000:.1f} ms "
                f"(placed: {one.district_id is not None})"
            )
            selectors._parsed.clear()
            for label in ("first call (parses the boundaries)", "second call (boundaries already parsed)"):
                started = time.perf_counter()
                found = localities_at(points)
                took = time.perf_counter() - started
                placed = sum(assignment.district_id is not None for assignment in found)
                print(
                    f"{len(points):,} random points in England, {label}: {placed:,} placed in a district "
                    f"in {took:.2f} s (target < 5 s)"
                )
            raise RollBack
    except RollBack:
        pass


if __name__ == "__main__":
    main()
