from django.apps import AppConfig

from accounts.roles import Role


def _perms(*models: str, verbs=("add", "change", "view")) -> list[str]:
    return [f"{verb}_{model}" for model in models for verb in verbs]


class ContractsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contracts"
    verbose_name = "Contracts, beds and placements"
    # The admin screens follow the API's rules (see contracts/api/views.py).
    role_permissions = {
        Role.CONTRACT_OFFICER: _perms("contract", "bedline", "ratechange", "closure", "placement")
        + _perms("hold", "vacancyreport", verbs=("view",)),
        Role.COMMISSIONER: _perms("contract", "bedline", "ratechange", "closure")
        + _perms("placement", "hold", "vacancyreport", verbs=("view",)),
        Role.BROKER: _perms("placement", "hold", "vacancyreport")
        + _perms("contract", "bedline", "ratechange", "closure", verbs=("view",)),
        Role.COMPLIANCE_OFFICER: _perms(
            "contract", "bedline", "ratechange", "closure", "placement", "hold", "vacancyreport", verbs=("view",)
        ),
    }

    def ready(self) -> None:
        from accounts.roles import STAFF_ROLES
        from contracts.api.views import BED_FINDERS
        from contracts.selectors.layers import voids_layer_properties, voids_layer_version
        from core.navigation import nav_item
        from geo.layers import register_layer_properties

        # In the navigation of the roles whose work it is; administrators may open it too.
        nav_item(
            "Contracts", "register:contracts", roles=STAFF_ROLES - {Role.ADMINISTRATOR}, order=70, prefix="/contracts/"
        )

        # Other providers' void beds are commercial: council staff only.
        register_layer_properties("voids", voids_layer_properties, version=voids_layer_version, staff_only=True)

        nav_item("Uplifts", "register:uplift", roles={Role.CONTRACT_OFFICER}, order=71, prefix="/contracts/uplift/")
        nav_item("Find a bed", "contracts-web:bed-finder", roles=BED_FINDERS, order=20, prefix="/beds/")

        from contracts.selectors.voids import people_placed_at
        from quality.risk import risk_signal_register

        # The more people a home's quality touches, the sooner the council looks.
        risk_signal_register(
            "people_placed",
            values=people_placed_at,
            points=lambda people: min(15, (people + 4) // 5),
            describe=lambda people: f"{people} {'person' if people == 1 else 'people'} placed by the council",
        )
        nav_item("Your holds", "contracts-web:holds", roles={Role.BROKER}, order=21, prefix="/beds/holds/")
        nav_item("People", "contracts-web:people", roles={Role.BROKER}, order=22, prefix="/beds/people/")
        nav_item("Spot placement", "contracts-web:spot-new", roles={Role.BROKER}, order=23, prefix="/beds/spot/")
        nav_item(
            "Vacancies today", "contracts-web:vacancies-today", roles={Role.BROKER}, order=25, prefix="/beds/vacancies/"
        )
        nav_item(
            "Report vacancies",
            "contracts-portal:vacancies",
            roles={Role.PROVIDER_USER},
            order=11,
            prefix="/portal/vacancies/",
        )
