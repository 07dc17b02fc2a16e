"""Reading boundary files into rows, before any checking: GeoJSON and newline-delimited GeoJSON are parsed
here feature by feature (so an unreadable geometry is reported with its row), TopoJSON, GeoPackage and
(zipped) shapefiles through GDAL (pyogrio)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from core.errors import ImportRejected

GEOJSON_SEQUENCE_SUFFIXES = (".geojsonl", ".geojsons", ".geojsonseq", ".ndjson", ".jsonl")


@dataclass
class Row:
    number: int  # 1-based, as a person counts features (or lines, for newline-delimited files)
    properties: dict
    geometry: BaseGeometry | None
    geometry_error: str = ""


@dataclass
class BoundaryFile:
    format: str
    rows: list[Row]
    fields: set[str]
    declared_crs: CRS | None
    notes: list[str] = field(default_factory=list)


def _reject(message: str, *, row: int | None = None, field_name: str | None = "file") -> ImportRejected:
    return ImportRejected(message, problems=[{"row": row, "field": field_name, "message": message}])


def _crs_of_geojson(document: dict) -> CRS | None:
    name = ((document.get("crs") or {}).get("properties") or {}).get("name")
    if not name:
        return None
    try:
        return CRS.from_user_input(name)
    except Exception as exc:  # pyproj raises CRSError; any unreadable CRS is the file's fault
        raise _reject(
            f"The file declares a coordinate reference system that cannot be read: {name}", field_name="crs"
        ) from exc


def _row(number: int, feature) -> Row:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return Row(number, {}, None, "is not a GeoJSON Feature")
    properties = feature.get("properties") or {}
    geometry = feature.get("geometry")
    if geometry is None:
        return Row(number, properties, None, "has no geometry")
    try:
        parsed = shapely.from_geojson(json.dumps(geometry))
    except Exception as exc:  # shapely raises GEOSException/ValueError for malformed coordinates
        return Row(number, properties, None, f"has an unreadable geometry ({str(exc).splitlines()[0][:120]})")
    return Row(number, properties, parsed)


def _read_geojson(path: Path) -> BoundaryFile:
    try:
        with path.open("rb") as handle:
            document = json.load(handle)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            # More JSON after the first document: features one a line whose first line is too long to sniff.
            return _read_geojson_sequence(path)
        raise _reject(f"The file is not valid JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise _reject(f"The file is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise _reject("The file is not a GeoJSON FeatureCollection.")
    if document.get("type") == "Feature":
        features = [document]
    elif document.get("type") == "FeatureCollection" and isinstance(document.get("features"), list):
        features = document["features"]
    else:
        raise _reject("The file is not a GeoJSON FeatureCollection.")
    rows = [_row(number, feature) for number, feature in enumerate(features, start=1)]
    fields = {key for row in rows for key in row.properties}
    return BoundaryFile("GeoJSON", rows, fields, _crs_of_geojson(document))


def _read_geojson_sequence(path: Path) -> BoundaryFile:
    rows = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip().lstrip(b"\x1e")  # RFC 8142 record separators
            if not text:
                continue
            try:
                feature = json.loads(text)
            except (UnicodeDecodeError, json.JSONDecodeError):
                rows.append(Row(number, {}, None, "is not a readable JSON feature"))
                continue
            rows.append(_row(number, feature))
    fields = {key for row in rows for key in row.properties}
    return BoundaryFile("newline-delimited GeoJSON", rows, fields, None)


def _read_with_gdal(path: Path, *, layer: str | None, format_name: str) -> BoundaryFile:
    import pyogrio

    # GDAL opens a zip by its .zip name; the braces make it open one under any name (an upload kept as .dat).
    source = f"/vsizip/{{{path}}}" if format_name == "zipped shapefile" else path
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise _reject(f"The file cannot be read as {format_name}: {exc}") from exc
    if layer and layer not in layers:
        raise _reject(f"The file has no layer {layer!r}; its layers are: {', '.join(layers)}.", field_name="layer")
    if not layer and len(layers) > 1:
        raise _reject(f"The file has several layers; choose one with --layer: {', '.join(layers)}.", field_name="layer")
    try:
        frame = pyogrio.read_dataframe(source, layer=layer or layers[0], on_invalid="ignore")
    except Exception as exc:
        raise _reject(f"The file cannot be read as {format_name}: {exc}") from exc
    columns = [column for column in frame.columns if column != "geometry"]
    records = frame[columns].to_dict("records")
    rows = []
    for number, (properties, geometry) in enumerate(zip(records, frame.geometry.array, strict=True), start=1):
        properties = {key: (None if value != value else value) for key, value in properties.items()}  # NaN -> None
        if geometry is None:
            rows.append(Row(number, properties, None, "has no readable geometry"))
        else:
            rows.append(Row(number, properties, geometry))
    declared = CRS.from_user_input(frame.crs) if frame.crs is not None else None
    return BoundaryFile(format_name, rows, set(columns), declared)


def _sniff(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n\x1e")
    if b'"Topology"' in head:
        return "TopoJSON"
    first_line = text.split(b"\n", 1)[0].strip()
    if first_line.startswith(b"{"):
        try:
            if json.loads(first_line).get("type") == "Feature" and b"\n" in text.strip():
                return "newline-delimited GeoJSON"
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            pass
        return "GeoJSON"
    if head.startswith(b"PK"):
        return "zipped shapefile"
    if head.startswith(b"SQLite format 3"):
        return "GeoPackage"
    raise _reject("The file is not GeoJSON, newline-delimited GeoJSON, TopoJSON, GeoPackage or a zipped shapefile.")


def boundary_file_read(path: str | Path, *, layer: str | None = None) -> BoundaryFile:
    """Read a boundary file of any supported format; unreadable files raise ImportRejected."""
    path = Path(path)
    if not path.exists():
        raise _reject(f"There is no file at {path}.")
    suffix = path.suffix.lower()
    if suffix == ".shp":
        return _read_with_gdal(path, layer=layer, format_name="shapefile")
    kind = _sniff(path)
    if kind in ("TopoJSON", "zipped shapefile", "GeoPackage"):
        return _read_with_gdal(path, layer=layer, format_name=kind)
    if kind == "newline-delimited GeoJSON" or suffix in GEOJSON_SEQUENCE_SUFFIXES:
        return _read_geojson_sequence(path)
    return _read_geojson(path)
