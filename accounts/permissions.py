"""Who may do what, declared on a view in one line, from the app's capability table:

    permission_classes = [allow(read=READ_REGISTER, write=EDIT_CONTRACTS)]

Reads are GET/HEAD/OPTIONS; everything else is a write. Those who may write may also read. Provider users
additionally see only their own providers' rows: views filter with accounts.selectors.provider_scope, and object
checks use `provider_ids_of` below. The permission class keeps its capabilities (`read_capability`,
`write_capability`) so tests/test_url_role_matrix.py can check every address against the table.
"""

from collections.abc import Iterable

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.capabilities import Capability
from accounts.roles import Role

# Written by the permission class; tests/test_url_role_matrix.py fails on a view whose roles are not a table entry.
UNDECLARED = "undeclared"


def _capability(value: Capability | Iterable[Role] | None) -> Capability | None:
    if value is None or isinstance(value, Capability):
        return value
    # A bare role set still works (a page merged from before the tables), but names no table entry.
    return Capability(UNDECLARED, value, "a role set written on the view, not a table entry")


def allow(
    *, read: Capability | Iterable[Role], write: Capability | Iterable[Role] | None = None
) -> type[BasePermission]:
    read_capability = _capability(read)
    write_capability = _capability(write)
    readers = read_capability if write_capability is None else read_capability | write_capability

    class RolePermission(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view) -> bool:
            if request.method in SAFE_METHODS:
                return readers.allows(request.user)
            return write_capability is not None and write_capability.allows(request.user)

    RolePermission.read_capability = readers
    RolePermission.write_capability = write_capability
    RolePermission.declared = UNDECLARED not in (read_capability.name, getattr(write_capability, "name", ""))
    RolePermission.__name__ = f"Allow_{read_capability.name}_{getattr(write_capability, 'name', '')}"[:80]
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
