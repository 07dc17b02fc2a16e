"""Every write about place. Other apps import from here: `from geo.services import boundaries_import`."""

from geo.services.boundaries import BoundaryImportReport, boundaries_import
from geo.services.composites import (
    CompositionError,
    composites_refresh,
    displays_deferred,
    displays_refresh,
    locality_compose,
    locality_members_set,
    locality_update,
)
from geo.services.postcodes import PostcodeImportReport, postcodes_import
from geo.services.uploads import boundary_import_request, boundary_import_run

__all__ = [
    "BoundaryImportReport",
    "CompositionError",
    "PostcodeImportReport",
    "boundaries_import",
    "boundary_import_request",
    "boundary_import_run",
    "composites_refresh",
    "displays_deferred",
    "displays_refresh",
    "locality_compose",
    "locality_members_set",
    "locality_update",
    "postcodes_import",
]
