"""Who may do what in the market (tenders, lots, mobilisation, contingency, demand, analysis, micro-enterprises):
market's capability table (see accounts.capabilities). Commissioners and contract officers write all of it; the
status histories are written by the services only."""

from accounts.capabilities import Capability, model_permissions, table
from accounts.roles import ALL_ROLES, STAFF_ROLES, Role

PROCUREMENT = ("tender", "tenderstage", "lot", "lotcapacity", "procurementround", "bid", "award")
MOBILISATION = (
    "mobilisationtemplate",
    "templatemilestone",
    "mobilisationplan",
    "milestone",
    "recruitmenttarget",
    "recruitmentreport",
    "readinessgateway",
    "gatewaycriterion",
    "gatewaydecision",
    "contingencyarrangement",
)
ANALYSIS = ("spotinflation", "spotprice", "marketlimits")
DEMAND = ("demand", "pendingarrangement")
MICRO = ("microenterprise", "microenterprisereturn", "programme", "programmeyear", "programmequarter")
# Written by the services only and read in the admin: status histories, and a round's organisations invited.
HISTORIES = ("lotstatuschange", "microenterprisestatuschange", "roundinvitation")

EDITORS = {Role.COMMISSIONER, Role.CONTRACT_OFFICER}

READ_MARKET = Capability(
    "market.read",
    ALL_ROLES,
    "Everyone reads tenders, lots, awards, mobilisation plans and micro-enterprises; a provider user only their own.",
)
READ_PLANS = Capability(
    "market.read_plans",
    STAFF_ROLES,
    "Council staff read the council's plans and figures: mobilisation templates, contingency, demand and people "
    "waiting, capacity gaps, programmes, and the lots, map and demand pages (provider users may not see other "
    "providers' figures).",
)
READ_ANALYSIS = Capability(
    "market.read_analysis",
    {Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.COMPLIANCE_OFFICER, Role.BROKER},
    "Commissioners, contract officers, compliance officers and brokers read the market analysis (block and spot, "
    "cost avoidance, utilisation, market shape) and its settings.",
)
READ_MARKET_IN_ADMIN = Capability(
    "market.read_in_admin",
    {Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.COMPLIANCE_OFFICER, Role.BROKER},
    "The same staff read all of the market in the admin.",
    admin=model_permissions(*PROCUREMENT, *MOBILISATION, *ANALYSIS, *DEMAND, *MICRO, *HISTORIES, verbs=("view",)),
)
EDIT_MARKET = Capability(
    "market.edit",
    EDITORS,
    "Commissioners and contract officers run tenders and lots, mobilisation and contingency, the analysis "
    "settings, demand and people waiting, micro-enterprises and their programme (the pages' decisions too); a "
    "year's spot inflation, a spot price, a demand or a person waiting may also be deleted.",
    admin=(
        *model_permissions(*PROCUREMENT, *MOBILISATION, *ANALYSIS, *MICRO, verbs=("add", "change")),
        *model_permissions(*DEMAND, verbs=("add", "change", "delete")),
        *model_permissions("spotinflation", "spotprice", verbs=("delete",)),
    ),
)
REPORT_MOBILISATION = Capability(
    "market.report_mobilisation",
    EDITORS | {Role.PROVIDER_USER},
    "A milestone's progress and a plan's recruitment figures are reported by the provider (for its own awards) "
    "and by those who run mobilisation.",
)
SUBMIT_RETURNS = Capability(
    "market.submit_returns",
    EDITORS | {Role.PROVIDER_USER},
    "A micro-enterprise's return is submitted by its own account holders and by those who run the programme.",
)
LINK_MICRO_ENTERPRISE_ACCOUNTS = Capability(
    "market.link_micro_enterprise_accounts",
    {Role.ADMINISTRATOR},
    "Administrators link a micro-enterprise's own accounts, choosing the micro-enterprise by name.",
    admin=(*model_permissions("microenterprisemembership", verbs=("add", "delete", "view")), "view_microenterprise"),
)

RUN_TENDERS = Capability(
    "market.run_tenders",
    EDITORS,
    "Commissioners and contract officers run tenders from the pages: bids and their scores are commercially "
    "sensitive, so no one else reads them there.",
)
KEEP_WAITING_LIST = Capability(
    "market.keep_waiting_list",
    {Role.BROKER},
    "Brokers keep the waiting list: who waits for what, how they are bridged, and when the wait ends.",
)

PLAN_FOR_FAILURE = Capability(
    "market.plan_for_failure",
    {Role.COMMISSIONER, Role.BROKER, Role.COMPLIANCE_OFFICER, Role.CONTRACT_OFFICER},
    "Council staff read what a provider's failure would mean, the market oversight register and the failure "
    "responses. Provider users do not: the answer is made of other providers' free beds, prices and vacancies, "
    "and of the council's own plan for the provider's people.",
)
KEEP_OVERSIGHT = Capability(
    "market.keep_oversight",
    {Role.COMPLIANCE_OFFICER, Role.COMMISSIONER},
    "Compliance officers and commissioners keep the register of providers in CQC's Market Oversight scheme.",
)
RESPOND_TO_FAILURE = Capability(
    "market.respond_to_failure",
    {Role.COMMISSIONER, Role.BROKER},
    "Commissioners and brokers open a failure response (its people are the what-if's plan of the day), settle its "
    "people (moved, or stayed with a new operator), move its target date and close it.",
)

CAPABILITIES = table(
    PLAN_FOR_FAILURE,
    KEEP_OVERSIGHT,
    RESPOND_TO_FAILURE,
    RUN_TENDERS,
    KEEP_WAITING_LIST,
    READ_MARKET,
    READ_PLANS,
    READ_ANALYSIS,
    READ_MARKET_IN_ADMIN,
    EDIT_MARKET,
    REPORT_MOBILISATION,
    SUBMIT_RETURNS,
    LINK_MICRO_ENTERPRISE_ACCOUNTS,
)
