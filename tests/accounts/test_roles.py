import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from accounts.permissions import allow
from accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_role_is_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.django_db
def test_administrator_group_is_granted_user_permissions():
    group = Group.objects.get(name=Role.ADMINISTRATOR)
    assert group.permissions.filter(codename="change_user").exists()
    assert not Group.objects.get(name=Role.BROKER).permissions.filter(codename="change_user").exists()


@pytest.mark.django_db
def test_me_shows_roles_and_teams(api):
    api.as_role(Role.BROKER, Role.COMMISSIONER)
    body = api.get("/api/v1/accounts/me/").json()
    assert body["roles"] == ["broker", "commissioner"]
    assert body["provider_ids"] == []


@pytest.mark.django_db
def test_only_administrators_list_users(api):
    api.as_role(Role.BROKER)
    assert api.get("/api/v1/accounts/users/").status_code == 403
    api.as_role(Role.ADMINISTRATOR)
    assert api.get("/api/v1/accounts/users/").status_code == 200


@pytest.mark.django_db
def test_a_system_signs_in_with_a_token(api, client):
    user = UserFactory(username="cqc-feed", roles=[Role.COMMISSIONER])
    response = api.post("/api/v1/accounts/token/", {"username": "cqc-feed", "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key
    response = client.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    assert response.json()["username"] == "cqc-feed"


class _Request:
    def __init__(self, user, method):
        self.user, self.method = user, method


@pytest.mark.django_db
def test_allow_separates_reading_from_writing():
    permission = allow(read={Role.BROKER}, write={Role.CONTRACT_OFFICER})()
    broker = UserFactory(roles=[Role.BROKER])
    officer = UserFactory(roles=[Role.CONTRACT_OFFICER])
    provider = UserFactory(roles=[Role.PROVIDER_USER])
    assert permission.has_permission(_Request(broker, "GET"), None)
    assert not permission.has_permission(_Request(broker, "POST"), None)
    assert permission.has_permission(_Request(officer, "PATCH"), None)
    assert permission.has_permission(_Request(officer, "GET"), None)
    assert not permission.has_permission(_Request(provider, "GET"), None)


@pytest.mark.django_db
def test_superuser_counts_as_administrator():
    admin = UserFactory(is_superuser=True)
    assert admin.has_role(Role.ADMINISTRATOR)
    assert not admin.is_provider_user


@pytest.mark.django_db
def test_createsuperuser_works_without_a_terminal(monkeypatch):
    from django.core.management import call_command

    from accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-and-unguessable-pass")
    call_command("createsuperuser", "--noinput", username="root-admin", email="root@example.org")
    admin = User.objects.get(username="root-admin")
    assert admin.is_superuser and admin.check_password("a-long-and-unguessable-pass")
    assert admin.has_role(Role.ADMINISTRATOR)


@pytest.mark.django_db
def test_the_users_list_refuses_a_yes_no_or_role_filter_it_cannot_read(api):
    api.as_role(Role.ADMINISTRATOR)
    for query in ({"is_active": "banana"}, {"groups__name": "wizard"}):
        response = api.get("/api/v1/accounts/users/", query)
        assert response.status_code == 400, query
        assert set(response.json()["error"]["fields"]) == set(query)
    assert api.get("/api/v1/accounts/users/", {"is_active": "true"}).json()["count"] == 1
