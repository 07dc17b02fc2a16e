from django.apps import AppConfig

from accounts.roles import Role

VIEW_ALL = [
    "view_provider",
    "view_location",
    "view_rating",
    "view_ratingchange",
    "view_condition",
    "view_registrationevent",
]
KEEP_REGISTER = [
    *VIEW_ALL,
    "add_provider",
    "change_provider",
    "add_location",
    "change_location",
    "add_condition",
    "change_condition",
]


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"
    verbose_name = "Providers and CQC ratings"

    # Admin screens follow the API: staff read the register; compliance officers keep conditions (CQC
    # enforcement is not in the API) and correct provider and location details; administrators run the sync.
    role_permissions = {
        Role.COMMISSIONER: VIEW_ALL,
        Role.BROKER: VIEW_ALL,
        Role.CONTRACT_OFFICER: [*VIEW_ALL, "change_provider", "change_location"],
        Role.COMPLIANCE_OFFICER: KEEP_REGISTER,
        Role.ADMINISTRATOR: [
            *KEEP_REGISTER,
            "add_providermembership",
            "change_providermembership",
            "delete_providermembership",
            "view_providermembership",
            "change_cqcsyncstate",
            "view_cqcsyncstate",
            "view_syncrun",
        ],
    }

    def ready(self) -> None:
        from core.navigation import nav_item

        nav_item("Your homes", "providers-portal:homes", roles={Role.PROVIDER_USER}, order=10, prefix="/portal/")
        nav_item("CQC sync", "providers-sync:runs", roles={Role.ADMINISTRATOR}, order=81, prefix="/jobs/cqc-sync/")

        from geo.layers import register_layer_properties
        from providers.selectors import ratings_layer_properties, ratings_layer_version

        # CQC's ratings are public: provider users may see them too.
        register_layer_properties("ratings", ratings_layer_properties, version=ratings_layer_version)
