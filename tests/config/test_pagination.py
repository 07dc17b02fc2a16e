"""Every list in the API is paginated: no GET operation answers a bare array (checked on the OpenAPI schema)."""

from drf_spectacular.generators import SchemaGenerator


def test_no_list_endpoint_returns_an_unpaginated_array():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    bare_arrays = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        for content in get["responses"].get("200", {}).get("content", {}).values():
            body = content.get("schema", {})
            if "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[-1]]
            if body.get("type") == "array":
                bare_arrays.append(path)
    assert bare_arrays == []
