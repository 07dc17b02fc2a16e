"""The sign-in lockout's counting (django-axes, configured in config.settings).

A council's staff often share one address (its proxy): counting failures per address at the same limit as per
user name let ten mistyped passwords from anyone lock out everyone. So failures count against two limits:

- LOGIN_FAILURE_LIMIT for one user name from one address: that person (or someone guessing their password)
  is refused there, while colleagues behind the same address sign in;
- the higher LOGIN_ADDRESS_FAILURE_LIMIT for one address whatever the user names, against one machine trying
  many names.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit for each group of AXES_LOCKOUT_PARAMETERS, in their order: the user
    name with the address, then the address alone. Axes compares one count with
    one limit (AXES_FAILURE_LIMIT, the user name and address's), so an address over its own limit counts as
    having reached that one."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_name_and_address, by_address = (_failures(group) for group in self.get_user_attempts(request, credentials))
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_name_and_address, settings.AXES_FAILURE_LIMIT)
        return by_name_and_address

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful sign-in clears its own user name's count from its address, not the address's: a colleague
        # signing in must not wipe the count of someone behind the same proxy trying other people's names.
        by_name_and_address = self.filter_user_attempts(request, credentials)[0]
        deleted, _ = by_name_and_address.delete()
        return deleted
