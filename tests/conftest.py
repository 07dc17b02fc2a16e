import os

import pytest
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
