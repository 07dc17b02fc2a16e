"""Every model of the service has an admin screen, and each list screen opens (with a search) for an administrator."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

SERVICE_APPS = {"accounts", "geo", "providers", "contracts", "market", "tasks"}


def service_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in SERVICE_APPS and not model.__name__.startswith("Historical")
    ]


def test_every_model_is_registered_in_the_admin():
    missing = [model._meta.label for model in service_models() if model not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_list_opens_and_searches(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in service_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "Fenland"})
        assert response.status_code == 200, f"{url}: {response.status_code}"
        add = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        assert add.status_code in (200, 403), f"{model._meta.label} add form: {add.status_code}"
