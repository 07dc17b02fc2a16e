"""Who may do what with providers, their homes and CQC's view of them: providers' capability table (see
accounts.capabilities)."""

from accounts.capabilities import Capability, model_permissions, table
from accounts.roles import ALL_ROLES, STAFF_ROLES, Role

REGISTER = ("provider", "location", "rating", "ratingchange", "condition", "registrationevent")

READ_PROVIDERS = Capability(
    "providers.read",
    ALL_ROLES,
    "Everyone reads providers, locations and CQC's ratings (CQC's data is public); a provider user's lists hold "
    "their own providers only.",
)
READ_PROVIDERS_IN_ADMIN = Capability(
    "providers.read_in_admin",
    STAFF_ROLES,
    "Council staff read the register in the admin.",
    admin=model_permissions(*REGISTER, verbs=("view",)),
)
CORRECT_DETAILS = Capability(
    "providers.correct_details",
    {Role.CONTRACT_OFFICER, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR},
    "Contract officers, compliance officers and administrators correct a provider's or a location's details.",
    admin=("change_provider", "change_location"),
)
KEEP_REGISTER = Capability(
    "providers.keep_register",
    {Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR},
    "Compliance officers and administrators add providers and locations and keep CQC's conditions (enforcement is "
    "not in the API).",
    admin=("add_provider", "add_location", "add_condition", "change_condition"),
)
LINK_PROVIDER_USERS = Capability(
    "providers.link_provider_users",
    {Role.ADMINISTRATOR},
    "Administrators say which providers a provider user acts for.",
    admin=model_permissions("providermembership", verbs=("add", "change", "delete", "view")),
)
RUN_CQC_SYNC = Capability(
    "providers.run_cqc_sync",
    {Role.ADMINISTRATOR},
    "Administrators follow and start the CQC sync.",
    admin=("change_cqcsyncstate", "view_cqcsyncstate", "view_syncrun"),
)
PROVIDER_PORTAL = Capability(
    "providers.portal",
    {Role.PROVIDER_USER},
    "The provider portal's pages (their homes, vacancies, mobilisation, quality audits) are for provider users, and "
    "show only their own providers' records; council staff use the register's pages and the API instead.",
)

CAPABILITIES = table(
    READ_PROVIDERS,
    READ_PROVIDERS_IN_ADMIN,
    CORRECT_DETAILS,
    KEEP_REGISTER,
    LINK_PROVIDER_USERS,
    RUN_CQC_SYNC,
    PROVIDER_PORTAL,
)
