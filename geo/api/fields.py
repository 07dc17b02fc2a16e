"""A postcode, and a locality named by its GSS code, in a query parameter, for every app's filters and query
serializers: an unknown code is a 400 naming the parameter, never an empty list that reads as "nothing there"."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from geo.models import Locality
from geo.selectors import POSTCODE_INPUT_PATTERN


def _locality_or_message(value, *, kind: str) -> tuple[Locality | None, str]:
    code = str(value).strip().upper()
    locality = Locality.objects.filter(code=code, kind=kind).first()
    return locality, "" if locality else f"No {kind} has the code {code!r}."


def locality_code_check(value, *, kind: str, param: str) -> Locality:
    """The locality of this kind with this code (in any case), or a 400 naming `param`."""
    locality, message = _locality_or_message(value, kind=kind)
    if locality is None:
        raise ValidationError({param: [message]})
    return locality


class LocalityCodeFilter(django_filters.CharFilter):
    """Filters on a locality code field (`field_name="district__code"`), refusing a code no locality has."""

    def __init__(self, *args, kind: str, param: str, **kwargs):
        self.kind, self.param = kind, param
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return super().filter(queryset, locality_code_check(value, kind=self.kind, param=self.param).code)


@extend_schema_field(OpenApiTypes.STR)
class LocalityCodeField(serializers.Field):
    """A query serializer field whose value is the Locality of this kind with the code given."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("help_text", f"{kind.replace('_', ' ').capitalize()} GSS code.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Locality:
        locality, message = _locality_or_message(data, kind=self.kind)
        if locality is None:
            raise serializers.ValidationError(message)
        return locality

    def to_representation(self, value: Locality) -> str:
        return value.code


@extend_schema_field({"type": "string", "pattern": POSTCODE_INPUT_PATTERN})
class PostcodeField(serializers.CharField):
    """A UK postcode as people type it (either case, spaces or none); the schema declares its shape, and a
    postcode of that shape that is not in the directory is refused by geo.selectors.geocode."""
