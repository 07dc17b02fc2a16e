"""Who an API token signs in as, and their roles, are kept in the cache, so a request made with a token spends no
query on them; a change made through the services is obeyed on the very next request, and a cache that is down
costs the queries, never an answer."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services import token_issue, token_revoke, token_rotate, user_roles_set, user_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
USERS = "/api/v1/accounts/users/"  # administrators only
ME = "/api/v1/accounts/me/"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def queries(client: APIClient, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    return status, len(captured)


@pytest.fixture
def administrator():
    user = UserFactory(username="feed-admin", roles=[Role.ADMINISTRATOR])
    return user, token_client(token_issue(user=user).key)


def test_a_request_with_a_known_token_spends_no_query_on_who_it_is(administrator):
    _user, client = administrator
    first_status, first = queries(client, ME)
    second_status, second = queries(client, ME)
    assert first_status == second_status == 200
    # The token with its user, and the roles: both from the cache on the second request.
    assert second == first - 2
    assert client.get(ME).json()["roles"] == ["administrator"]


def test_a_role_taken_away_is_obeyed_on_the_very_next_request(administrator):
    user, client = administrator
    assert client.get(USERS).status_code == 200
    assert client.get(USERS).status_code == 200  # from the cache

    user_roles_set(user=user, roles=[Role.BROKER])

    assert client.get(USERS).status_code == 403
    assert client.get(ME).json()["roles"] == ["broker"]


def test_a_role_given_is_obeyed_on_the_very_next_request():
    user = UserFactory(roles=[Role.BROKER])
    client = token_client(token_issue(user=user).key)
    assert client.get(USERS).status_code == 403
    user_roles_set(user=user, roles=[Role.BROKER, Role.ADMINISTRATOR])
    assert client.get(USERS).status_code == 200


def test_a_deleted_token_is_refused_on_the_next_request(administrator):
    user, client = administrator
    assert client.get(ME).status_code == 200
    token_revoke(token=user.auth_token)
    answer = client.get(ME)
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "Invalid token."


def test_a_rotated_token_is_refused_and_its_replacement_accepted(administrator):
    user, client = administrator
    assert client.get(ME).status_code == 200
    new = token_rotate(user=user)
    assert client.get(ME).status_code == 401
    assert token_client(new.key).get(ME).json()["username"] == "feed-admin"


def test_a_person_made_inactive_is_refused_on_the_next_request(administrator):
    user, client = administrator
    assert client.get(ME).status_code == 200
    user.is_active = False
    user_save(user=user)
    answer = client.get(ME)
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "User inactive or deleted."


def test_a_superuser_flag_taken_away_is_obeyed_on_the_next_request():
    user = UserFactory(is_superuser=True)
    client = token_client(token_issue(user=user).key)
    assert client.get(USERS).status_code == 200  # a superuser is an administrator
    user.is_superuser = False
    user_save(user=user)
    assert client.get(USERS).status_code == 403


def test_a_token_deleted_in_the_admin_is_refused_on_the_next_request(administrator, client):
    user, token_user_client = administrator
    assert token_user_client.get(ME).status_code == 200
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True))
    answer = client.post(f"/admin/authtoken/tokenproxy/{user.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert token_user_client.get(ME).status_code == 401


def test_a_token_added_in_the_admin_for_someone_with_one_replaces_it(administrator, client):
    user, token_user_client = administrator
    assert token_user_client.get(ME).status_code == 200
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True))
    answer = client.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert token_user_client.get(ME).status_code == 401
    user.refresh_from_db()
    assert token_client(user.auth_token.key).get(ME).status_code == 200


def test_a_cached_person_saved_keeps_their_password(administrator):
    user, client = administrator
    client.get(ME)
    cached = client.get(ME).wsgi_request.user  # from the cache: the row less its password
    assert cached.pk == user.pk and "password" in cached.get_deferred_fields()
    cached.first_name = "Feed"
    user_save(user=cached)
    user.refresh_from_db()
    assert user.first_name == "Feed"
    assert user.check_password("correct-horse-battery")


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_with_the_cache_down_tokens_are_read_from_the_database(administrator, cache_down, caplog):
    user, client = administrator
    with caplog.at_level(logging.WARNING, logger="accounts.access_cache"):
        assert client.get(USERS).status_code == 200
        user_roles_set(user=user, roles=[Role.BROKER])  # the change mark cannot be written: no error either
        assert client.get(USERS).status_code == 403
        token_revoke(token=user.auth_token)
        assert client.get(ME).status_code == 401
    warnings = [record.getMessage() for record in caplog.records if record.name == "accounts.access_cache"]
    assert warnings and all("using the database" in message for message in warnings)
    assert not [message for message in warnings if "127.0.0.1" in message]


def test_with_the_cache_turned_off_every_request_reads_the_database(administrator, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    _user, client = administrator
    _, first = queries(client, ME)
    _, second = queries(client, ME)
    assert first == second
