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
    response = api.get("/api/v1/accounts/users/", {"page_size": 500})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert set(body) == {"count", "next", "previous", "results"}
    refused = api.get("/api/v1/accounts/users/", {"page_size": 501})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["page_size"] == ["At most 500 rows a page."]
    assert settings.API_MAX_PAGE_SIZE == 500


@pytest.mark.parametrize("value", ["false", "0", "-3", "ten", ""])
@pytest.mark.django_db
def test_a_page_size_or_page_that_is_not_a_positive_number_is_refused(api, value):
    api.as_role(Role.ADMINISTRATOR)
    for name in ("page_size", "page"):
        response = api.get("/api/v1/accounts/users/", {name: value})
        assert response.status_code == 400, (name, value)
        assert name in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_query_parameter_a_list_does_not_understand_is_refused_by_name(api):
    api.as_role(Role.ADMINISTRATOR)
    response = api.get("/api/v1/accounts/users/", {"colour": "red"})
    assert response.status_code == 400
    assert "Unknown query parameter 'colour'" in response.json()["error"]["fields"]["colour"][0]
    assert api.get("/api/v1/accounts/users/", {"page": "last"}).status_code == 200


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


@pytest.mark.django_db
def test_an_ordering_a_list_does_not_offer_is_refused_by_name(api):
    api.as_role(Role.CONTRACT_OFFICER)
    assert api.get("/api/v1/contracts/", {"ordering": "-start_date,reference"}).status_code == 200
    response = api.get("/api/v1/contracts/", {"ordering": "banana,-reference"})
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["ordering"][0]
    assert message.startswith("Cannot order by banana; offered:")
    assert "start_date" in message
