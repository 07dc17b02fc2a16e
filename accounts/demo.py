"""Demo users, one per role, created by `manage.py demo_load`. Never run in production."""

from accounts.models import User
from accounts.roles import Role
from accounts.services import team_upsert, user_upsert

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed by `make run`; demo data only

DEMO_USERS = [
    ("admin", [Role.ADMINISTRATOR], {"is_superuser": True}),
    ("commissioner", [Role.COMMISSIONER], {}),
    ("compliance", [Role.COMPLIANCE_OFFICER], {}),
    ("broker", [Role.BROKER], {}),
    ("contracts", [Role.CONTRACT_OFFICER], {}),
    ("provider", [Role.PROVIDER_USER], {}),
]


def demo_users_load() -> dict[str, User]:
    users = {}
    for username, roles, extra in DEMO_USERS:
        users[username] = user_upsert(
            username=username,
            roles=roles,
            email=f"{username}@example.org",
            password=DEMO_PASSWORD,
            organisation="Demo county council" if roles != [Role.PROVIDER_USER] else "Demo care provider",
            **extra,
        )
    team_upsert(
        name="Quality and compliance",
        role=Role.COMPLIANCE_OFFICER,
        members=[users["compliance"]],
        owners=[users["compliance"]],
    )
    team_upsert(name="Brokerage", role=Role.BROKER, members=[users["broker"]])
    team_upsert(name="Commissioning", role=Role.COMMISSIONER, members=[users["commissioner"]])
    return users
