"""Filters of the alerts inbox: HTTP parsed at the edge; unknown names and bad values are a 400."""

import django_filters as filters
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from core.query import BooleanFilter, ChoiceInFilter, CopiedOnceFilterSet, IdFilter, IsoDateTimeFilter
from geo.models import Locality
from tasks.models import Alert, AlertStatus, Severity, Silence, SubjectKind
from tasks.selectors import assigned_to


class AlertFilter(CopiedOnceFilterSet, filters.FilterSet):
    status = ChoiceInFilter(choices=AlertStatus.choices, help_text="One or more statuses, comma-separated.")
    severity = ChoiceInFilter(choices=Severity.choices, help_text="One or more severities, comma-separated.")
    rule = filters.BaseInFilter(field_name="rule__code", help_text="One or more rule codes, comma-separated.")
    subject_kind = ChoiceInFilter(choices=SubjectKind.choices)
    locality = filters.CharFilter(
        method="in_locality", help_text="A locality's GSS code: alerts there or in a locality directly inside it."
    )
    provider = IdFilter(field_name="provider_id", help_text="Provider id.")
    location = IdFilter(field_name="location_id")
    contract = IdFilter(field_name="contract_id")
    lot = IdFilter(field_name="lot_id")
    owner = IdFilter(field_name="owner_user_id", help_text="Alerts assigned to this user id.")
    team = IdFilter(field_name="owner_team_id", help_text="Alerts assigned to this team id.")
    mine = BooleanFilter(method="assigned_to_me", help_text="Alerts assigned to me or to one of my teams (true).")
    unassigned = BooleanFilter(method="no_owner", help_text="Alerts with no owner (true).")
    since = IsoDateTimeFilter(field_name="first_seen", lookup_expr="gte", help_text="First seen at or after.")
    silenced = BooleanFilter(field_name="silenced")
    inhibited = BooleanFilter(field_name="inhibited")

    class Meta:
        model = Alert
        fields = ["status", "severity", "rule", "provider", "owner", "since"]

    def in_locality(self, queryset, name, value):
        locality = Locality.objects.filter(code=str(value).strip().upper()).first()
        if locality is None:
            raise ValidationError({"locality": [f"No locality has the code {value!r}."]})
        return queryset.filter(Q(locality=locality) | Q(locality__parent=locality))

    def assigned_to_me(self, queryset, name, value):
        mine = assigned_to(self.request.user)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def no_owner(self, queryset, name, value):
        none = Q(owner_user__isnull=True, owner_team__isnull=True)
        return queryset.filter(none) if value else queryset.exclude(none)


class SilenceFilter(filters.FilterSet):
    active = BooleanFilter(method="in_force", help_text="Silences in force now (true) or not (false).")
    rule = filters.CharFilter(field_name="rule__code")
    provider = IdFilter(field_name="provider_id")

    class Meta:
        model = Silence
        fields = ["active", "rule", "provider"]

    def in_force(self, queryset, name, value):
        from django.utils import timezone

        now = timezone.now()
        live = Q(starts_at__lte=now, ends_at__gt=now)
        return queryset.filter(live) if value else queryset.exclude(live)
