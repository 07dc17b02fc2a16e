"""API conventions shared by every app: pagination with an upper bound and one error format.

Every error body has the same shape:
    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"radius_km": ["..."]}}}
"""

import json
from functools import cached_property

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.errors import DomainError, ImportRejected


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to API_MAX_PAGE_SIZE); a value that is not a positive whole number, or a
    page size over the limit, is a 400 naming the parameter rather than the default page served instead."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        size = _positive_int(request, self.page_size_query_param)
        if size > self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"At most {self.max_page_size} rows a page."]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        # Declare the limits get_page_size and paginate_queryset enforce, so a client knows them before a 400.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param, "last") not in self.last_page_strings:
            _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)


class EstimatedCountPaginator(DjangoPaginator):
    """Django's paginator, counting at most `exact_up_to` + 1 rows: up to that many the count is exact; beyond it
    the count is PostgreSQL's planner's estimate (`count_exact` is then False) unless `exact` is asked for. Pages
    do not lean on an estimate: a page is refused only when it has no rows, and there is a next page only when
    a row follows this one (read with the page, one row more)."""

    def __init__(self, object_list, per_page, *, exact_up_to: int, exact: bool = False):
        super().__init__(object_list, per_page)
        self.exact_up_to, self.exact = exact_up_to, exact
        self.count_exact = True

    @cached_property
    def count(self) -> int:
        # The ids alone: counting needs none of the columns or joins of what a page shows (the alert list's four
        # joins made its bounded count cost twice as much on the database).
        rows = self.object_list.order_by().values("pk")
        if self.exact:
            return rows.count()
        counted = rows[: self.exact_up_to + 1].count()  # SELECT COUNT(*) FROM (... LIMIT n): bounded work
        if counted <= self.exact_up_to:
            return counted
        estimate = _planned_rows(rows)
        if estimate is None:  # no planner's estimate to be had (SQLite, the embedded default): count them all
            return rows.count()
        self.count_exact = False
        return max(estimate, counted)

    def _estimated(self) -> bool:
        _ = self.count  # the count decides whether pages are checked against it
        return not self.count_exact

    def validate_number(self, number):
        if not self._estimated():
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self._estimated():
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        more = len(rows) > self.per_page
        # However low the estimate, never fewer than the rows seen.
        self.__dict__["count"] = max(self.count, bottom + len(rows))
        return _PageOfEstimate(rows[: self.per_page], number, self, more=more)


class _PageOfEstimate(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


def _planned_rows(queryset) -> int | None:
    """PostgreSQL's planner's estimate of the rows a queryset would return (planning only: nothing is read)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    # The ids alone: the same rows, without the joins and columns of what a page shows, which cost more to plan
    # (3.4 to 5.1 ms for the alert list with its names) than the bounded count costs to run.
    queryset = queryset.order_by().values("pk")
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPagination(Pagination):
    """For a list too long to count on every page (the alert inbox: over a hundred thousand alerts, where an exact
    COUNT(*) costs more than the rest of the page). Up to API_EXACT_COUNT_UP_TO rows `count` is exact; beyond, it
    is an estimate and `count_exact` says so, and `?exact_count=true` asks for the exact figure. `next` and
    `previous` are always right: a next page is linked only when it has rows."""

    exact_count_query_param = "exact_count"
    query_params = (exact_count_query_param,)  # understood beyond page and page_size (core.query)

    def django_paginator_class(self, queryset, page_size):
        raw = self.request.query_params.get(self.exact_count_query_param)
        from core.query import StrictBooleanField  # core.query's filters read the API settings that name this module

        try:
            exact = bool(StrictBooleanField(required=False).clean(raw))
        except DjangoValidationError as error:
            raise exceptions.ValidationError({self.exact_count_query_param: error.messages}) from None
        return EstimatedCountPaginator(queryset, page_size, exact_up_to=settings.API_EXACT_COUNT_UP_TO, exact=exact)

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            paginator.exact = True  # the last page is found by counting every row
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": self.page.paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        body = super().get_paginated_response_schema(schema)
        count = {
            **body["properties"]["count"],
            "description": f"The number of rows: exact up to {settings.API_EXACT_COUNT_UP_TO:,}, beyond that an "
            f"estimate unless `{self.exact_count_query_param}=true` was asked for (see `count_exact`).",
        }
        exact = {
            "type": "boolean",
            "description": "Whether `count` is exact (false: PostgreSQL's estimate, never fewer than the rows "
            "already paged through). `next` and `previous` are exact either way.",
        }
        rest = {name: value for name, value in body["properties"].items() if name != "count"}
        body["properties"] = {"count": count, "count_exact": exact, **rest}
        body["required"] = [*body["required"], "count_exact"]
        return body

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.exact_count_query_param,
                "required": False,
                "in": "query",
                "description": "true: count every row exactly (slower), whatever their number.",
                "schema": {"type": "boolean"},
            },
        ]


def _positive_int(request, name: str) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw.isdigit() or int(raw) < 1:
        raise exceptions.ValidationError({name: [f"{raw!r} is not a whole number of 1 or more."]})
    return int(raw)


# Deeper than any body the service reads (a boundary's GeoJSON is under ten levels), and far short of the depth at
# which Python's JSON decoder, or anything walking the result, runs out of stack.
JSON_MAX_DEPTH = 64


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body nested deeper than JSON_MAX_DEPTH with a 400 (Python's decoder raises
    RecursionError, not the ValueError DRF turns into one, at about a thousand levels)."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = exceptions.ParseError(f"JSON parse error - the body is nested more than {JSON_MAX_DEPTH} deep.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth_over(data, JSON_MAX_DEPTH):
            raise too_deep
        return data


def _depth_over(data, limit: int) -> bool:
    """Whether `data` nests lists and objects more than `limit` deep, walked without recursion."""
    level = [data]
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def error_body(*, status_code: int, code: str, message: str, fields: dict | None = None, **extra) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return {"error": body}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else None
        extra = {"problems": exc.problems} if isinstance(exc, ImportRejected) else {}
        body = error_body(status_code=exc.status_code, code=exc.code, message=exc.message, fields=fields, **extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        exc = exceptions.ValidationError(detail=fields or exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):
        return suspicious_request_response(exc)

    # Imported here: rest_framework.views reads the API settings, which name this module's classes, when first
    # imported, so importing it at the top would make a cycle whenever DRF loads this module first.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = "Invalid input: " + _flatten(fields)
        code = "invalid"
    else:
        fields = None
        message = _flatten(exc.detail) if hasattr(exc, "detail") else str(exc)
        code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = code if isinstance(code, str) else "error"
    response.data = error_body(status_code=response.status_code, code=code, message=message, fields=fields)
    return response


def not_found_view(request, exception=None):
    """JSON 404 for URLs that match nothing, so API clients always get the one error format.

    It is Django's handler404 (DEBUG off) and the last pattern under /api/ (so DEBUG on answers the same, not the
    HTML debug page). A path that lacks only its trailing slash says so, since the catch-all means Django's
    APPEND_SLASH redirect never happens under /api/."""
    from django.http import JsonResponse
    from django.urls import Resolver404, resolve

    message = f"No such address: {request.path}"
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message += f" (did you mean {request.path}/ ?)"
    body = error_body(status_code=404, code="not_found", message=message)
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


@csrf_exempt  # nothing is written; a token client's POST to a wrong address gets the 404, not a CSRF page
def api_not_found(request, path=""):
    return not_found_view(request)


def suspicious_request_response(exc: SuspiciousOperation):
    """Django's own refusals of a request (more fields or files than it reads, a body larger than it holds in
    memory, a malformed header) in the error shape: 413 for a body too large, 400 for the rest."""
    from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
    from django.http import JsonResponse

    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"The request's form fields are larger than the {limit:,} bytes the service reads."
        body = error_body(status_code=413, code="too_large", message=message)
        return JsonResponse(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        message = f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields (query parameters and form fields)."
    elif isinstance(exc, TooManyFilesSent):
        message = f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files in one request."
    else:
        message = "The request was refused as malformed."
    body = error_body(status_code=400, code="bad_request", message=message)
    return JsonResponse(body, status=status.HTTP_400_BAD_REQUEST)


def server_error_view(request):
    """JSON 500 under /api/ (DEBUG off), so a client reading the error shape is not handed an HTML page; the
    traceback goes to the log as usual."""
    if not request.path.startswith("/api/"):
        from django.views.defaults import server_error

        return server_error(request)
    from django.http import JsonResponse

    body = error_body(status_code=500, code="server_error", message="The service failed to answer; it is logged.")
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
