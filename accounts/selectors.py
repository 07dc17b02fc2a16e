from django.contrib.auth.models import Group
from django.db.models import QuerySet

from accounts.models import Team, User
from accounts.roles import Role


def users_list() -> QuerySet[User]:
    return User.objects.prefetch_related("groups", "teams").order_by("username")


def roles_held(user: User) -> set[Role]:
    """The person's roles as the database has them now (not a copy cached on the instance); a superuser is an
    administrator."""
    names = set(Group.objects.filter(user=user).values_list("name", flat=True))
    held = {role for role in Role if role.value in names}
    if User.objects.filter(pk=user.pk, is_superuser=True).exists():
        held.add(Role.ADMINISTRATOR)
    return held


def teams_list() -> QuerySet[Team]:
    return Team.objects.prefetch_related("members").order_by("name")


def provider_scope(queryset: QuerySet, user: User, *, provider_field: str = "provider") -> QuerySet:
    """Restrict `queryset` to rows of the providers a provider user belongs to; other roles see everything.

    `provider_field` is the lookup path from the queryset's model to the provider, e.g. "provider",
    "location__provider" or "bed_line__location__provider". Membership rows live in
    providers.ProviderMembership (related name `memberships`), reached here by lookup, not by import,
    so that accounts stays beneath every app.
    """
    if not user.is_authenticated:
        return queryset.none()
    if not user.is_provider_user:
        return queryset
    path = f"{provider_field}__memberships__user" if provider_field else "memberships__user"
    return queryset.filter(**{path: user}).distinct()
