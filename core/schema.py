"""The OpenAPI schema says what the service answers, errors included.

drf-spectacular documents the success responses it can see. `AutoSchema` adds the error responses every view can
give, all in the one error shape of core.api (component `Error`):

- 400 (input it cannot read, an unknown query parameter), 401 (no or a wrong token), 403 (the role may not, or a
  browser session without its CSRF token) and 404 (no such row, or no such page) on every operation;
- 409 (the request contradicts the current state, or lost a race) and 415 (a body in a format the view does not
  read) on every write;
- 429 (too many attempts) where the view is throttled, or says `lockout = True` (the sign-in lockout).

A view that documents one of these codes itself keeps its own description.

It also says what the service answers and refuses where drf-spectacular cannot see it:

- a read-only field read through a relation that may be empty (`source="provider.name"` with no provider) answers
  null, so it is `nullable`;
- a list that may not be empty (`allow_empty=False`) has `minItems: 1`;
- a query parameter given without a value is refused (core.query), so a text parameter has `minLength: 1`.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="A stable word for the kind of error: invalid, not_found, conflict, ...")
    message = serializers.CharField(help_text="What went wrong, in a sentence.")
    fields = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="For invalid input: each field or query parameter at fault, with its messages.",
    )
    problems = serializers.ListField(
        required=False,
        child=serializers.DictField(child=serializers.JSONField()),
        help_text="For a rejected file: each problem with its row, field and message; nothing was written.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


ERRORS = {
    "400": "Invalid input: the fields or query parameters at fault are named in error.fields.",
    "401": "Not signed in, or the token is wrong: send `Authorization: Token ...`.",
    "403": "Signed in, but the role (or the provider membership) does not allow this.",
    "404": "No such record, page or address.",
}
WRITE_ERRORS = {
    "409": "The request contradicts the current state (for example the last void bed was just taken).",
    "415": "The request body is in a format this address does not read.",
}
THROTTLED = {"429": "Too many attempts: wait before trying again."}


class AutoSchema(openapi.AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # A view whose `list` answers one object (an analysis with its rows inside) sets `list_answers_object`.
        if self._answers_object_list():
            return False
        return super()._is_list_view(serializer)

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        # Such a `list` still has a list's name, beside the detail's "retrieve".
        if self._answers_object_list() and operation_id.endswith("_retrieve"):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _answers_object_list(self) -> bool:
        return getattr(self.view, "list_answers_object", False) and getattr(self.view, "action", None) == "list"

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if getattr(field, "read_only", False) and _read_through_a_missing_row(field):
            meta["nullable"] = True
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and direction == "request":
            _decimal_as_read(field, schema)
        elif isinstance(field, serializers.CharField) and direction == "request":
            _text_as_read(field, schema)
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers a blank text beside a constrained one as oneOf; where the constraint allows "" too,
        # "" would match both and so neither. Either will do: anyOf.
        if "oneOf" in schema and schema["oneOf"][-1:] == [{"type": "string", "maxLength": 0}]:
            schema["anyOf"] = schema.pop("oneOf")
        if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
            schema["minItems"] = max(schema.get("minItems", 0), 1)

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query":
                _non_empty(parameter.get("schema", {}))
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in WRITE_METHODS:
            errors.update(WRITE_ERRORS)
        if self.view.get_throttles() or getattr(self.view, "lockout", False):
            errors.update(THROTTLED)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, ["application/json"], direction
                )
        return responses


def _decimal_as_read(field: serializers.DecimalField, schema: dict) -> None:
    """A decimal the service reads as text: at least one digit (drf-spectacular's pattern also allows "" and "-"),
    no minus sign where the least allowed is 0 or more. (As a number its places are said in words only: a JSON
    number is a binary float, and validators that divide floats find 0.07 no multiple of 0.01.)"""
    places = field.decimal_places
    if schema.get("type") == "number" and places is not None:
        places_words = f"At most {places} decimal places." if places else "A whole number."
        schema["description"] = f"{schema.get('description', '')} {places_words}".strip()
    elif schema.get("type") == "string" and "pattern" in schema and field.max_digits is not None:
        whole = field.max_digits - (places or 0)
        sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
        fraction = f"(?:\\.\\d{{0,{places}}})?" if places else ""
        schema["pattern"] = f"^{sign}(?:\\d{{1,{whole}}}{fraction}" + (f"|\\.\\d{{1,{places}}})$" if places else ")$")


def _text_as_read(field: serializers.CharField, schema: dict) -> None:
    """A text the service reads: never a NUL (DRF refuses one), and where it may not be blank, something other than
    white space (DRF strips it first, then finds the text blank)."""
    if schema.get("type") != "string" or {"pattern", "format", "enum"} & set(schema):
        return
    if not field.allow_blank and field.trim_whitespace:
        schema["pattern"] = QUERY_TEXT_PATTERN
    else:
        schema["pattern"] = "^[^\\u0000]*$"


def _read_through_a_missing_row(field) -> bool:
    """Whether a serializer field's source passes through a relation that may be empty (a null foreign key, or a
    reverse one-to-one), where DRF answers null instead of reading further."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or getattr(field, "source", "*") == "*":
        return False
    for name in field.source_attrs:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not model_field.is_relation or model_field.many_to_many or model_field.one_to_many:
            return False
        if model_field.null:
            return True
        model = model_field.related_model
    return False


# A character that is neither NUL nor white space as Python's str.strip() sees it, spelled out (JSON Schema's `\s`
# is ECMAScript's, which differs): core.query refuses a value without one, or with a NUL anywhere.
_SPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
_NOT_SPACE = "[^\\u0000" + "".join(f"\\u{ord(char):04x}" for char in _SPACE) + "]"
QUERY_TEXT_PATTERN = f"^[^\\u0000]*{_NOT_SPACE}[^\\u0000]*$"


def _non_empty(schema: dict) -> None:
    """A text query parameter holds something other than white space, and no NUL (core.query refuses both)."""
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema["minLength"] = max(schema.get("minLength", 0), 1)
        schema.setdefault("pattern", QUERY_TEXT_PATTERN)
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        schema["minItems"] = max(schema.get("minItems", 0), 1)  # `?rating=` (no item) is a value left empty
        _non_empty(schema["items"])


class CommaChoicesFieldSchema(OpenApiSerializerFieldExtension):
    """core.query.CommaChoicesField: a text whose pattern lists its choices (it is read before drf-spectacular sees
    any field, since settings name this module)."""

    target_class = "core.query.CommaChoicesField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": self.target.schema_pattern()}
