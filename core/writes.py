"""What every app's update services share: an argument left out keeps the stored value.

    def contract_update(*, contract, status: str = UNCHANGED, notes: str = UNCHANGED, ...):
        changes = given(status=status, notes=notes)

so a PATCH, or an admin form that changed only some fields, passes just those.
"""

from typing import Any


class Unchanged:
    """The default of an update service's arguments: a field not given is left as it is (a PATCH, or an
    admin form that changed only some fields)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = Unchanged()


def given(**values) -> dict:
    """The arguments of an update that were given, by name."""
    return {name: value for name, value in values.items() if value is not UNCHANGED}
