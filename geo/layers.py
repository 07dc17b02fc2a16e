"""Map layers: localities as GeoJSON FeatureCollections with their display geometry, cached and tagged
(ETag) by the version of the geography, and the extension point through which higher apps add properties.

Extension point. An app above geo (providers, contracts, market) adds properties to the map's features
without copying the view, from its AppConfig.ready():

    from geo.layers import register_layer_properties

    def voids_by_locality(localities):            # a list of Locality (id, code, kind, parent_id loaded)
        ...one query...
        return {locality.id: {"void_beds": 3, "void_cost_per_week": 2100.0}, ...}

    register_layer_properties("voids", voids_by_locality, version=voids_version)

A client asks for them with `?properties=voids` (several: `?properties=voids,ratings`). `version` is an
optional callable returning a short string that changes whenever the function's answers would change;
with it the response is cached like the plain layer, without it the layer is recomputed on each request
(the ETag still lets an unchanged answer return 304).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max

from core.errors import DomainError, NotFound
from geo.caching import cache_get, cache_set
from geo.models import Locality, LocalityKind

PropertiesFunction = Callable[[list[Locality]], dict[int, dict]]


@dataclass(frozen=True)
class LayerProperties:
    name: str
    function: PropertiesFunction
    version: Callable[[], str] | None = None
    staff_only: bool = False


_registry: dict[str, LayerProperties] = {}


def register_layer_properties(
    name: str, function: PropertiesFunction, *, version: Callable[[], str] | None = None, staff_only: bool = False
) -> None:
    """Offer extra feature properties under `name` (see the module docstring). Registering the same name
    again replaces the earlier function, so an app's ready() may run twice safely. `staff_only` properties
    (figures about other providers' work) are not offered to provider users."""
    if not name or not name.replace("_", "").isalnum():
        raise ValueError("A layer properties name is letters, digits and underscores.")
    _registry[name] = LayerProperties(name=name, function=function, version=version, staff_only=staff_only)


def unregister_layer_properties(name: str) -> None:
    _registry.pop(name, None)


def layer_properties_names(*, staff: bool = True) -> list[str]:
    """The names offered: all of them to council staff, those not `staff_only` to provider users."""
    return sorted(name for name, entry in _registry.items() if staff or not entry.staff_only)


@dataclass(frozen=True)
class Layer:
    body: bytes
    etag: str


def geography_version() -> str:
    """Changes whenever any locality is added, removed or changed (its updated_at), in one small query."""
    found = Locality.objects.aggregate(count=Count("id"), latest=Max("updated_at"), highest=Max("id"))
    latest = found["latest"].timestamp() if found["latest"] else 0
    return f"{found['count']}.{found['highest'] or 0}.{latest:.6f}"


def _properties_wanted(names: list[str]) -> list[LayerProperties]:
    unknown = [name for name in names if name not in _registry]
    if unknown:
        offered = ", ".join(layer_properties_names()) or "none"
        raise DomainError(f"Unknown layer properties {', '.join(unknown)}; offered: {offered}.", field="properties")
    return [_registry[name] for name in sorted(set(names))]


def _etag(*parts: str) -> str:
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def _feature(row: dict, extra: dict | None) -> dict:
    properties = {
        "code": row["code"],
        "name": row["name"],
        "kind": row["kind"],
        "parent": row["parent__code"],
        "area_km2": row["area_km2"],
        "centroid": [row["centroid_longitude"], row["centroid_latitude"]]
        if row["centroid_latitude"] is not None
        else None,
    }
    if extra:
        properties.update(extra)
    return {
        "type": "Feature",
        "id": row["code"],
        "properties": properties,
        "geometry": row["geometry__display_boundary"],
    }


FEATURE_COLUMNS = (
    "id",
    "code",
    "name",
    "kind",
    "parent_id",
    "parent__code",
    "area_km2",
    "centroid_latitude",
    "centroid_longitude",
    "geometry__display_boundary",
)


def _extras(wanted: list[LayerProperties], rows: list[dict]) -> dict[int, dict]:
    if not wanted or not rows:
        return {}
    localities = [
        Locality(id=row["id"], code=row["code"], kind=row["kind"], parent_id=row["parent_id"]) for row in rows
    ]
    merged: dict[int, dict] = {}
    for entry in wanted:
        for locality_id, values in (entry.function(localities) or {}).items():
            merged.setdefault(locality_id, {}).update(values)
    return merged


def _dump(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _cached(key_parts: list[str], wanted: list[LayerProperties], build: Callable[[], dict]) -> Layer:
    versions = [entry.version() if entry.version else None for entry in wanted]
    if all(version is not None for version in versions):
        etag = _etag(*key_parts, *[f"{entry.name}={version}" for entry, version in zip(wanted, versions, strict=True)])
        key = f"geo:layer:{etag.strip(chr(34))}"
        body = cache_get(key)  # a cache outage builds the layer afresh rather than failing
        if body is None:
            body = _dump(build())
            cache_set(key, body, timeout=settings.GEO_LAYER_CACHE_SECONDS)
        return Layer(body=body, etag=etag)
    body = _dump(build())
    return Layer(body=body, etag=_etag(*key_parts, hashlib.sha256(body).hexdigest()))


def locality_layer(
    *, kind: LocalityKind | str | None, parent: Locality | None, properties: list[str] | tuple = ()
) -> Layer:
    """The localities of a kind (and/or children of a parent) as a GeoJSON FeatureCollection."""
    if not kind and parent is None:
        raise DomainError("Say which localities: give kind (e.g. district) or parent (a code), or both.", field="kind")
    if kind and kind not in LocalityKind.values:
        raise DomainError(f"Unknown kind {kind!r}; kinds are {', '.join(LocalityKind.values)}.", field="kind")
    wanted = _properties_wanted(list(properties))

    def build() -> dict:
        queryset = Locality.objects.all()
        if kind:
            queryset = queryset.filter(kind=kind)
        if parent is not None:
            queryset = queryset.filter(parent=parent)
        rows = list(queryset.order_by("name", "code").values(*FEATURE_COLUMNS))
        extras = _extras(wanted, rows)
        return {"type": "FeatureCollection", "features": [_feature(row, extras.get(row["id"])) for row in rows]}

    return _cached(["layer", geography_version(), kind or "", parent.code if parent else ""], wanted, build)


def locality_feature(*, code: str, properties: list[str] | tuple = ()) -> Layer:
    """One locality as a GeoJSON Feature, with its members' codes (for areas made of other localities)."""
    wanted = _properties_wanted(list(properties))

    def build() -> dict:
        rows = list(Locality.objects.filter(code=code).values(*FEATURE_COLUMNS, "source", "attribution"))
        if not rows:
            raise NotFound(f"There is no locality with code {code}.", field="code")
        row = rows[0]
        feature = _feature(row, _extras(wanted, rows).get(row["id"]))
        feature["properties"]["members"] = sorted(
            Locality.members.through.objects.filter(from_locality_id=row["id"]).values_list(
                "to_locality__code", flat=True
            )
        )
        feature["properties"]["source"] = row["source"]
        feature["properties"]["attribution"] = row["attribution"]
        return feature

    return _cached(["feature", geography_version(), code], wanted, build)


def locality_figures(*, kind: LocalityKind | str, properties: list[str] | tuple = ()) -> list[dict]:
    """The properties of a layer's features without their geometry: the table of areas and figures shown
    beside a map, from the same registered functions as the layer, and cached the same way (a table of its
    own, so a page reads a few kilobytes rather than the whole layer)."""
    if kind not in LocalityKind.values:
        raise DomainError(f"Unknown kind {kind!r}; kinds are {', '.join(LocalityKind.values)}.", field="kind")
    wanted = _properties_wanted(list(properties))
    columns = [column for column in FEATURE_COLUMNS if column != "geometry__display_boundary"]

    def build() -> dict:
        rows = list(Locality.objects.filter(kind=kind).order_by("name", "code").values(*columns))
        extras = _extras(wanted, rows)
        figures = [_feature({**row, "geometry__display_boundary": None}, extras.get(row["id"])) for row in rows]
        return {"figures": [feature["properties"] for feature in figures]}

    return json.loads(_cached(["figures", geography_version(), kind], wanted, build).body)["figures"]
