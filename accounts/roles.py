"""The roles people have in the service. Each role is a Django group of the same name.

What each role may do is in each app's capability table (<app>/capabilities.py, see accounts.capabilities); an
app's AppConfig.role_permissions is derived from its table, and `roles_sync` (run after every migrate) creates the
groups and grants exactly those permissions, so the admin screens follow the same table as the API and the pages.
"""

from django.db import models


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    BROKER = "broker", "Broker"
    CONTRACT_OFFICER = "contract_officer", "Contract officer"
    PROVIDER_USER = "provider_user", "Provider user"
    ADMINISTRATOR = "administrator", "Administrator"


ALL_ROLES = frozenset(Role)
# Council and NHS staff: everyone but provider users, who see only their own providers' records.
STAFF_ROLES = frozenset(ALL_ROLES - {Role.PROVIDER_USER})
