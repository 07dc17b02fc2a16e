"""Filters of the users and teams lists; each value is checked (core.query), never silently ignored."""

import django_filters as filters
from django.contrib.auth import get_user_model

from accounts.models import Team
from accounts.roles import Role
from core.query import BooleanFilter


class UserFilter(filters.FilterSet):
    groups__name = filters.ChoiceFilter(choices=Role.choices, help_text="A role.")
    teams__name = filters.CharFilter(help_text="A team's name.")
    is_active = BooleanFilter()

    class Meta:
        model = get_user_model()
        fields: list = []


class TeamFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Team
        fields: list = []
