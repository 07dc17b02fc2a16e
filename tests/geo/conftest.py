"""Tiny boundary files written with geopandas into tmp_path, one maker per format."""

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.models import Locality, Postcode


def squares_frame(rows: list[tuple[str, str, tuple[float, float, float, float]]], *, code="WD13CD", name="WD13NM"):
    """rows: (code, name, (min_lon, min_lat, max_lon, max_lat)) -> GeoDataFrame in WGS84."""
    return gpd.GeoDataFrame(
        {code: [row[0] for row in rows], name: [row[1] for row in rows]},
        geometry=[box(*row[2]) for row in rows],
        crs="EPSG:4326",
    )


TWO_WARDS = [
    ("E05000001", "Ely North", (0.20, 52.40, 0.30, 52.50)),
    ("E05000002", "Ely South", (0.20, 52.30, 0.30, 52.40)),
]


def write_geojson(path: Path, features: list[dict], *, crs: str | None = "urn:ogc:def:crs:OGC:1.3:CRS84") -> Path:
    document = {"type": "FeatureCollection", "features": features}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(document))
    return path


def feature(code, name, geometry, **extra) -> dict:
    return {"type": "Feature", "properties": {"WD13CD": code, "WD13NM": name, **extra}, "geometry": geometry}


def polygon(min_lon, min_lat, max_lon, max_lat) -> dict:
    ring = [[min_lon, min_lat], [max_lon, min_lat], [max_lon, max_lat], [min_lon, max_lat], [min_lon, min_lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def two_wards_geojson(tmp_path) -> Path:
    return write_geojson(tmp_path / "wards.geojson", [feature(code, name, polygon(*b)) for code, name, b in TWO_WARDS])


@pytest.fixture
def two_wards_frame():
    return squares_frame(TWO_WARDS)


def zip_shapefile(frame: gpd.GeoDataFrame, folder: Path, stem: str = "wards") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_file(folder / f"{stem}.shp", driver="ESRI Shapefile", engine="pyogrio")
    archive = folder.parent / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.iterdir():
            zipped.write(part, arcname=part.name)
    return archive


def database_snapshot() -> list[tuple]:
    """Everything an import could touch, to show a rejected import left the database unchanged."""
    localities = list(
        Locality.objects.order_by("code").values_list(
            "code", "name", "kind", "parent_id", "geometry__boundary", "geometry__display_boundary", "updated_at"
        )
    )
    return [*localities, Locality.history.count(), Postcode.objects.count()]


@pytest.fixture(autouse=True)
def _uploads_in_tmp_path(settings, tmp_path):
    """Uploaded boundary files go to a temporary folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
