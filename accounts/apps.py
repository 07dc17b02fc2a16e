from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

from accounts.capabilities import CAPABILITIES, role_permissions


def _grant_roles_after_migrate(sender, **kwargs) -> None:
    # Permissions for every app exist once the last app has migrated; grant roles then (idempotent).
    if sender is list(apps.get_app_configs())[-1]:
        from accounts.services import roles_sync

        roles_sync(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and roles"
    # The admin's group permissions, from the table in accounts/capabilities.py.
    role_permissions = role_permissions(CAPABILITIES)

    def ready(self) -> None:
        post_migrate.connect(_grant_roles_after_migrate, dispatch_uid="accounts.roles_sync")
