from django.apps import AppConfig

from accounts.capabilities import role_permissions
from accounts.roles import Role
from market.capabilities import CAPABILITIES


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "market"
    verbose_name = "Market: tenders, lots, mobilisation"
    # The admin's group permissions, from the table in market/capabilities.py.
    role_permissions = role_permissions(CAPABILITIES)

    def ready(self) -> None:
        from accounts.roles import STAFF_ROLES
        from core.navigation import nav_item
        from market.web.analysis import MarketIndexPage

        nav_item(
            "Market analysis", "market-web:index", roles=MarketIndexPage.capability.roles, order=60, prefix="/market/"
        )

        nav_item(
            "Your mobilisation",
            "market-portal:mobilisation",
            roles={Role.PROVIDER_USER},
            order=12,
            prefix="/portal/mobilisation/",
        )
        from geo.layers import register_layer_properties

        # In the navigation of the roles whose work they are; administrators may open them too.
        working = STAFF_ROLES - {Role.ADMINISTRATOR}
        # After the bed finder (20): a broker's home page sends them there first.
        nav_item("Map", "map:map", roles=working, order=30, prefix="/map/")
        nav_item("Lots", "lots:lots", roles=working, order=60, prefix="/lots/")
        procurers = {Role.COMMISSIONER, Role.CONTRACT_OFFICER}
        nav_item("Tenders", "tenders:list", roles=procurers, order=61, prefix="/tenders/")
        nav_item("Demand", "demand:list", roles=procurers, order=62, prefix="/demand/")
        nav_item("Micro-enterprises", "micro:list", roles=procurers, order=63, prefix="/micro-enterprises/")
        nav_item("Waiting list", "waiting:list", roles={Role.BROKER}, order=24, prefix="/beds/waiting/")
        from market.capabilities import PLAN_FOR_FAILURE

        # The register is where failure planning starts: each provider's what-if and its open failure response.
        nav_item(
            "Market Oversight", "failure:oversight", roles=PLAN_FOR_FAILURE.roles, order=64, prefix="/market/oversight/"
        )
        from market.selectors import lots_layer_properties, lots_layer_version

        # Who delivers each lot, its RAG and the people in contingency are for council staff, not other providers.
        register_layer_properties("lots", lots_layer_properties, version=lots_layer_version, staff_only=True)
        from market.selectors import layers

        register_layer_properties(
            "mobilisation",
            layers.mobilisation_layer_properties,
            version=layers.mobilisation_layer_version,
            staff_only=True,
        )
        from market.selectors import gaps

        # The council's plans set against every provider's supply: for council staff only.
        register_layer_properties("capacity_gap", gaps.capacity_gap_layer_properties, staff_only=True)
        register_layer_properties(
            "contingency",
            layers.contingency_layer_properties,
            version=layers.contingency_layer_version,
            staff_only=True,
        )
        # The same counts for any area (wards and districts too), for colouring the map by them.
        register_layer_properties(
            "people", layers.people_layer_properties, version=layers.contingency_layer_version, staff_only=True
        )
