"""Two fan-outs at once, on real PostgreSQL transactions: a channel still gets one batch."""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.roles import Role
from tasks.models import Notification, NotificationItem
from tasks.services.delivery.fanout import notifications_fan_out, notifications_fan_out_batch
from tests.factories import UserFactory
from tests.tasks.delivery_factories import AlertFactory, event_for, inbox_of, subscribe


def _wait_until_another_waits_on_a_lock(timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the transaction sees one snapshot throughout
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_fan_outs_at_once_put_a_channels_events_in_one_batch():
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    subscribe(officer)
    first, second = event_for(AlertFactory()), event_for(AlertFactory())
    opened = threading.Event()
    outcome: dict[str, object] = {}

    def first_fan_out():
        # Opens the channel's batch and holds its transaction until the second fan-out is waiting on it.
        try:
            with transaction.atomic():
                outcome["first"] = notifications_fan_out_batch(limit=1)
                opened.set()
                outcome["second_waited"] = _wait_until_another_waits_on_a_lock()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcome["first"] = error
        finally:
            opened.set()
            connection.close()

    def second_fan_out():
        # Starts once the first has opened its batch but not committed it: it cannot see that batch yet.
        try:
            opened.wait(timeout=15)
            outcome["second"] = notifications_fan_out()
        except Exception as error:  # noqa: BLE001
            outcome["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first_fan_out), threading.Thread(target=second_fan_out)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcome["first"] == (1, 1) and outcome["second"] == 1, outcome
    assert outcome["second_waited"] is True  # the two really overlapped: the second waited on the first's batch
    batch = Notification.objects.get(channel=inbox_of(officer))
    assert batch.collecting is True
    assert set(NotificationItem.objects.filter(notification=batch).values_list("event_id", flat=True)) == {
        first.pk,
        second.pk,
    }
