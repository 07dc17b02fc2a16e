"""Two people moved the other way between the same two bed lines at the same moment both move: the lines are locked
in one order (by id), so neither move holds one line while waiting for the other's (a deadlock, which PostgreSQL
breaks by failing one of them).

To make the moment the same every run, a third transaction holds the free-bed state's rows of both lines: each
move then stops, holding the line it locked first, at its recount of that line (free_bed_state_refresh writes the
state row), until both moves are waiting; then the third transaction ends and both go on. Locked in call order,
each move holds its own "from" line there and next asks for the other's; locked by id, the second move is still
waiting for the first line when the first has both."""

import threading
import time
from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection

from contracts.models import FreeBedState, Placement
from contracts.services import placement_move
from tests.contracts.factories import make_line, place

pytestmark = [pytest.mark.postgres, pytest.mark.today(date(2026, 12, 7)), pytest.mark.django_db(transaction=True)]
START = date(2026, 1, 1)


def _dsn() -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=settings["HOST"] or "",
        port=str(settings["PORT"] or ""),
        user=settings["USER"] or "",
        password=settings["PASSWORD"] or "",
        dbname=settings["NAME"],
    )


def _waiting(watch: psycopg.Connection, pids: list[int]) -> int:
    """How many of these backends are waiting for a lock now."""
    row = watch.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s) AND wait_event_type = 'Lock'", [pids]
    ).fetchone()
    return row[0]


def test_two_people_moved_the_other_way_between_two_lines_at_once_both_move():
    first, second = make_line(beds=2), make_line(beds=2)
    assert first.pk < second.pk
    one = place(first, start=START, reference="BRK-2026-0601")
    other = place(second, start=START, reference="BRK-2026-0602")
    assert FreeBedState.objects.filter(bed_line__in=[first, second]).count() == 2
    move_day = date(2026, 12, 7) - timedelta(days=1)

    outcomes: dict[str, object] = {}
    pids: list[int] = []
    started = threading.Barrier(3)

    def move(name: str, placement: Placement, to) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            started.wait(timeout=10)
            placement_move(placement=placement, on=move_day, kind="block", bed_line=to)
            outcomes[name] = "moved"
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcomes[name] = error
        finally:
            connection.close()

    with psycopg.connect(_dsn()) as gate, psycopg.connect(_dsn(), autocommit=True) as watch:
        # The gate: the state rows of both lines, locked until both moves wait.
        gate.execute(
            "SELECT 1 FROM contracts_freebedstate WHERE bed_line_id = ANY(%s) FOR UPDATE", [[first.pk, second.pk]]
        ).fetchall()
        threads = [
            threading.Thread(target=move, args=("there", one, second)),
            threading.Thread(target=move, args=("back", other, first)),
        ]
        for thread in threads:
            thread.start()
        started.wait(timeout=10)
        deadline = time.monotonic() + 30
        while _waiting(watch, pids) < 2:
            assert time.monotonic() < deadline, "the moves never both waited"
            time.sleep(0.02)
        gate.rollback()
        for thread in threads:
            thread.join(timeout=60)

    assert outcomes == {"there": "moved", "back": "moved"}, outcomes
    assert Placement.objects.get(reference="BRK-2026-0601", end_date__isnull=True).bed_line_id == second.pk
    assert Placement.objects.get(reference="BRK-2026-0602", end_date__isnull=True).bed_line_id == first.pk
