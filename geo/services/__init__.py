"""Every write about place. Other apps import from here: `from geo.services import boundaries_import`."""

from geo.services.boundaries import BoundaryImportReport, boundaries_import
from geo.services.composites import (
    CompositionError,
    composites_refresh,
    displays_refresh,
    locality_compose,
    locality_members_set,
)

__all__ = [
    "BoundaryImportReport",
    "CompositionError",
    "boundaries_import",
    "composites_refresh",
    "displays_refresh",
    "locality_compose",
    "locality_members_set",
]
