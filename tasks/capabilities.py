"""Who may do what with alerts and their delivery: tasks' capability table (see accounts.capabilities)."""

from accounts.capabilities import Capability, table
from accounts.roles import ALL_ROLES, STAFF_ROLES, Role

READ_ALERTS = Capability(
    "tasks.read_alerts",
    ALL_ROLES,
    "Everyone reads alerts in the inbox and the API; a provider user only those about their own providers.",
)
WORK_ALERTS = Capability(
    "tasks.work_alerts",
    STAFF_ROLES,
    "Council staff acknowledge, assign, snooze, comment on, resolve and reopen alerts, and may own one.",
)
READ_RULES = Capability(
    "tasks.read_rules", STAFF_ROLES, "Council staff read the alert rules and the silences in force."
)
TUNE_RULES = Capability(
    "tasks.tune_rules",
    {Role.ADMINISTRATOR},
    "Administrators switch rules on and off and tune them.",
)
KEEP_DELIVERY = Capability(
    "tasks.keep_delivery",
    {Role.ADMINISTRATOR},
    "Administrators keep escalation and delivery: every delivery and its retries, and who hears what.",
)
SILENCE_ALERTS = Capability(
    "tasks.silence_alerts",
    {Role.ADMINISTRATOR, Role.COMPLIANCE_OFFICER},
    "Administrators and compliance officers silence a rule for a subject for a while, and end a silence.",
)
OWN_DELIVERY = Capability(
    "tasks.own_delivery",
    ALL_ROLES,
    "Everyone keeps their own channels and subscriptions and reads their own in-app notifications (administrators "
    "everyone's); the view keeps each person to their own rows.",
    signed_in=True,
)

CAPABILITIES = table(READ_ALERTS, WORK_ALERTS, READ_RULES, TUNE_RULES, SILENCE_ALERTS, KEEP_DELIVERY, OWN_DELIVERY)
