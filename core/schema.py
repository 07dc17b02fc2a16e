"""The OpenAPI schema says what the service answers, errors included.

drf-spectacular documents the success responses it can see. `AutoSchema` adds the error responses every view can
give, all in the one error shape of core.api (component `Error`):

- 400 (input it cannot read, an unknown query parameter), 401 (no or a wrong token), 403 (the role may not, or a
  browser session without its CSRF token) and 404 (no such row, or no such page) on every operation;
- 409 (the request contradicts the current state, or lost a race) and 415 (a body in a format the view does not
  read) on every write;
- 429 (too many attempts) where the view is throttled, or says `lockout = True` (the sign-in lockout).

A view that documents one of these codes itself keeps its own description.
"""

from drf_spectacular import openapi
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
