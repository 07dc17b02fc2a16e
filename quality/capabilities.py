"""Who may do what in the council's own quality assurance: quality's capability table (see
accounts.capabilities)."""

from accounts.capabilities import Capability, model_permissions, table
from accounts.roles import ALL_ROLES, Role

FRAMEWORK = ("framework", "domain", "standard")
AUDITS = ("audit", "finding", "actionplan", "action", "intelligence")

READ_AUDITS = Capability(
    "quality.read_audits",
    ALL_ROLES,
    "Everyone reads the frameworks, audits and published ratings; a provider user only their own providers' audits "
    "(another provider's is a 404).",
)
READ_INTELLIGENCE = Capability(
    "quality.read_intelligence",
    {Role.COMPLIANCE_OFFICER, Role.COMMISSIONER, Role.CONTRACT_OFFICER},
    "Compliance officers, commissioners and contract officers read the council's intelligence about homes and the "
    "schedule of visits by risk.",
)
RECORD_INTELLIGENCE = Capability(
    "quality.record_intelligence",
    {Role.COMPLIANCE_OFFICER},
    "Compliance officers record concerns, complaints, safeguarding referrals and missed calls.",
    admin=("add_intelligence", "change_intelligence"),
)
AUDIT = Capability(
    "quality.audit",
    {Role.COMPLIANCE_OFFICER},
    "Compliance (quality) officers plan, carry out, share and publish audits on the quality pages, and read them in "
    "the admin.",
    admin=model_permissions(*FRAMEWORK, *AUDITS, verbs=("view",)),
)
KEEP_FRAMEWORK = Capability(
    "quality.keep_framework",
    {Role.ADMINISTRATOR},
    "Administrators keep the framework (domains, standards, weights) in the admin, and read the audits there.",
    admin=(*model_permissions(*FRAMEWORK), *model_permissions(*AUDITS, verbs=("view",))),
)

CAPABILITIES = table(READ_AUDITS, READ_INTELLIGENCE, RECORD_INTELLIGENCE, AUDIT, KEEP_FRAMEWORK)
