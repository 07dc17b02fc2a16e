"""Areas made of other localities (clusters, lot areas, and districts or counties built from wards), and the
display geometry kept for maps. Both are recomputed by these functions when their inputs change; there are
no signals."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict

import shapely
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.errors import DomainError, NotFound
from core.writes import UNCHANGED, given
from geo.geometry import MEASURE_FIELDS, as_geojson, display_versions, from_geojson, measures_of
from geo.models import Locality, LocalityBoundary, LocalityKind

# Enough for ward -> district -> county -> region -> country and a lot made of districts.
MAX_COMPOSITION_DEPTH = 6


class CompositionError(DomainError):
    code = "invalid_composition"


def boundaries_write(*, boundaries: dict[int, dict | None]) -> None:
    """Store full boundaries by locality id (None removes one), keeping any display geometry of a row that
    stays: displays_refresh recomputes those of a kind together. The caller keeps the locality's measures
    and updated_at in step."""
    gone = [pk for pk, boundary in boundaries.items() if boundary is None]
    if gone:
        LocalityBoundary.objects.filter(locality__in=gone).delete()
    kept = [LocalityBoundary(locality_id=pk, boundary=value) for pk, value in boundaries.items() if value is not None]
    if kept:
        LocalityBoundary.objects.bulk_create(
            kept, batch_size=200, update_conflicts=True, unique_fields=["locality"], update_fields=["boundary"]
        )


def _union_values(member_boundaries: list[dict]) -> tuple[dict | None, dict]:
    geometries = [from_geojson(value) for value in member_boundaries if value]
    if not geometries:
        return None, dict.fromkeys(MEASURE_FIELDS)
    # Members from one boundary set share their edges exactly, so the union dissolves them without slivers.
    union = shapely.union_all(geometries)
    return as_geojson(union), asdict(measures_of([union])[0])


def _recompute(localities: list[Locality]) -> list[Locality]:
    """Set each composite's boundary to the dissolved union of its members; returns the ones that changed."""
    through = Locality.members.through
    rows = through.objects.filter(
        from_locality__in=[loc.pk for loc in localities], to_locality__geometry__isnull=False
    ).values_list("from_locality_id", "to_locality__geometry__boundary")
    boundaries: dict[int, list[dict]] = {}
    for composite_id, boundary in rows:
        boundaries.setdefault(composite_id, []).append(boundary)
    stored = dict(
        LocalityBoundary.objects.filter(locality__in=[loc.pk for loc in localities]).values_list(
            "locality_id", "boundary"
        )
    )
    changed = []
    written: dict[int, dict | None] = {}
    now = timezone.now()
    for locality in localities:
        boundary, values = _union_values(boundaries.get(locality.pk, []))
        if boundary != stored.get(locality.pk):
            written[locality.pk] = boundary
        if locality.pk in written or any(getattr(locality, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(locality, key, value)
            locality.updated_at = now
            changed.append(locality)
    if written:
        boundaries_write(boundaries=written)
    if changed:
        fields = [*MEASURE_FIELDS, "updated_at"]
        bulk_update_with_history(changed, Locality, fields=fields, default_change_reason="members changed")
    return changed


@transaction.atomic
def composites_refresh(*, changed_ids: Iterable[int]) -> int:
    """Recompute every area having one of `changed_ids` among its members, and so on upwards (a county made
    of districts made of wards). Returns how many areas changed."""
    changed_ids = set(changed_ids)
    total = 0
    kinds: set[str] = set()
    for _ in range(MAX_COMPOSITION_DEPTH):
        if not changed_ids:
            break
        composite_ids = set(
            Locality.members.through.objects.filter(to_locality__in=changed_ids).values_list(
                "from_locality_id", flat=True
            )
        )
        composites = list(Locality.objects.select_for_update().filter(pk__in=composite_ids).order_by("pk"))
        changed = _recompute(composites)
        total += len(changed)
        kinds.update(locality.kind for locality in changed)
        changed_ids = {locality.pk for locality in changed}
    for kind in kinds:
        displays_refresh(kind=kind)
    return total


_deferred = threading.local()


@contextmanager
def displays_deferred():
    """Within this block, display geometry is recomputed once per kind at the end rather than after every
    import or composition (a loader that builds many areas in a row does the work once)."""
    outer = getattr(_deferred, "kinds", None)
    if outer is not None:
        yield
        return
    _deferred.kinds = set()
    try:
        yield
        kinds = _deferred.kinds
    finally:
        _deferred.kinds = None
    for kind in sorted(kinds):
        displays_refresh(kind=kind)


@transaction.atomic
def displays_refresh(*, kind: LocalityKind | str) -> int:
    """Recompute the display geometry of all localities of a kind together (so shared edges stay shared);
    only rows whose display geometry differs are written. Returns how many were written."""
    if getattr(_deferred, "kinds", None) is not None:
        _deferred.kinds.add(str(kind))
        return 0
    rows = list(
        LocalityBoundary.objects.filter(locality__kind=kind)
        .order_by("pk")
        .values_list("pk", "boundary", "display_boundary")
    )
    if not rows:
        return 0
    displays = display_versions([from_geojson(boundary) for _, boundary, _ in rows], kind=str(kind))
    changed = [
        LocalityBoundary(pk=pk, display_boundary=display)
        for (pk, _, current), display in zip(rows, displays, strict=True)
        if current != display
    ]
    if changed:
        # Display geometry is not history worth keeping (the boundary it follows is), so a plain update.
        LocalityBoundary.objects.bulk_update(changed, ["display_boundary"], batch_size=500)
        Locality.objects.filter(pk__in=[row.pk for row in changed]).update(updated_at=timezone.now())
    return len(changed)


@transaction.atomic
def locality_compose(
    *,
    code: str,
    name: str,
    kind: LocalityKind | str,
    member_codes: Iterable[str],
    parent: Locality | None = None,
    source: str = "",
    attribution: str = "",
    adopt_members: bool = False,
) -> Locality:
    """Create or update an area made of existing localities, e.g. the lot "Blaby, Countesthorpe, Narborough,
    Lutterworth, Birstall and Anstey" from those wards, or a district from its wards. Its boundary is the
    dissolved union of the members; `parent=None` leaves an existing area's parent as it is (a district
    adopted by its county keeps the county when rebuilt). With `adopt_members` the members also get it as
    their parent (a district built from its wards; not a lot, whose wards keep their district). Writes
    nothing when nothing changed."""
    member_codes = list(dict.fromkeys(member_codes))
    if not member_codes:
        raise CompositionError("An area needs at least one member locality.", field="members")
    members = list(Locality.objects.filter(code__in=member_codes).only("pk", "code", "parent_id"))
    missing = sorted(set(member_codes) - {member.code for member in members})
    if missing:
        raise CompositionError(f"No localities with codes {', '.join(missing)}.", field="members")
    kind = LocalityKind(kind)
    locality = Locality.objects.select_for_update().filter(code=code).first()
    if locality is not None and locality.kind != kind:
        # Composing over a ward or district would silently turn it into a lot and redraw its boundary.
        raise CompositionError(f"Code {code} already belongs to a {locality.get_kind_display().lower()}.", field="code")
    if locality is not None and locality.pk in {member.pk for member in members}:
        raise CompositionError("An area cannot be a member of itself.", field="members")
    values = {"name": name, "kind": kind.value}
    if parent is not None or locality is None:  # no parent given: an existing area keeps the one it has
        values["parent_id"] = parent.pk if parent else None
    if source:
        values["source"] = source[:200]
    if attribution:
        values["attribution"] = attribution
    if locality is None:
        locality = Locality(code=code, **values)
        locality.save()
    elif any(getattr(locality, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(locality, key, value)
        locality.save()
    if adopt_members:
        orphans = list(Locality.objects.filter(pk__in=[member.pk for member in members]).exclude(parent=locality))
        if orphans:
            now = timezone.now()
            for orphan in orphans:
                orphan.parent, orphan.updated_at = locality, now
            bulk_update_with_history(
                orphans, Locality, fields=["parent", "updated_at"], default_change_reason=f"adopted by {code}"
            )
    return locality_members_set(locality=locality, members=members)


@transaction.atomic
def locality_members_set(*, locality: Locality, members: Iterable[Locality]) -> Locality:
    """Make `members` the localities an area is the union of, and recompute its boundary (and that of any
    area it is itself a member of)."""
    locality = Locality.objects.select_for_update().filter(pk=locality.pk).first()
    if locality is None:
        raise NotFound("No such locality.")
    wanted = {member.pk for member in members}
    current = set(locality.members.values_list("pk", flat=True))
    if wanted != current:
        locality.members.set(wanted)
        # Members are shown on the locality's page: a new updated_at gives cached answers a new version.
        Locality.objects.filter(pk=locality.pk).update(updated_at=timezone.now())
    changed = _recompute([locality])
    if changed:
        composites_refresh(changed_ids=[locality.pk])
        displays_refresh(kind=locality.kind)
    locality.refresh_from_db()
    return locality


@transaction.atomic
def locality_update(
    *,
    locality: Locality,
    name: str = UNCHANGED,
    parent: Locality | None = UNCHANGED,
    source: str = UNCHANGED,
    attribution: str = UNCHANGED,
    members: Iterable[Locality] = UNCHANGED,
) -> Locality:
    """Rename a locality, move it under another parent, or correct where its boundary came from; for an area made
    of members, change them (its boundary is recomputed from them). The boundary of a ward or district itself
    comes only from a boundary file."""
    locality = Locality.objects.select_for_update().filter(pk=locality.pk).first()
    if locality is None:
        raise NotFound("No such locality.")
    if parent is not UNCHANGED and parent is not None and parent.pk == locality.pk:
        raise CompositionError("A locality cannot be its own parent.", field="parent")
    changes = given(name=name, parent=parent, source=source, attribution=attribution)
    if changes:
        for key, value in changes.items():
            setattr(locality, key, value)
        locality.save()
    if members is not UNCHANGED:
        return locality_members_set(locality=locality, members=members)
    return locality
