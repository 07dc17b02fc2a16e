"""The OpenAPI schema documents the errors the service answers, in the one error shape."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.api import error_body

READ_ERRORS = {"400", "401", "403", "404"}
WRITE_ERRORS = READ_ERRORS | {"409", "415"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_operation_documents_the_errors_it_can_answer(schema):
    missing = {}
    for path, method, operation in operations(schema):
        expected = WRITE_ERRORS if method in {"POST", "PUT", "PATCH", "DELETE"} else READ_ERRORS
        if absent := expected - set(operation["responses"]):
            missing[f"{method} {path}"] = sorted(absent)
    assert not missing


def test_documented_errors_use_the_error_shape_the_service_sends(schema):
    response = schema["paths"]["/api/v1/contracts/"]["post"]["responses"]["409"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"status", "code", "message"}
    body = error_body(status_code=409, code="conflict", message="The last void bed was just taken.")
    assert set(body) == set(schema["components"]["schemas"]["Error"]["properties"])
    assert set(body["error"]) <= set(detail["properties"])


def test_every_documented_error_says_what_it_means(schema):
    for _path, _method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert response["description"], (code, operation["operationId"])


def test_the_token_sign_in_documents_its_lockout(schema):
    responses = schema["paths"]["/api/v1/accounts/token/"]["post"]["responses"]
    assert "429" in responses
    assert "429" not in schema["paths"]["/api/v1/accounts/me/"]["get"]["responses"]
