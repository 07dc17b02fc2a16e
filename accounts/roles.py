"""The roles people have in the service. Each role is a Django group of the same name.

Apps declare which model permissions each role gets with a `role_permissions` attribute on their AppConfig,
e.g. {Role.CONTRACT_OFFICER: ["add_contract", "change_contract"]}; `roles_sync` (run after every migrate)
creates the groups and grants exactly those permissions, so the admin screens follow the API's rules.
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

# Reading users, teams and memberships is open to administrators only.
ACCOUNTS_ROLE_PERMISSIONS = {
    Role.ADMINISTRATOR: [
        "add_user",
        "change_user",
        "view_user",
        "add_team",
        "change_team",
        "delete_team",
        "view_team",
    ],
}
