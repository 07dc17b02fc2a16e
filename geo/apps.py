from django.apps import AppConfig

from accounts.roles import Role


class GeoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "geo"
    verbose_name = "Geography"
    # Administrators manage boundaries and uploads; everyone else reads places through the API.
    role_permissions = {
        Role.ADMINISTRATOR: [
            "add_locality",
            "change_locality",
            "view_locality",
            "view_postcode",
            "change_postcode",
            "add_boundaryimport",
            "view_boundaryimport",
        ],
        Role.COMMISSIONER: ["view_locality", "view_postcode"],
    }

    def ready(self) -> None:
        from core.navigation import nav_item

        nav_item(
            "Boundary uploads",
            "geo-web:boundary-imports",
            roles={Role.ADMINISTRATOR},
            order=80,
            prefix="/jobs/boundaries/",
        )
