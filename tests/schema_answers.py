"""Whether an answer of the test client is one the OpenAPI schema documents: its status code for that operation, and
a body that matches the schema for that status (schemathesis's own validation, as the fuzzing uses it)."""

from functools import cache

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.transport import Response


@cache
def raw_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def served_schema():
    return schemathesis.openapi.from_dict(raw_schema())


def operation_for(method: str, path: str):
    operation = served_schema().find_operation_by_path(method.upper(), path)
    assert operation is not None, f"{method} {path} is not in the schema"
    return operation


def assert_documented(response) -> None:
    """Fails, naming what differs, unless the schema documents this answer to this request."""
    request = response.wsgi_request
    operation = operation_for(request.method, request.path)
    assert operation.responses.find_by_status_code(response.status_code) is not None, (
        f"{request.method} {request.path} answered {response.status_code}, which the schema does not document"
    )
    answer = Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(request.method, request.build_absolute_uri()).prepare(),
        elapsed=0.0,
        verify=False,
    )
    operation.validate_response(answer)
