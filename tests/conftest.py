import os

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import UserFactory


def pytest_configure(config):
    # The suite runs against real PostgreSQL and Redis (make test sets these; see scripts/ensure_services.py).
    if not os.getenv("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise pytest.UsageError("The tests need PostgreSQL: run `make test`, or set DATABASE_URL and REDIS_URL.")
    if not os.getenv("REDIS_URL"):
        raise pytest.UsageError("The tests need Redis: run `make test`, or set REDIS_URL.")


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
