"""Who may do what: the capability tables' shared type.

Each app keeps one table, `<app>/capabilities.py`: a module of named `Capability` entries (an action, the roles
that may take it, and why) gathered into `CAPABILITIES`, a mapping from the action's name to its entry. The API's
permission classes (`accounts.permissions.allow`), the pages (`core.web.RoleRequiredMixin` and
`core.web.capability_required`), the navigation and the admin's group permissions (`admin=` below, granted by
`roles_sync`) all read the same entries, so a role set is written once:

    EDIT_CONTRACTS = Capability(
        "contracts.edit", {Role.CONTRACT_OFFICER, Role.COMMISSIONER},
        "Contract officers and commissioners keep the register's contracts and their money terms.",
        admin=model_permissions("contract", "bedline"),
    )

Two entries are not role sets: `PUBLIC` (no sign-in: the sign-in page, health) and `SIGNED_IN` (anyone signed in;
the view narrows what they see to their own rows). A provider user's reach is narrower than their role says: rows
of other providers are a 404, whatever the table says (accounts.selectors.provider_scope).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from accounts.roles import ALL_ROLES, Role


@dataclass(frozen=True)
class Capability:
    """An action and the roles that may take it; `admin` lists the model permissions it grants in the admin."""

    name: str
    roles: frozenset[Role]
    why: str = ""
    admin: tuple[str, ...] = ()
    # Not a role set: anyone at all (`PUBLIC`) or anyone signed in (`SIGNED_IN`).
    public: bool = False
    signed_in: bool = False

    def __init__(
        self,
        name: str,
        roles: Iterable[Role | str],
        why: str = "",
        *,
        admin: Iterable[str] = (),
        public: bool = False,
        signed_in: bool = False,
    ):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "roles", frozenset(Role(role) for role in roles))
        object.__setattr__(self, "why", why)
        object.__setattr__(self, "admin", tuple(admin))
        object.__setattr__(self, "public", public)
        object.__setattr__(self, "signed_in", signed_in)

    def allows(self, user) -> bool:
        """Whether this person may take the action (a provider user still only for their own providers)."""
        if self.public:
            return True
        if not (user and user.is_authenticated):
            return False
        return self.signed_in or user.has_role(*self.roles)

    def __or__(self, other: "Capability") -> "Capability":
        """Either action: e.g. reading a list is open to those who read it and to those who write it."""
        if self.public or other.public:
            return PUBLIC
        if self.signed_in or other.signed_in:
            return SIGNED_IN
        return Capability(f"{self.name}|{other.name}", self.roles | other.roles, "either action")

    def __str__(self) -> str:
        return self.name


PUBLIC = Capability("public", ALL_ROLES, "Anyone, signed in or not.", public=True)
SIGNED_IN = Capability(
    "signed_in", ALL_ROLES, "Anyone signed in; the view shows each person only their own rows.", signed_in=True
)


@dataclass(frozen=True)
class _Table(Mapping):
    entries: dict[str, Capability] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Capability:
        return self.entries[name]

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def table(*capabilities: Capability) -> Mapping[str, Capability]:
    """An app's table: action name -> Capability (a name may appear once)."""
    entries: dict[str, Capability] = {}
    for capability in capabilities:
        if capability.name in entries:
            raise ValueError(f"The capability {capability.name!r} is declared twice.")
        entries[capability.name] = capability
    return _Table(entries)


def model_permissions(*models: str, verbs: Iterable[str] = ("add", "change", "view")) -> tuple[str, ...]:
    """Django permission codenames: model_permissions("contract") == ("add_contract", "change_contract", ...)."""
    verbs = tuple(verbs)
    return tuple(f"{verb}_{model}" for model in models for verb in verbs)


def role_permissions(capabilities: Mapping[str, Capability]) -> dict[Role, list[str]]:
    """The admin's group permissions an app's table grants: each role gets the `admin` permissions of every entry
    that names it. Provider users never work in the admin, so no entry grants them any."""
    granted: dict[Role, set[str]] = {}
    for capability in capabilities.values():
        if capability.public or capability.signed_in:
            continue
        for role in capability.roles - {Role.PROVIDER_USER}:
            if capability.admin:
                granted.setdefault(role, set()).update(capability.admin)
    return {role: sorted(codenames) for role, codenames in granted.items()}


# The accounts app's own table.
SIGN_IN = Capability(
    "accounts.sign_in", ALL_ROLES, "Anyone may sign in or out, and a system may ask for a token.", public=True
)
MANAGE_PEOPLE = Capability(
    "accounts.manage_people",
    {Role.ADMINISTRATOR},
    "Administrators read and keep users, teams and their roles (the API reads them; the admin writes them).",
    admin=(*model_permissions("user"), *model_permissions("team", verbs=("add", "change", "delete", "view"))),
)
CAPABILITIES = table(PUBLIC, SIGNED_IN, SIGN_IN, MANAGE_PEOPLE)
