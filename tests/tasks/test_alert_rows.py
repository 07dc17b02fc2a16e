"""The inbox list reads its rows as values (tasks.selectors.alert_rows_of) and writes them itself
(tasks.api.serializers.alert_rows), not through AlertSerializer: the two must give the same answer, field for
field, for every kind of alert a council has."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Team
from accounts.roles import Role
from tasks.api.serializers import ALERT_ROW, AlertSerializer
from tasks.models import Alert, AlertStatus, Silence
from tasks.selectors import ALERT_ROW_COLUMNS
from tests.factories import LocalityFactory, LocationFactory, UserFactory
from tests.tasks.alert_factories import rule

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def an_alert(n: int, **fields) -> Alert:
    location = fields.pop("location", None)
    return Alert.objects.create(
        rule=rule("home_in_use_at_risk" if n % 2 else "void_level"),
        severity=["critical", "high", "warning", "info"][n % 4],
        subject_kind="location",
        subject_id=location.pk if location else 10_000 + n,
        provider=location.provider if location else None,
        location=location,
        fingerprint=f"rows:{n}",
        title=f"Risk {n} – “quoted” & <marked>",
        evidence=fields.pop("evidence", {"n": n, "void_cost": "1520.00", "nested": {"list": [1, None, "x"]}}),
        first_seen=fields.pop("first_seen"),
        last_seen=fields.pop("last_seen"),
        status=fields.pop("status", AlertStatus.OPEN),
        **fields,
    )


def test_the_inbox_list_answers_exactly_what_the_alert_serializer_would(api):
    officer = api.as_role(Role.COMPLIANCE_OFFICER)
    named = UserFactory(first_name="Asha", last_name="Patel")
    unnamed = UserFactory(first_name="", last_name="")
    team = Team.objects.create(name="Quality team")
    district = LocalityFactory(kind="district")
    silence = Silence.objects.create(
        reason="maintenance",
        starts_at=datetime(2026, 7, 1, tzinfo=LONDON),
        ends_at=datetime(2026, 7, 2, tzinfo=LONDON),
        created_by=officer,
    )
    # Summer and winter times (+01:00 and Z), microseconds or none, every optional relation given or left empty.
    summer, winter = datetime(2026, 7, 14, 9, 30, 5, 123456, tzinfo=LONDON), datetime(2026, 1, 14, 9, 30, tzinfo=LONDON)
    an_alert(1, location=LocationFactory(), first_seen=winter, last_seen=summer, owner_user=named, locality=district)
    an_alert(2, first_seen=summer, last_seen=summer + timedelta(hours=1), owner_user=unnamed, owner_team=team)
    previous = an_alert(3, location=LocationFactory(), first_seen=winter, last_seen=winter, evidence={})
    an_alert(
        4,
        first_seen=winter,
        last_seen=summer - timedelta(days=1),
        status=AlertStatus.RESOLVED,
        resolved_at=summer,
        resolution_note="Rated Good again.",
        recurrence_of=previous,
        clear_since=summer - timedelta(hours=2),
        acknowledged_at=winter,
        snoozed_until=summer + timedelta(days=7),
        silenced=True,
        silenced_by=silence,
        inhibited=True,
    )

    answer = api.get("/api/v1/alerts/", {"page_size": 500})
    assert answer.status_code == 200
    alerts = Alert.objects.select_related("rule", "provider", "location", "locality").order_by("-last_seen", "-id")
    expected = AlertSerializer(alerts, many=True).data
    rows = answer.json()["results"]
    assert [row["id"] for row in rows] == [alert.pk for alert in alerts]
    assert rows == [dict(row) for row in expected]
    assert [list(row) for row in rows] == [list(row) for row in expected]  # the same keys in the same order
    owners = {row["owner_user_name"] for row in rows}
    assert "Asha Patel" in owners and "" in owners and None in owners


def test_an_alert_that_stops_matching_the_filter_while_its_page_is_read_is_shown_as_it_is_now(api, monkeypatch):
    from tasks.api import views

    api.as_role(Role.COMPLIANCE_OFFICER)
    moment = datetime(2026, 7, 14, 9, 30, tzinfo=LONDON)
    kept, changed = (an_alert(n, first_seen=moment, last_seen=moment + timedelta(minutes=n)) for n in (1, 2))
    original = views.AlertViewSet.paginate_queryset

    def paginate_then_change(self, queryset):  # the sweep resolves one between the page's ids and its rows
        page = original(self, queryset)
        Alert.objects.filter(pk=changed.pk).update(status=AlertStatus.RESOLVED)
        return page

    monkeypatch.setattr(views.AlertViewSet, "paginate_queryset", paginate_then_change)
    answer = api.get("/api/v1/alerts/", {"status": "open"})
    assert answer.status_code == 200
    assert [(row["id"], row["status"]) for row in answer.json()["results"]] == [
        (changed.pk, "resolved"),
        (kept.pk, "open"),
    ]


def test_every_column_the_inbox_reads_is_written_into_its_answer_and_every_key_has_one():
    """The selector's columns and the serializer's layout are kept apart (a read and its shape): a column added to one
    and not the other is caught here, not on a page."""
    assert list(ALERT_ROW) == AlertSerializer.Meta.fields
    named_apart = {"owner_user_name", "owner_team_name"}  # alert_rows_of names the owners in queries of their own
    assert set(ALERT_ROW.values()) == set(ALERT_ROW_COLUMNS) | named_apart
