from django.apps import AppConfig
from django.db.models.signals import post_migrate

from accounts.capabilities import role_permissions
from accounts.roles import Role
from quality.capabilities import CAPABILITIES


def _framework_seed_after_migrate(sender, **kwargs) -> None:
    from quality.services import framework_seed

    framework_seed(using=kwargs.get("using", "default"))


class QualityConfig(AppConfig):
    """The council's own quality assurance. It sits between providers and contracts: an audit is of a provider's
    location, and the pages of contracts, market and tasks (the home page, the bed finder, the rules) show and
    read its ratings; what it needs from above (people placed, open alerts) comes through quality.risk."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = "Quality audits"

    # The admin's group permissions, from the table in quality/capabilities.py.
    role_permissions = role_permissions(CAPABILITIES)

    def ready(self) -> None:
        from core.navigation import nav_item

        post_migrate.connect(_framework_seed_after_migrate, sender=self, dispatch_uid="quality.framework_seed")
        nav_item("Quality", "quality-web:schedule", roles={Role.COMPLIANCE_OFFICER}, order=16, prefix="/quality/")
        nav_item(
            "Quality audits", "quality-portal:audits", roles={Role.PROVIDER_USER}, order=14, prefix="/portal/quality/"
        )
