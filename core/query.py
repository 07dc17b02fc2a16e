"""Query parameters, parsed strictly at the edge of the API.

A parameter the service does not understand, a value it cannot read, or a parameter given with no value is a
400 naming it, never silently dropped. Every app's views use what is here:

- list and detail views (generic views) are checked by `KnownQueryParameters`, the first of the default filter
  backends: the names a view understands are its FilterSet's filters, its search and ordering parameters, the
  pagination parameters and the fields of its `query_serializer_class` (parameters such as `on` that are not
  filters; the view parses them with `query_parse(..., only=False)`);
- other views parse everything with `query_parse(request, Serializer)`, which refuses any other name.

Selectors then take typed arguments (a `date`, a `Locality`, a care type) and never see the request.
"""

import copy
import re
from collections.abc import Iterable
from datetime import UTC, date

import django_filters
from django import forms
from django_filters.filters import QuerySetRequestMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

# Viewset actions that answer or write one row: the pagination parameters mean nothing to them.
SINGLE_ROW_ACTIONS = frozenset({"retrieve", "create", "update", "partial_update", "destroy"})
# Names any view understands: DRF's format override.
ALWAYS_KNOWN = frozenset({"format"})


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError({name: [message] for name, message in sorted(problems.items())})


def query_names_check(query_params, known: Iterable[str]) -> None:
    """Refuse parameters outside `known` and parameters given without a value."""
    known = set(known) | ALWAYS_KNOWN
    problems = {}
    for name in query_params:
        if name not in known:
            allowed = ", ".join(sorted(known - ALWAYS_KNOWN)) or "none"
            problems[name] = f"Unknown query parameter {name!r}. This address understands: {allowed}."
        elif all(value.strip() == "" for value in query_params.getlist(name)):
            problems[name] = f"{name} was given without a value; leave it out or give one."
        elif any("\x00" in value for value in query_params.getlist(name)):
            # No text column can hold a NUL character (PostgreSQL refuses it), so no value of ours has one.
            problems[name] = f"{name} contains a NUL character."
    _refuse(problems)


def query_parse(request, serializer_class: type[serializers.Serializer], *, only: bool = True) -> dict:
    """Parse the query string with a serializer: typed values, or a 400 naming each bad parameter.

    With `only` (a view whose parameters are all in the serializer) any other name is refused; a generic
    view passes only=False, because KnownQueryParameters checks its names against the filters too."""
    serializer = serializer_class(data=request.query_params, context={"request": request})
    query_names_check(request.query_params, serializer.fields.keys() if only else request.query_params.keys())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def view_query_names(view, queryset) -> set[str]:
    """The query parameters a generic view understands, from its filter backends, paginator and query serializer."""
    names: set[str] = set()
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, filters.SearchFilter) and getattr(view, "search_fields", None):
            names.add(backend.search_param)
        elif isinstance(backend, filters.OrderingFilter) and getattr(view, "ordering_fields", None):
            names.add(backend.ordering_param)
        elif hasattr(backend, "get_filterset_class"):
            filterset_class = backend.get_filterset_class(view, queryset)
            if filterset_class is not None:
                names.update(filterset_class.base_filters)
    paginator = getattr(view, "paginator", None)
    # Lists page, and so may a detail's own list (a location's rating history); a single row, a write or an
    # export (its action sets pagination_class=None, so it has no paginator) never does.
    reading = getattr(getattr(view, "request", None), "method", "GET") in ("GET", "HEAD")
    if paginator is not None and reading and getattr(view, "action", None) not in SINGLE_ROW_ACTIONS:
        names.update(filter(None, [getattr(paginator, "page_query_param", None)]))
        names.update(filter(None, [getattr(paginator, "page_size_query_param", None)]))
        names.update(getattr(paginator, "query_params", ()))
    query_serializer = getattr(view, "query_serializer_class", None)
    if query_serializer is not None:
        names.update(query_serializer().fields)
    return names


class KnownQueryParameters(BaseFilterBackend):
    """Refuses, with a 400 naming them, query parameters the view does not understand or gives no value."""

    def filter_queryset(self, request, queryset, view):
        query_names_check(request.query_params, view_query_names(view, queryset))
        return queryset


class CopiedOnceFilterSet:
    """Before a django-filter FilterSet on a path asked for many times a second (the alert inbox list): its filters
    are copied one level deep for each request, and its form class is built once, instead of deep-copying every
    filter (their choices, widgets and help texts) and building a new form class and its fields on every request,
    which cost about 1 ms of CPU a request.

    A filter's own mutable parts are its `extra` (copied) and its method (bound again to the copy). A filter whose
    form field depends on the request (a queryset given as a callable) keeps django-filter's form building."""

    _form_classes: dict[type, type] = {}

    def __init__(self, *args, **kwargs):
        self.base_filters = {}  # what django-filter's __init__ deep-copies: nothing; the copies are made below
        super().__init__(*args, **kwargs)
        del self.base_filters
        model = self.queryset.model
        self.filters = {}
        for name, base in type(self).base_filters.items():
            filter_ = copy.copy(base)
            filter_.extra = dict(base.extra)
            if base.method is not None:
                filter_.method = base.method  # its FilterMethod refers to the filter: one for the copy
            filter_.model, filter_.parent = model, self
            self.filters[name] = filter_

    def get_form_class(self):
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = super().get_form_class()
            if not any(isinstance(f, QuerySetRequestMixin) for f in self.filters.values()):
                self._form_classes[type(self)] = form_class
        return form_class


class StrictBooleanField(forms.Field):
    TRUE = frozenset({"true", "1", "yes"})
    FALSE = frozenset({"false", "0", "no"})

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(f"{value!r} is not true or false.", code="invalid")


class BooleanField(serializers.BooleanField):
    """A yes/no query parameter for serializers, with the same words as BooleanFilter (DRF's own also takes
    on/off, t/f, y/n), so every true/false parameter of the service reads alike."""

    TRUE_VALUES = StrictBooleanField.TRUE | {True}
    FALSE_VALUES = StrictBooleanField.FALSE | {False}


# The range of a PostgreSQL bigint: an id outside it can name no row, and the database would refuse to compare.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


@extend_schema_field({"type": "integer", "format": "int64", "minimum": ID_MIN, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number, or a 400 (django-filter's number filter would take 1.5 and round it)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class CommaChoicesField(serializers.Field):
    """`?care_type=nursing,residential`: one or more of `choices` (or of what a callable returns), separated by
    commas with nothing else between them. The schema declares exactly that as a pattern (core.schema), so what it
    calls valid and what this accepts are the same."""

    def __init__(self, *, choices, noun: str = "value", **kwargs):
        self._choices, self.noun = choices, noun
        super().__init__(**kwargs)

    @property
    def choices(self) -> list[str]:
        return list(self._choices() if callable(self._choices) else self._choices)

    def to_internal_value(self, data) -> list[str]:
        choices = self.choices
        values = str(data).split(",")
        unknown = [value for value in values if value not in choices]
        if unknown:
            raise ValidationError(
                f"Unknown {self.noun} {', '.join(repr(value) for value in unknown)}; choose from "
                f"{', '.join(choices)}, separated by commas."
            )
        return list(dict.fromkeys(values))

    def to_representation(self, value) -> str:
        return ",".join(value)

    def schema_pattern(self) -> str:
        one = "(?:" + "|".join(re.escape(choice) for choice in sorted(self.choices, key=len, reverse=True)) + ")"
        return f"^{one}(?:,{one})*$"


class BooleanFilter(django_filters.BooleanFilter):
    """true/false (or 1/0, yes/no); anything else is a 400, where django-filter's own reads it as 'not given'."""

    field_class = StrictBooleanField


class CommaListField(django_filters.fields.BaseCSVField):
    """django-filter's comma-separated values, none of them empty: `open,` or `open,,snoozed` is refused, where
    django-filter would let the empty one through as no choice at all."""

    def clean(self, value):
        if value is not None and any(item in ("", None) for item in value):
            raise forms.ValidationError("Give values separated by commas, with none empty.", code="invalid")
        return super().clean(value)


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Several choices separated by commas, each checked against the choices: `?rating=Inadequate,Good`."""

    base_field_class = CommaListField


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, documented only on views that have `search_fields` (the only ones that accept it)."""

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view) if getattr(view, "search_fields", None) else []


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=` with DRF's meaning, offered only on views that name their `ordering_fields`; a field a list
    cannot be ordered by is a 400 naming it, where DRF's own filter drops it and serves the default order."""

    def get_schema_operation_parameters(self, view):
        # The fields a list may be ordered by, each ascending or descending (`-`), comma-separated: any other
        # name is a 400, so the schema names them.
        fields = getattr(view, "ordering_fields", None)
        if not fields:
            return []
        (parameter,) = super().get_schema_operation_parameters(view)
        names = [name for field in fields for name in (field, f"-{field}")]
        parameter["schema"] = {"type": "array", "items": {"type": "string", "enum": names}, "minItems": 1}
        parameter.update(style="form", explode=False)
        return [parameter]

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        refused = [field for field in fields if field not in valid]
        if refused:
            offered = sorted(item[0] for item in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError(
                {self.ordering_param: [f"Cannot order by {', '.join(refused)}; offered: {', '.join(offered)}."]}
            )
        return valid


# Days the service can reason about: arithmetic on a day near year 1 or 9999 (a wait's start, a quarter's end)
# overflows Python's date, so a day outside these years is a 400 naming the field, not a server error.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)


# The years FIRST_DAY to LAST_DAY as a pattern, so the schema says which days are read.
DAY_PATTERN = r"^(19\d\d|2[01]\d\d|2200)-\d\d-\d\d$"


@extend_schema_field({"type": "string", "format": "date", "pattern": DAY_PATTERN})
class DateField(serializers.DateField):
    """A day between FIRST_DAY and LAST_DAY."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(f"Give a day between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.")
        return day


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A moment in any UTC offset Python reads, compared in UTC (PostgreSQL refuses offsets past 15:59)."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                name = next((key for key, item in self.parent.filters.items() if item is self), self.field_name)
                raise ValidationError({name: "Give a moment between the years 1 and 9999 in UTC."}) from None
        return super().filter(qs, value)


class SlugRelatedField(serializers.SlugRelatedField):
    """A row named by its code or reference; a NUL character (which PostgreSQL cannot compare) is refused."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)
