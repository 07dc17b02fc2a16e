"""Fixtures for the whole suite.

Dates in tests. A test that depends on the day says which day it is, in one of two ways, never a mixture:
- it reads today once (`tests.dates.TODAY`, or `timezone.localdate()` once at the top of the test) and derives every
  other date from it; or
- it pins the clock to a named day with `@pytest.mark.today(date(2026, 12, 7))` (on the module as `pytestmark`, or
  on one test): the process's clock reads that day at noon in the council's time zone for the whole test, so the
  service, the factories and the test's own fixed dates agree.
Factories read the clock when they run, so they follow either way. make test runs the SQLite pass with the whole
process tree's clock a year ahead (libfaketime), so a date that would go off next year fails now.
"""

import os
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import UserFactory


def pytest_configure(config):
    # The suite runs against real Redis and a real database: PostgreSQL, and again on SQLite (the embedded
    # default) without the tests marked `postgres` (make test does both; see scripts/test.sh).
    if not os.getenv("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "sqlite://")):
        raise pytest.UsageError(
            "The tests need a database: run `make test`, or set DATABASE_URL (postgres://... or sqlite:///...) "
            "and REDIS_URL."
        )
    if not os.getenv("REDIS_URL"):
        raise pytest.UsageError("The tests need Redis: run `make test`, or set REDIS_URL.")


@pytest.fixture(autouse=True)
def _pinned_day(request, settings):
    """The clock of a test marked `today(day)`: that day at noon in the council's time zone, ticking on."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    day = marker.args[0]
    with time_machine.travel(datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow by design; the sign-in tests make dozens of attempts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def api():
    """An API client; call api.as_role(Role.BROKER) or api.force_authenticate(user)."""

    class RoleClient(APIClient):
        def as_role(self, *roles: Role, **user_fields):
            self.user = UserFactory(roles=roles, **user_fields)
            self.force_authenticate(self.user)
            return self.user

    return RoleClient()


@pytest.fixture
def user_with_role(db):
    def make(*roles: Role, **fields):
        return UserFactory(roles=roles, **fields)

    return make
