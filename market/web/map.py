"""What the map can colour its areas by, and which layers it draws.

Each colouring is one feature property that an app registers with geo.layers.register_layer_properties. An app
that registers a new figure joins the map by adding one entry to COLOURINGS; the choice, the legend, the
table beside the map and its sort follow from it. An entry whose properties are not registered is not offered.
"""

from dataclasses import dataclass

from geo.layers import layer_properties_names
from geo.models import LocalityKind


@dataclass(frozen=True)
class Colouring:
    key: str  # the feature property the areas are coloured by
    label: str
    properties: str  # the geo.layers properties name that brings it
    share: bool = False  # a fraction from 0 to 1, shown as a percentage
    hint: str = ""
    # The property holds one figure per care type ({"nursing": 3.0, ...}): the person chooses the care type.
    by_care_type: bool = False


COLOURINGS: list[Colouring] = [
    Colouring(
        key="void_beds",
        label="Void beds",
        properties="voids",
        hint="Block beds contracted today and not filled (closed beds left out).",
    ),
    Colouring(
        key="people_in_contingency",
        label="People in contingency",
        properties="people",
        hint="People living in the area whose home care is with a contingency provider today.",
    ),
    Colouring(
        key="share_beds_requires_improvement_or_worse",
        label="Share of beds rated Requires improvement or worse",
        properties="ratings",
        share=True,
        hint="Registered care home beds in homes whose latest CQC rating is Requires improvement or Inadequate.",
    ),
    Colouring(
        key="capacity_gap",
        label="Capacity gap",
        properties="capacity_gap",
        hint="Need minus supply in the care type chosen: people waiting or forecast, against beds and hours available.",
        by_care_type=True,
    ),
]


@dataclass(frozen=True)
class MapLayer:
    kind: str
    label: str
    extra_properties: tuple[str, ...] = ()  # shown in popups and the table, not coloured by


LAYERS: list[MapLayer] = [
    MapLayer(kind=LocalityKind.DISTRICT, label="Districts"),
    MapLayer(kind=LocalityKind.WARD, label="Wards"),
    MapLayer(kind=LocalityKind.LOT_AREA, label="Lot areas", extra_properties=("lots", "mobilisation")),
]

# Lot columns of the table and popups on the lot areas layer.
LOT_COLUMNS = [("lot_code", "Lot"), ("lot_status", "Status"), ("lead_provider", "Lead provider")]


def colourings_offered() -> list[Colouring]:
    registered = set(layer_properties_names())
    return [colouring for colouring in COLOURINGS if colouring.properties in registered]


def layer_of(kind: str) -> MapLayer:
    return next(layer for layer in LAYERS if layer.kind == kind)


def properties_for(layer: MapLayer) -> list[str]:
    registered = set(layer_properties_names())
    names = {colouring.properties for colouring in colourings_offered()}
    names.update(name for name in layer.extra_properties if name in registered)
    return sorted(names)
