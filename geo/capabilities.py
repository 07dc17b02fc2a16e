"""Who may do what with places: geo's capability table (see accounts.capabilities)."""

from accounts.capabilities import Capability, model_permissions, table
from accounts.roles import ALL_ROLES, Role

READ_PLACES = Capability(
    "geo.read_places",
    ALL_ROLES,
    "Everyone reads localities, their boundaries and postcodes (the map and the bed finder need them).",
)
MANAGE_BOUNDARIES = Capability(
    "geo.manage_boundaries",
    {Role.ADMINISTRATOR},
    "Administrators upload boundary files and follow their imports, and correct localities and postcodes.",
    admin=(
        *model_permissions("locality"),
        "view_postcode",
        "change_postcode",
        *model_permissions("boundaryimport", verbs=("add", "view")),
    ),
)
LOOK_UP_PLACES_IN_ADMIN = Capability(
    "geo.look_up_places_in_admin",
    {Role.COMMISSIONER},
    "Commissioners may look localities and postcodes up in the admin.",
    admin=("view_locality", "view_postcode"),
)

CAPABILITIES = table(READ_PLACES, MANAGE_BOUNDARIES, LOOK_UP_PLACES_IN_ADMIN)
