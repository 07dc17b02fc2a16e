"""Boundary import: check a whole file, then upsert its localities by code in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from pyproj import CRS
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.errors import ImportRejected
from geo.geometry import MEASURE_FIELDS, WGS84, as_geojson, from_geojson, measures_of, repaired
from geo.models import Locality, LocalityBoundary, LocalityKind
from geo.services.composites import boundaries_write, composites_refresh, displays_refresh
from geo.services.reading import BoundaryFile, boundary_file_read

# Which kind of locality a new boundary's parent is found among, by largest overlap.
PARENT_KIND = {
    LocalityKind.WARD: LocalityKind.DISTRICT,
    LocalityKind.DISTRICT: LocalityKind.COUNTY,
    LocalityKind.COUNTY: LocalityKind.REGION,
    LocalityKind.REGION: LocalityKind.COUNTRY,
}
# A parent must hold at least this share of the child's area: a ward never straddles districts by more than
# a sliver of generalisation, so a lower share means the right parent is not loaded yet.
PARENT_MIN_SHARE = 0.5
WRITTEN_FIELDS = ["name", "kind", "parent", "source", "attribution", *MEASURE_FIELDS]

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BoundaryImportReport:
    kind: str
    format: str = ""
    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: int = 0
    parents_by_containment: int = 0
    without_parent: int = 0
    composites_recomputed: int = 0
    displays_updated: int = 0
    # Children placed, with allow_distant_parent, under a given parent holding less than half of them:
    # {"row", "code", "parent", "share"} each, share being the part of the child's area the parent holds.
    distant_parents: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.features} {self.kind} boundaries from {self.format}: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.repaired} repaired"
        )


@dataclass
class _Checked:
    row: int
    code: str
    name: str
    parent_code: str | None
    geometry: shapely.MultiPolygon


def _problem(problems: list[dict], row: int | None, field_name: str | None, message: str) -> None:
    problems.append({"row": row, "field": field_name, "message": message})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_wgs84(crs: CRS) -> bool:
    return crs.equals(CRS.from_epsg(4326), ignore_axis_order=True) or crs.equals(
        CRS.from_user_input("OGC:CRS84"), ignore_axis_order=True
    )


def _plausible_longitude_latitude(geometries: list) -> bool:
    if not geometries:
        return True
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.asarray(geometries, dtype=object))
    return -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


def _source_crs(file: BoundaryFile, crs: str | None, geometries: list, problems: list[dict], notes: list[str]):
    given = None
    if crs:
        try:
            given = CRS.from_user_input(crs)
        except Exception:  # pyproj.exceptions.CRSError
            _problem(problems, None, "crs", f"{crs!r} is not a coordinate reference system pyproj knows.")
            return None
    declared = file.declared_crs
    if declared is not None and given is not None and not declared.equals(given, ignore_axis_order=True):
        _problem(problems, None, "crs", f"The file declares {declared.to_string()} but {crs} was given; remove --crs.")
        return None
    if declared is not None:
        return declared
    if given is not None:
        notes.append(f"The file declares no coordinate reference system; {crs} was given and used.")
        return given
    if _plausible_longitude_latitude(geometries):
        notes.append(
            "The file declares no coordinate reference system; every coordinate is a plausible "
            "longitude/latitude, so WGS84 (EPSG:4326) was assumed."
        )
        return CRS.from_epsg(4326)
    _problem(
        problems,
        None,
        "crs",
        "The file declares no coordinate reference system and its coordinates are not longitude/latitude: "
        "give one, e.g. --crs EPSG:27700 for British National Grid.",
    )
    return None


def _check(
    file: BoundaryFile,
    *,
    kind: str,
    code_field: str,
    name_field: str,
    parent_field: str | None,
    crs: str | None,
    notes: list[str],
    progress: Progress | None,
) -> tuple[list[_Checked], int]:
    """Everything that can be wrong with the file, found before anything is written."""
    problems: list[dict] = []
    if not file.rows:
        raise ImportRejected(
            "The file has no features.", problems=[{"row": None, "field": "file", "message": "no features"}]
        )
    for wanted in (code_field, name_field, parent_field):
        if wanted and wanted not in file.fields:
            _problem(
                problems,
                None,
                wanted,
                f"The file has no field {wanted!r}; its fields are {', '.join(sorted(file.fields))}.",
            )
    if problems:
        raise ImportRejected("The boundary file was rejected; nothing was imported.", problems=problems)

    seen: dict[str, int] = {}
    kept: list[tuple[int, str, str, str | None, object]] = []
    total = len(file.rows)
    for index, row in enumerate(file.rows):
        code = _text(row.properties.get(code_field))
        name = _text(row.properties.get(name_field))
        parent_code = _text(row.properties.get(parent_field)) if parent_field else None
        if not code:
            _problem(problems, row.number, code_field, "The code is missing.")
        elif code in seen:
            _problem(problems, row.number, code_field, f"Code {code} is a duplicate of row {seen[code]}.")
        else:
            seen[code] = row.number
        if not name:
            _problem(problems, row.number, name_field, "The name is missing.")
        if parent_field and not parent_code:
            _problem(problems, row.number, parent_field, "The parent code is missing.")
        geometry = row.geometry
        if geometry is None:
            _problem(problems, row.number, "geometry", f"The feature {row.geometry_error or 'has no geometry'}.")
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            _problem(
                problems,
                row.number,
                "geometry",
                f"The geometry is a {geometry.geom_type}; only Polygon and MultiPolygon boundaries can be imported.",
            )
        elif geometry.is_empty:
            _problem(problems, row.number, "geometry", "The geometry is empty.")
        else:
            kept.append((row.number, code, name, parent_code, geometry))
        if progress and (index % 500 == 0 or index == total - 1):
            progress("checking", index + 1, total)

    source_crs = _source_crs(file, crs, [item[4] for item in kept], problems, notes)
    if problems:
        raise ImportRejected("The boundary file was rejected; nothing was imported.", problems=problems)

    geometries = [item[4] for item in kept]
    if not _is_wgs84(source_crs):
        import geopandas as gpd

        geometries = list(gpd.GeoSeries(geometries, crs=source_crs).to_crs(WGS84).array)
        notes.append(f"Reprojected from {source_crs.name} ({source_crs.to_string()}) to WGS84.")
    # Checked whether or not anything was reprojected: a file of metres labelled (or said to be) WGS84
    # would otherwise be stored as if its metres were degrees.
    if not _plausible_longitude_latitude(geometries):
        _problem(
            problems,
            None,
            "crs",
            f"Read as {source_crs.to_string()}, the coordinates are not longitude/latitude: "
            "is that the file's coordinate reference system?",
        )
        raise ImportRejected("The boundary file was rejected; nothing was imported.", problems=problems)

    checked = []
    repaired_count = 0
    for (number, code, name, parent_code, _), geometry in zip(kept, geometries, strict=True):
        fixed, was_repaired = repaired(geometry)
        if fixed is None:
            _problem(problems, number, "geometry", "The geometry has no area once its self-intersections are repaired.")
            continue
        repaired_count += was_repaired
        checked.append(_Checked(number, code, name, parent_code, fixed))

    codes = [item.code for item in checked]
    other_kinds = dict(Locality.objects.filter(code__in=codes).exclude(kind=kind).values_list("code", "kind"))
    for item in checked:
        if item.code in other_kinds:
            _problem(
                problems,
                seen[item.code],
                code_field,
                f"Code {item.code} already belongs to a {other_kinds[item.code]}.",
            )
    if parent_field:
        known = set(
            Locality.objects.filter(code__in={item.parent_code for item in checked}).values_list("code", flat=True)
        )
        for item in checked:
            if item.parent_code in seen:
                # Parents are looked up before anything is written, so one in this file would be left unset.
                _problem(
                    problems,
                    seen[item.code],
                    parent_field,
                    f"The parent {item.parent_code} is in this file; import parents before their children.",
                )
            elif item.parent_code not in known:
                _problem(problems, seen[item.code], parent_field, f"There is no locality with code {item.parent_code}.")
    if problems:
        raise ImportRejected("The boundary file was rejected; nothing was imported.", problems=problems)
    return checked, repaired_count


def _parents_by_containment(kind: str, items: list[_Checked]) -> dict[str, int]:
    """code -> id of the locality of the parent kind that holds the largest share of its area."""
    import geopandas as gpd

    parent_kind = PARENT_KIND.get(kind)
    if parent_kind is None or not items:
        return {}
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.asarray([item.geometry for item in items], dtype=object))
    candidates = list(
        LocalityBoundary.objects.filter(
            locality__kind=parent_kind,
            locality__max_longitude__gte=xmin,
            locality__min_longitude__lte=xmax,
            locality__max_latitude__gte=ymin,
            locality__min_latitude__lte=ymax,
        ).values_list("locality_id", "boundary")
    )
    if not candidates:
        return {}
    children = gpd.GeoDataFrame({"code": [item.code for item in items]}, geometry=[item.geometry for item in items])
    parents = gpd.GeoDataFrame(
        {"parent_id": [pk for pk, _ in candidates]}, geometry=[from_geojson(value) for _, value in candidates]
    )
    pairs = gpd.sjoin(children, parents, how="inner", predicate="intersects")
    if pairs.empty:
        return {}
    child_geometry = children.geometry.array[pairs.index.to_numpy()]
    parent_geometry = parents.geometry.array[pairs["index_right"].to_numpy()]
    # Shares of one child's own area, so degrees squared compare fairly.
    shares = shapely.area(shapely.intersection(np.asarray(child_geometry), np.asarray(parent_geometry)))
    shares = shares / shapely.area(np.asarray(child_geometry))
    pairs = pairs.assign(share=shares)
    pairs = pairs[pairs["share"] >= PARENT_MIN_SHARE].sort_values("share", ascending=False)
    best = pairs[~pairs.index.duplicated(keep="first")]
    return {str(code): int(parent_id) for code, parent_id in zip(best["code"], best["parent_id"], strict=True)}


def _shares_held(items: list[_Checked], parent_ids: list[int]) -> list[float | None]:
    """For each child, the share of its area that its given parent's boundary holds (None: the parent has
    no boundary, so nothing can be said)."""
    boundaries = dict(
        LocalityBoundary.objects.filter(locality__in=set(parent_ids)).values_list("locality_id", "boundary")
    )
    parsed = {pk: from_geojson(value) for pk, value in boundaries.items()}
    shares: list[float | None] = []
    for item, parent_id in zip(items, parent_ids, strict=True):
        parent = parsed.get(parent_id)
        if parent is None:
            shares.append(None)
            continue
        area = item.geometry.area
        # Shares of one child's own area, so degrees squared compare fairly.
        shares.append(float(shapely.intersection(item.geometry, parent).area / area) if area else 1.0)
    return shares


def _given_parents_check(
    items: list[_Checked],
    parent_ids: dict[str, int],
    *,
    field_name: str,
    allow_distant_parent: bool,
    report: BoundaryImportReport,
) -> None:
    """A parent named by the file or the caller must hold at least PARENT_MIN_SHARE of each child: a parent
    holding less is almost always the wrong code (Cambridge's wards given Peterborough, 50 km away). Refused
    with row and field unless allow_distant_parent, when the report lists each such child instead."""
    placed = [item for item in items if item.code in parent_ids]
    if not placed:
        return
    shares = _shares_held(placed, [parent_ids[item.code] for item in placed])
    codes = dict(Locality.objects.filter(pk__in=set(parent_ids.values())).values_list("id", "code"))
    problems: list[dict] = []
    unchecked: set[str] = set()
    for item, share in zip(placed, shares, strict=True):
        if share is None:
            unchecked.add(codes[parent_ids[item.code]])
            continue
        if share >= PARENT_MIN_SHARE:
            continue
        parent_code = codes[parent_ids[item.code]]
        if allow_distant_parent:
            report.distant_parents.append(
                {"row": item.row, "code": item.code, "parent": parent_code, "share": round(share, 4)}
            )
        else:
            _problem(
                problems,
                item.row,
                field_name,
                f"The parent {parent_code} holds {share:.0%} of {item.code}'s area; a parent must hold at "
                "least half. Check the parent's code, or allow a distant parent to import it anyway.",
            )
    if problems:
        raise ImportRejected("The boundary file was rejected; nothing was imported.", problems=problems)
    if unchecked:
        report.notes.append(
            f"The parents {', '.join(sorted(unchecked))} have no boundary yet, so whether they hold their "
            "children was not checked."
        )
    if report.distant_parents:
        report.notes.append(
            f"{len(report.distant_parents)} {report.kind} boundaries were placed under a parent holding less "
            "than half of their area: " + ", ".join(f"{d['code']} in {d['parent']}" for d in report.distant_parents)
        )


def boundaries_import(
    *,
    path: str | Path,
    kind: LocalityKind | str,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    parent_code: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    source: str | None = None,
    attribution: str = "",
    allow_distant_parent: bool = False,
    progress: Progress | None = None,
) -> BoundaryImportReport:
    """Import a boundary file as localities of one kind, upserting by code.

    The whole file is checked first; any bad row (missing or duplicate code, unreadable or non-polygon
    geometry, unknown parent) rejects it with ImportRejected listing row and field, and nothing is written.
    Parents come from `parent_field`, else `parent_code` for every feature, else the locality of the next
    kind up holding the largest share of the area. A given parent (field or code) holding less than half of
    a child's area rejects the file, unless `allow_distant_parent`: then the report's `distant_parents`
    lists those children. Re-importing an unchanged file writes nothing."""
    kind = LocalityKind(kind)
    report = BoundaryImportReport(kind=kind.value)
    file = boundary_file_read(path, layer=layer)
    report.format = file.format
    checked, report.repaired = _check(
        file,
        kind=kind,
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field,
        crs=crs,
        notes=report.notes,
        progress=progress,
    )
    report.features = len(checked)
    if report.repaired:
        report.notes.append(f"{report.repaired} invalid (self-intersecting) boundaries were repaired.")
    fixed_parent_id = None
    if parent_code:
        fixed_parent_id = Locality.objects.filter(code=parent_code).values_list("id", flat=True).first()
        if fixed_parent_id is None:
            raise ImportRejected(
                "The boundary file was rejected; nothing was imported.",
                problems=[
                    {"row": None, "field": "parent", "message": f"There is no locality with code {parent_code}."}
                ],
            )
    if parent_field:
        by_code = dict(
            Locality.objects.filter(code__in={item.parent_code for item in checked}).values_list("code", "id")
        )
        given = {item.code: by_code[item.parent_code] for item in checked}
    elif fixed_parent_id is not None:
        given = dict.fromkeys((item.code for item in checked), fixed_parent_id)
    else:
        given = {}
    _given_parents_check(
        checked,
        given,
        field_name=parent_field or "parent",
        allow_distant_parent=allow_distant_parent,
        report=report,
    )
    contained_in = {} if (parent_field or parent_code) else _parents_by_containment(kind, checked)
    _write(
        checked,
        kind=kind,
        parent_field=parent_field,
        fixed_parent_id=fixed_parent_id,
        contained_in=contained_in,
        source=source if source is not None else Path(path).name,
        attribution=attribution,
        report=report,
        progress=progress,
    )
    return report


@transaction.atomic
def _write(
    checked: list[_Checked],
    *,
    kind: LocalityKind,
    parent_field: str | None,
    fixed_parent_id: int | None,
    contained_in: dict[str, int],
    source: str,
    attribution: str,
    report: BoundaryImportReport,
    progress: Progress | None,
) -> None:
    codes = [item.code for item in checked]
    existing = {locality.code: locality for locality in Locality.objects.select_for_update().filter(code__in=codes)}
    stored = dict(
        LocalityBoundary.objects.filter(locality__in=[loc.pk for loc in existing.values()]).values_list(
            "locality_id", "boundary"
        )
    )
    boundaries: dict[str, dict] = {}  # code -> boundary to store, for new localities and changed boundaries
    parent_ids: dict[str, int] = {}
    if parent_field:
        wanted = {item.parent_code for item in checked}
        parent_ids = dict(Locality.objects.filter(code__in=wanted).values_list("code", "id"))
    measures = measures_of([item.geometry for item in checked])
    now = timezone.now()
    to_create: list[Locality] = []
    to_update: list[Locality] = []
    geometry_changed: list[int] = []
    composed: list[int] = []
    total = len(checked)
    for index, (item, measure) in enumerate(zip(checked, measures, strict=True)):
        locality = existing.get(item.code)
        if parent_field:
            parent_id = parent_ids.get(item.parent_code)
        elif fixed_parent_id is not None:
            parent_id = fixed_parent_id
        elif item.code in contained_in:
            parent_id = contained_in[item.code]
            report.parents_by_containment += 1
        else:
            # Nothing of the next kind up holds it (yet): keep whatever parent it had.
            parent_id = locality.parent_id if locality else None
        report.without_parent += parent_id is None and kind in PARENT_KIND
        values = {
            "name": item.name,
            "kind": kind.value,
            "parent_id": parent_id,
            "source": source[:200],
            "attribution": attribution,
            **asdict(measure),
        }
        boundary = as_geojson(item.geometry)
        if locality is None:
            to_create.append(Locality(code=item.code, updated_at=now, **values))
            boundaries[item.code] = boundary
        else:
            changed = {key for key, value in values.items() if getattr(locality, key) != value}
            if stored.get(locality.pk) != boundary:
                boundaries[item.code] = boundary
                geometry_changed.append(locality.pk)
            if changed or item.code in boundaries:
                for key in changed:
                    setattr(locality, key, values[key])
                locality.updated_at = now
                to_update.append(locality)
            else:
                report.unchanged += 1
        if progress and (index % 500 == 0 or index == total - 1):
            progress("writing", index + 1, total)
    if to_create:
        bulk_create_with_history(to_create, Locality, batch_size=500, default_change_reason="boundary import")
    if boundaries:
        ids = dict(Locality.objects.filter(code__in=list(boundaries)).values_list("code", "id"))
        boundaries_write(boundaries={ids[code]: boundary for code, boundary in boundaries.items()})
    if to_update:
        bulk_update_with_history(
            to_update,
            Locality,
            fields=[*WRITTEN_FIELDS, "updated_at"],
            batch_size=500,
            default_change_reason="boundary import",
        )
        # An imported boundary replaces a composition: the file is now the source of truth for that area.
        composed = list(
            Locality.members.through.objects.filter(from_locality__in=[item.pk for item in to_update])
            .values_list("from_locality_id", flat=True)
            .distinct()
        )
        if composed:
            Locality.members.through.objects.filter(from_locality__in=composed).delete()
            report.notes.append(f"{len(composed)} areas made of members now take their boundary from this file.")
    report.created = len(to_create)
    report.updated = len(to_update)
    if to_create or geometry_changed:
        report.composites_recomputed = composites_refresh(changed_ids=geometry_changed)
        report.displays_updated = displays_refresh(kind=kind)
