from django.apps import AppConfig

from accounts.capabilities import role_permissions
from accounts.roles import Role
from geo.capabilities import CAPABILITIES


class GeoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "geo"
    verbose_name = "Geography"
    # The admin's group permissions, from the table in geo/capabilities.py.
    role_permissions = role_permissions(CAPABILITIES)

    def ready(self) -> None:
        from core.navigation import nav_item

        nav_item(
            "Boundary uploads",
            "geo-web:boundary-imports",
            roles={Role.ADMINISTRATOR},
            order=80,
            prefix="/jobs/boundaries/",
        )
