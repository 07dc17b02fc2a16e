from django.apps import AppConfig

from accounts.capabilities import role_permissions
from accounts.roles import Role
from contracts.capabilities import CAPABILITIES


class ContractsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contracts"
    verbose_name = "Contracts, beds and placements"
    # The admin's group permissions, from the table in contracts/capabilities.py.
    role_permissions = role_permissions(CAPABILITIES)

    def ready(self) -> None:
        from accounts.roles import STAFF_ROLES
        from contracts.capabilities import BROKERAGE, FIND_BEDS, HOLD_BEDS
        from contracts.selectors.layers import voids_layer_properties, voids_layer_version
        from core.navigation import nav_item
        from geo.layers import register_layer_properties
        from providers.capabilities import PROVIDER_PORTAL

        # In the navigation of the roles whose work it is; administrators may open it too.
        nav_item(
            "Contracts", "register:contracts", roles=STAFF_ROLES - {Role.ADMINISTRATOR}, order=70, prefix="/contracts/"
        )

        # Other providers' void beds are commercial: council staff only.
        register_layer_properties("voids", voids_layer_properties, version=voids_layer_version, staff_only=True)

        nav_item("Uplifts", "register:uplift", roles={Role.CONTRACT_OFFICER}, order=71, prefix="/contracts/uplift/")
        nav_item("Find a bed", "contracts-web:bed-finder", roles=FIND_BEDS.roles, order=20, prefix="/beds/")

        from contracts.selectors.voids import people_placed_at
        from quality.risk import risk_signal_register

        # The more people a home's quality touches, the sooner the council looks.
        risk_signal_register(
            "people_placed",
            values=people_placed_at,
            points=lambda people: min(15, (people + 4) // 5),
            describe=lambda people: f"{people} {'person' if people == 1 else 'people'} placed by the council",
        )
        nav_item("Your holds", "contracts-web:holds", roles=HOLD_BEDS.roles, order=21, prefix="/beds/holds/")
        nav_item("People", "contracts-web:people", roles=BROKERAGE.roles, order=22, prefix="/beds/people/")
        nav_item("Spot placement", "contracts-web:spot-new", roles=BROKERAGE.roles, order=23, prefix="/beds/spot/")
        nav_item(
            "Vacancies today", "contracts-web:vacancies-today", roles={Role.BROKER}, order=25, prefix="/beds/vacancies/"
        )
        nav_item(
            "Report vacancies",
            "contracts-portal:vacancies",
            roles=PROVIDER_PORTAL.roles,
            order=11,
            prefix="/portal/vacancies/",
        )
