from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import Team, User
from accounts.roles import Role


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
    user.groups.set(Group.objects.filter(name__in=[Role(role).value for role in roles]))
    return user


@transaction.atomic
def team_upsert(*, name: str, role: Role | str = "", members: Iterable[User] = (), description: str = "") -> Team:
    team, _ = Team.objects.update_or_create(name=name, defaults={"role": role, "description": description})
    team.members.set(members)
    return team
