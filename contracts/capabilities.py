"""Who may do what with the register of what was bought: contracts' capability table (see accounts.capabilities).

Reporting vacancies: the API and the admin take a vacancy report from provider users, brokers (who take reports on
the telephone) and contract officers (`REPORT_VACANCIES`); the portal's vacancies page lists the signed-in provider
user's own homes, so it is a provider portal page (providers.capabilities.PROVIDER_PORTAL), not a second rule
about who reports. Before the table the admin let brokers record a report but not contract officers, whom the API
allowed: the admin now follows the API.
"""

from accounts.capabilities import Capability, model_permissions, table
from accounts.roles import ALL_ROLES, STAFF_ROLES, Role

REGISTER = ("contract", "bedline", "ratechange", "closure")

READ_REGISTER = Capability(
    "contracts.read_register",
    ALL_ROLES,
    "Everyone reads contracts, bed lines, rates, closures and vacancy reports, and a provider's and a home's pages; "
    "a provider user only their own providers' (another provider's is a 404).",
)
READ_REGISTER_IN_ADMIN = Capability(
    "contracts.read_register_in_admin",
    {Role.COMMISSIONER, Role.COMPLIANCE_OFFICER, Role.BROKER, Role.CONTRACT_OFFICER},
    "The council staff who work with the register read all of it in the admin.",
    admin=model_permissions(*REGISTER, "placement", "hold", "vacancyreport", verbs=("view",)),
)
READ_CONTRACTS = Capability(
    "contracts.read_contracts",
    STAFF_ROLES,
    "Council staff read the contracts register's pages (the list, a contract, a bed line) and the void report.",
)
EDIT_CONTRACTS = Capability(
    "contracts.edit",
    {Role.CONTRACT_OFFICER, Role.COMMISSIONER},
    "Contract officers and commissioners keep contracts, bed lines, rates (uplifts, variations) and closures.",
    admin=model_permissions(*REGISTER),
)
RECORD_CLOSURES = Capability(
    "contracts.record_closures",
    {Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.PROVIDER_USER},
    "Closures of beds are recorded by those who keep contracts and by the provider of the home.",
)
READ_PLACEMENTS = Capability(
    "contracts.read_placements",
    {Role.BROKER, Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.COMPLIANCE_OFFICER, Role.PROVIDER_USER},
    "Placements and holds are read by council staff who work with them and by the provider of the home.",
)
COUNT_HOMECARE = Capability(
    "contracts.count_homecare", STAFF_ROLES, "Council staff read the counts of people receiving homecare."
)
PLACE_PEOPLE = Capability(
    "contracts.place_people",
    {Role.BROKER, Role.CONTRACT_OFFICER},
    "Brokers and contract officers place people, end and move placements through the API and the admin.",
    admin=model_permissions("placement"),
)
BROKERAGE = Capability(
    "contracts.brokerage",
    {Role.BROKER},
    "The brokerage's pages (find a person, end or move a stay, a spot placement) are the broker's work.",
)
HOLD_BEDS = Capability(
    "contracts.hold_beds",
    {Role.BROKER},
    "Brokers hold a free bed for a person and turn the hold into a placement, or release it.",
    admin=model_permissions("hold"),
)
FIND_BEDS = Capability(
    "contracts.find_beds",
    {Role.BROKER, Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.COMPLIANCE_OFFICER},
    "Council staff who place people or watch supply use the bed finder (only brokers hold a bed from it).",
)
READ_VOIDS = Capability(
    "contracts.read_voids",
    STAFF_ROLES,
    "Council staff read the void report; another provider's void beds are commercial.",
)
REPORT_VACANCIES = Capability(
    "contracts.report_vacancies",
    {Role.PROVIDER_USER, Role.BROKER, Role.CONTRACT_OFFICER},
    "Provider users (for their own homes), brokers and contract officers report vacancies through the API and "
    "the admin; provider users also on the portal's page.",
    admin=model_permissions("vacancyreport"),
)

CAPABILITIES = table(
    READ_REGISTER,
    READ_REGISTER_IN_ADMIN,
    READ_CONTRACTS,
    EDIT_CONTRACTS,
    RECORD_CLOSURES,
    READ_PLACEMENTS,
    COUNT_HOMECARE,
    PLACE_PEOPLE,
    BROKERAGE,
    HOLD_BEDS,
    FIND_BEDS,
    READ_VOIDS,
    REPORT_VACANCIES,
)
