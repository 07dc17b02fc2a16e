"""Who may do what, declared on a view in one line:

    permission_classes = [allow(read=STAFF_ROLES, write={Role.CONTRACT_OFFICER, Role.COMMISSIONER})]

Reads are GET/HEAD/OPTIONS; everything else is a write. Provider users additionally see only their own
providers' rows: views filter with accounts.selectors.provider_scope, and object checks use
`provider_ids_of` below.
"""

from collections.abc import Iterable

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import Role


def allow(*, read: Iterable[Role], write: Iterable[Role] = ()) -> type[BasePermission]:
    read_roles = frozenset(Role(role) for role in read) | frozenset(Role(role) for role in write)
    write_roles = frozenset(Role(role) for role in write)

    class RolePermission(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            roles = read_roles if request.method in SAFE_METHODS else write_roles
            return user.has_role(*roles)

    names = "_".join(sorted(role.value for role in read_roles))
    RolePermission.__name__ = f"Allow_{names}"[:80]
    return RolePermission


def provider_ids_of(user) -> set[int]:
    """Ids of the providers a user is a member of (empty for users with no provider link)."""
    if not hasattr(user, "_provider_ids_cache"):
        user._provider_ids_cache = set(user.provider_memberships.values_list("provider_id", flat=True))
    return user._provider_ids_cache


def may_act_for_provider(user, provider_id: int | None) -> bool:
    """Staff act for any provider; a provider user only for providers they are a member of."""
    if not user.is_provider_user:
        return user.is_authenticated
    return provider_id is not None and provider_id in provider_ids_of(user)
