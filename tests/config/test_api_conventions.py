import pytest

from accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_anonymous_users_are_refused_with_the_common_error_format(api):
    response = api.get("/api/v1/accounts/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["status"] == 401
    assert "credentials" in response.json()["error"]["message"].lower()


@pytest.mark.django_db
def test_a_wrong_token_is_a_401_asking_for_a_token(api):
    response = api.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_a_browser_session_still_signs_in_and_is_refused_a_write_without_csrf(client):
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(user)
    assert client.get("/api/v1/accounts/me/").json()["username"] == user.username
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    refused = csrf_client.post("/api/v1/rate-changes/uplift/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert "csrf" in refused.json()["error"]["message"].lower()


@pytest.mark.django_db
def test_unknown_api_address_answers_json_not_found(api):
    api.as_role(Role.BROKER)
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nothing", "/api/v1/contracts/1/no-such-action/"])
@pytest.mark.django_db
def test_unknown_api_addresses_answer_json_with_debug_on(client, settings, method, path):
    settings.DEBUG = True
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == {"status": 404, "code": "not_found", "message": f"No such address: {path}"}


@pytest.mark.django_db
def test_a_server_error_under_the_api_answers_the_error_shape(api, monkeypatch):
    from accounts.api import views

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.MeView, "get_object", broken)
    api.raise_request_exception = False
    api.as_role(Role.BROKER)
    response = api.get("/api/v1/accounts/me/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


@pytest.mark.django_db
def test_an_api_address_missing_its_trailing_slash_says_which_one_was_meant(api):
    api.as_role(Role.BROKER)
    response = api.get("/api/v1/accounts/me")
    assert response.status_code == 404
    assert "did you mean /api/v1/accounts/me/" in response.json()["error"]["message"]


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/accounts/users/", {"search": "ab\x00c"}),
        ("/api/v1/beds/available/", {"care_type": "nursing", "district": "E07\x00"}),
    ],
)
def test_a_parameter_holding_a_nul_character_is_refused_by_name(api, url, query):
    api.as_role(Role.ADMINISTRATOR, Role.BROKER)
    response = api.get(url, query)
    assert response.status_code == 400
    name = next(name for name, value in query.items() if "\x00" in value)
    assert response.json()["error"]["fields"][name] == [f"{name} contains a NUL character."]
