from django.apps import AppConfig

from accounts.capabilities import role_permissions
from accounts.roles import Role
from providers.capabilities import CAPABILITIES


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"
    verbose_name = "Providers and CQC ratings"

    # The admin's group permissions, from the table in providers/capabilities.py.
    role_permissions = role_permissions(CAPABILITIES)

    def ready(self) -> None:
        from core.navigation import nav_item

        nav_item("Your homes", "providers-portal:homes", roles={Role.PROVIDER_USER}, order=10, prefix="/portal/")
        nav_item("CQC sync", "providers-sync:runs", roles={Role.ADMINISTRATOR}, order=81, prefix="/jobs/cqc-sync/")

        from geo.layers import register_layer_properties
        from providers.selectors import ratings_layer_properties, ratings_layer_version

        # CQC's ratings are public: provider users may see them too.
        register_layer_properties("ratings", ratings_layer_properties, version=ratings_layer_version)
