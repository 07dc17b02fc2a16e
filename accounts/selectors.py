from django.contrib.auth.models import Group
from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from accounts import access_cache
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


def token_access(key: str) -> tuple[User, Token] | None:
    """The person an API token signs in as (active or not: the caller refuses an inactive one) and the token, or
    None when there is no such token. Their roles come with them (`user.roles` needs no query).

    Read from the cache when it holds the token (accounts.access_cache), else from the database (the token with
    its user, then the roles: two queries) and then kept. The person comes back as the database row less its
    password, which is loaded only if read; a `save()` of them writes the other fields only."""
    cache_key = access_cache.token_cache_key(key)
    entry = access_cache.entry_read(cache_key)
    if isinstance(entry, dict):
        user = User.from_db("default", entry["fields"], entry["values"])
        user._roles_cache = set(entry["roles"])
        token = Token.from_db("default", ["key", "user_id", "created"], [key, user.pk, entry["created"]])
        token.user = user
        return user, token
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None:
        return None  # nothing is kept for a wrong token: guesses would fill the cache
    user = token.user
    if entry is None and user.is_active:
        fields = [field.attname for field in User._meta.concrete_fields if field.attname != "password"]
        access_cache.entry_add(
            cache_key,
            {
                "fields": fields,
                "values": [getattr(user, name) for name in fields],
                "roles": sorted(user.roles),
                "created": token.created,
            },
        )
    return user, token


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
