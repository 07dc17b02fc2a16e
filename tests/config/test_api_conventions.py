import pytest

from accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_anonymous_users_are_refused_with_the_common_error_format(api):
    response = api.get("/api/v1/accounts/me/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["status"] == response.status_code
    assert "credentials" in response.json()["error"]["message"].lower()


@pytest.mark.django_db
def test_unknown_api_address_answers_json_not_found(api):
    api.as_role(Role.BROKER)
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_page_size_is_capped(api, settings):
    api.as_role(Role.ADMINISTRATOR)
    UserFactory.create_batch(3)
    response = api.get("/api/v1/accounts/users/", {"page_size": 100000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert set(body) == {"count", "next", "previous", "results"}
    from config.api import Pagination

    assert Pagination.max_page_size == settings.API_MAX_PAGE_SIZE == 500


@pytest.mark.django_db
def test_validation_errors_name_the_field(api):
    response = api.post("/api/v1/accounts/token/", {"username": "nobody"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "password" in error["fields"]


def test_schema_and_docs_are_public_and_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/redoc/").status_code == 200


def test_openapi_schema_generates_without_warnings():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
