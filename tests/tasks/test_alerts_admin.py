"""The alerts admin: rules change through rule_update (thresholds checked), silences through silence_create."""

import pytest

from tasks.models import Alert, Rule
from tests.factories import UserFactory
from tests.tasks.alert_factories import rule
from tests.tasks.test_alerts_api import make_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_rule_screen_refuses_a_threshold_out_of_range_and_saves_a_good_one(admin_client):
    void = rule("void_level")
    url = f"/admin/tasks/rule/{void.pk}/change/"
    form = {
        "name": void.name,
        "description": void.description,
        "enabled": "on",
        "severity": "warning",
        "pending_for": "0",
        "resolve_after": "3 00:00:00",
    }
    refused = admin_client.post(url, {**form, "thresholds": '{"level": 5}'})
    assert refused.status_code == 200 and b"level" in refused.content
    assert admin_client.post(url, {**form, "thresholds": '{"level": 0.3}'}).status_code == 302
    assert Rule.objects.get(pk=void.pk).thresholds["level"] == 0.3


def test_alert_screens_list_and_show_an_alert(admin_client):
    alert = make_alert()
    assert admin_client.get("/admin/tasks/alert/").status_code == 200
    assert admin_client.get(f"/admin/tasks/alert/{alert.pk}/change/").status_code == 200
    assert admin_client.get("/admin/tasks/silence/add/").status_code == 200
    assert Alert.objects.count() == 1
