import pytest

from tests.factories import UserFactory


@pytest.fixture
def admin_client(client):
    """A client signed in as a superuser, for the admin screens."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
