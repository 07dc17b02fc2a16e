from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts import access_cache
from accounts.models import Team, User
from accounts.roles import Role
from accounts.selectors import roles_held
from core.errors import Conflict

# What follows from a person's roles elsewhere (their default alert subscriptions, say) is made by the apps that
# own it: each registers a function here, called by `user_roles_set` in the transaction that changed the roles,
# as `function(user=..., added=..., removed=...)`. accounts sits beneath every app, so it names none of them.
RolesChanged = Callable[..., None]
_roles_changed_listeners: dict[str, RolesChanged] = {}


def roles_changed_listen(name: str, function: RolesChanged) -> None:
    """Call `function` whenever a person's roles change. Registering a name again replaces the earlier
    function, so an app's ready() may run twice safely."""
    _roles_changed_listeners[name] = function


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[Role | str], before: set[Role] | None = None) -> User:
    """Give a person exactly these roles (groups that are not roles are kept), and let every app that follows
    roles catch up: what a role brings is made when it is given and taken away when it is removed.

    `before` is for a caller that changed something role-like itself in this transaction (user_upsert's
    superuser flag): the roles held before that change."""
    before = roles_held(user) if before is None else before
    wanted = {Role(role).value for role in roles}
    kept = list(user.groups.exclude(name__in=Role.values))
    user.groups.set([*kept, *Group.objects.filter(name__in=wanted)])
    if hasattr(user, "_roles_cache"):
        del user._roles_cache
    _access_forget(users=[user])
    after = roles_held(user)
    if after != before:
        for function in list(_roles_changed_listeners.values()):
            function(user=user, added=after - before, removed=before - after)
    return user


@transaction.atomic
def roles_sync(*, using: str = "default") -> dict[str, int]:
    """Create a group per role and grant it exactly the permissions the apps declare. Returns counts."""
    granted: dict[str, set[tuple[str, str]]] = {role.value: set() for role in Role}
    for config in apps.get_app_configs():
        for role, codenames in getattr(config, "role_permissions", {}).items():
            granted[Role(role).value].update((config.label, codename) for codename in codenames)

    wanted = {(label, codename) for pairs in granted.values() for label, codename in pairs}
    permissions = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.using(using).select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    }
    counts = {}
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([permissions[key] for key in granted[role.value] if key in permissions])
        counts[role.value] = len(granted[role.value])
    return counts


@transaction.atomic
def user_upsert(
    *,
    username: str,
    roles: Iterable[Role],
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create or update a user with exactly these roles. A None password leaves the password unusable/as is."""
    user, created = User.objects.get_or_create(username=username)
    before = set() if created else roles_held(user)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.organisation = organisation
    user.is_staff = is_staff or is_superuser
    user.is_superuser = is_superuser
    if password is not None:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    return user_roles_set(user=user, roles=roles, before=before)


@transaction.atomic
def team_upsert(
    *,
    name: str,
    role: Role | str = "",
    members: Iterable[User] = (),
    owners: Iterable[User] = (),
    description: str = "",
) -> Team:
    team, _ = Team.objects.update_or_create(name=name, defaults={"role": role, "description": description})
    team.members.set(members)
    team.owners.set(owners)
    return team


@transaction.atomic
def user_save(*, user: User) -> User:
    """Store a person's account as the admin's user forms checked it (names, e-mail, password, flags); their
    roles are given and taken by user_access_set."""
    user.save()
    _access_forget(users=[user])  # made inactive, or no longer a superuser: refused on their next request
    return user


@transaction.atomic
def user_access_set(*, user: User, groups: Iterable[Group], permissions: Iterable, before: set[Role]) -> User:
    """Set a person's groups and permissions as the admin's form chose them: the groups that are roles through
    user_roles_set (which makes or removes what comes with a role), the others as given."""
    groups = list(groups)
    user.user_permissions.set(list(permissions))
    user.groups.set(
        [group for group in groups if group.name not in Role.values] + list(user.groups.filter(name__in=Role.values))
    )
    return user_roles_set(user=user, roles=[group.name for group in groups if group.name in Role.values], before=before)


@transaction.atomic
def team_save(
    *,
    team: Team | None = None,
    name: str,
    role: Role | str = "",
    email: str = "",
    description: str = "",
    members: Iterable[User] = (),
    owners: Iterable[User] = (),
) -> Team:
    """Make or change a team: its name, role, shared mailbox, members and owners (who manage its alerting)."""
    team = Team() if team is None else Team.objects.select_for_update().get(pk=team.pk)
    if Team.objects.filter(name=name).exclude(pk=team.pk).exists():
        raise Conflict(f"There is already a team called {name}.", field="name")
    team.name, team.role, team.email, team.description = name, role, email, description
    team.save()
    team.members.set(members)
    team.owners.set(owners)
    return team


@transaction.atomic
def team_delete(*, team: Team) -> None:
    """Remove a team, with its own channels and subscriptions; its members keep their accounts."""
    Team.objects.filter(pk=team.pk).delete()


def _access_forget(*, users: Iterable[User] = (), tokens: Iterable[str] = ()) -> None:
    """Mark what the cache holds of these people's tokens (and of these token keys) changed, now and again when the
    transaction commits, so the next request reads the database: see accounts.access_cache."""
    keys = set(tokens) | set(Token.objects.filter(user__in=[user.pk for user in users]).values_list("key", flat=True))
    cache_keys = [access_cache.token_cache_key(key) for key in keys]
    access_cache.entries_mark_changed(cache_keys)
    transaction.on_commit(lambda: access_cache.entries_mark_changed(cache_keys))


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The API token a system signs in with: the one the user already has, or a new one. A token is revoked by
    deleting it (token_revoke, or in the admin); the next sign-in then issues another."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def token_revoke(*, token: Token) -> None:
    """Delete an API token: a request carrying it is refused from the next one on."""
    _access_forget(tokens=[token.key])
    Token.objects.filter(key=token.key).delete()


@transaction.atomic
def token_rotate(*, user: User) -> Token:
    """Replace a person's API token with a new one: the old one is refused from the next request on."""
    for key in Token.objects.select_for_update().filter(user=user).values_list("key", flat=True):
        token_revoke(token=Token(key=key))
    return Token.objects.create(user=user)
