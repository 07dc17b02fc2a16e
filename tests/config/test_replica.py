"""A read replica (DATABASE_REPLICA_URL): the bed finder's search and the market analysis read from it, outside a
transaction; writes, and reads a service makes while it writes, stay on the primary. Unset, nothing changes.

The replica alias here is the test database itself (a TEST MIRROR of default, as settings.py declares it for a
replica), reached over a connection of its own, so which alias ran a query is what the tests compare."""

import contextlib
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import NotSupportedError, connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.roles import Role
from contracts.selectors import BedSearch, beds_available
from contracts.services.free_beds import free_bed_state_rebuild
from core.replica import REPLICA, read_alias, replica_reads
from tests.contracts.factories import make_line
from tests.factories import PostcodeFactory

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 7)
HERE = (52.3990, 0.2620)  # CB6 1AA, PostcodeFactory's


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """The `replica` alias, as DATABASE_REPLICA_URL makes it, pointed at the test database (TEST MIRROR), with the
    router installed, for this module's tests. Made before any test's database access is set up, so a test may name
    it in `databases`."""
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    with override_settings(DATABASE_ROUTERS=["core.replica.ReplicaRouter"]):
        yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica():
    return connections[REPLICA]


BOTH = ["default", REPLICA]


def free_line():
    line = make_line(beds=3, care_type="nursing", latitude=HERE[0] + 0.01, longitude=HERE[1])
    free_bed_state_rebuild()  # the search reads the state, once it is today's
    return line


def statements(captured, table: str) -> list[str]:
    return [query["sql"] for query in captured if table in query["sql"]]


@pytest.mark.postgres
@pytest.mark.today(TODAY)
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_bed_finders_search_is_read_from_the_replica(api, replica):
    line = free_line()
    PostcodeFactory()
    api.as_role(Role.BROKER)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy:
        answer = api.get(
            "/api/v1/beds/available/",
            {"care_type": "nursing", "postcode": "CB6 1AA", "radius_km": "20", "from": str(TODAY)},
        )
    assert answer.status_code == 200, answer.content[:300]
    assert [row["bed_line_id"] for row in answer.json()["block_beds"]] == [line.pk]
    assert statements(copy, "contracts_freebedstate")  # the search itself
    assert not statements(primary, "contracts_freebedstate")
    assert all(query["sql"].lstrip().upper().startswith(("SELECT", "WITH")) for query in copy)


@pytest.mark.postgres
@pytest.mark.today(TODAY)
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_search_made_inside_a_transaction_reads_the_primary(replica):
    line = free_line()
    search = BedSearch(care_type="nursing", on=TODAY, latitude=HERE[0], longitude=HERE[1], radius_km=20)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as copy,
        transaction.atomic(),  # as placement_create looks for free block beds before buying a spot bed
    ):
        found = beds_available(search).results
    assert [row["bed_line_id"] for row in found] == [line.pk]
    assert statements(primary, "contracts_freebedstate")
    assert len(copy) == 0


@pytest.mark.postgres
@pytest.mark.today(TODAY)
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_hold_is_written_to_the_primary_while_the_replica_is_configured(api, replica):
    line = free_line()
    api.as_role(Role.BROKER)
    with CaptureQueriesContext(replica) as copy:
        answer = api.post(
            "/api/v1/holds/", {"bed_line": line.pk, "reference": "BRK-2026-0700", "start_date": str(TODAY)}
        )
    assert answer.status_code == 201, answer.content[:300]
    assert len(copy) == 0


def test_without_a_replica_every_read_goes_to_the_primary(monkeypatch):
    assert replica_reads(read_alias)() == REPLICA
    monkeypatch.delitem(connections.settings, REPLICA)  # as when DATABASE_REPLICA_URL is not set
    assert replica_reads(read_alias)() == "default"


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh process whose environment adds `env` (and has no replica unless
    `env` names one)."""
    full_env = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = (
    "from django.conf import settings as s; "
    "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), "
    "[d.get('DISABLE_SERVER_SIDE_CURSORS', False) for d in s.DATABASES.values()], "
    "s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'))"
)
PRIMARY = "postgres://care@db.example:5432/care"


def test_the_settings_make_a_replica_alias_and_router_only_when_asked():
    unset = _python(SHOW, {"DATABASE_URL": PRIMARY})
    assert unset.stdout.strip() == "['default'] [] [False] None", unset.stderr
    both = _python(
        SHOW,
        {
            "DATABASE_URL": PRIMARY,
            "DATABASE_REPLICA_URL": "postgres://care@replica.example:5432/care",
            "DATABASE_TRANSACTION_POOLING": "true",
        },
    )
    assert both.stdout.strip() == ("['default', 'replica'] ['core.replica.ReplicaRouter'] [True, True] default"), (
        both.stderr
    )


def test_a_replica_that_is_not_postgresql_stops_the_service_with_one_line():
    env = {**os.environ, "DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": "sqlite:///replica.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_REPLICA_URL is for a PostgreSQL read replica of the PostgreSQL database at "
        "DATABASE_URL: set both to postgres://user:password@host:5432/name, or unset DATABASE_REPLICA_URL."
    ]


PREPARING = (
    "from django.conf import settings as s; "
    "print([(d['OPTIONS'].get('server_side_binding'), d['OPTIONS'].get('prepare_threshold')) "
    "for d in s.DATABASES.values()])"
)


def test_postgresql_connections_prepare_what_they_repeat_only_when_asked():
    assert _python(PREPARING, {"DATABASE_URL": PRIMARY}).stdout.strip() == "[(None, None)]"
    replica = {"DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": "postgres://care@replica.example:5432/care"}
    asked = {**replica, "DATABASE_PREPARED_STATEMENTS": "true", "DATABASE_PREPARE_THRESHOLD": "2"}
    assert _python(PREPARING, asked).stdout.strip() == "[(True, 2), (True, 2)]"
    sqlite = _python(
        PREPARING, {"DATABASE_URL": "sqlite:////tmp/prepared.sqlite3", "DATABASE_PREPARED_STATEMENTS": "true"}
    )
    assert sqlite.stdout.strip() == "[(None, None)]", sqlite.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_only_what_goes_through_the_prepared_cursor_is_prepared_and_run_from_its_plan():
    from django.db import connection

    from core.sql import prepared_cursor

    prepared, plain = "SELECT id FROM tasks_rule WHERE code = %s", "SELECT id FROM tasks_rule WHERE name = %s"
    with prepared_cursor(connection) as cursor:
        for code in ["void_level", "home_in_use_at_risk"] * 3:
            cursor.execute(prepared, [code])
            assert cursor.fetchone() is not None
    assert connection.connection.prepare_threshold is None  # put back: nothing else is counted or prepared
    with connection.cursor() as cursor:  # Django's own cursor, as the ORM's: bound on the client, never prepared
        for name in ["a", "b"] * 3:
            cursor.execute(plain, [name])
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%tasks_rule%"])
        assert [row[0] for row in cursor.fetchall()] == [prepared.replace("%s", "$1")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_prepared_search_asks_again_when_a_migration_has_changed_a_column_type_under_it():
    """A migration run by another process changes the type of a column the prepared statement reads: PostgreSQL
    refuses the plan this connection prepared before it, and the cursor drops its prepared statements and asks
    again rather than failing every search on the connection until it is replaced."""
    from django.db import connection

    from core.sql import prepared_cursor

    query = "SELECT figure FROM test_replan WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_replan (id integer PRIMARY KEY, figure integer)")
        cursor.execute("INSERT INTO test_replan VALUES (1, 7)")
    try:
        with prepared_cursor(connection) as cursor:
            for _ in range(4):
                cursor.execute(query, [1])
                assert cursor.fetchone() == (7,)
        other = connections.create_connection("default")
        with other.cursor() as migration:
            migration.execute("ALTER TABLE test_replan ALTER COLUMN figure TYPE numeric(6, 2)")
        with prepared_cursor(connection) as cursor:
            cursor.execute(query, [1])
            assert cursor.fetchone() == (Decimal("7.00"),)
            cursor.execute(query, [1])  # and again, from a plan of the new type in time
            assert cursor.fetchone() == (Decimal("7.00"),)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the connection is still in order for everything else

        # Inside a transaction nothing can be asked again: the search fails, and the connection's next prepared
        # cursor drops the plans before it asks, after a rollback to a savepoint as after the whole transaction's.
        for new_type, nested in [("bigint", True), ("integer", False)]:
            with prepared_cursor(connection) as cursor:
                for _ in range(4):
                    cursor.execute(query, [1])
            with other.cursor() as migration:
                migration.execute(f"ALTER TABLE test_replan ALTER COLUMN figure TYPE {new_type}")
            with transaction.atomic() if nested else contextlib.nullcontext():
                with pytest.raises(NotSupportedError), transaction.atomic(), prepared_cursor(connection) as cursor:
                    cursor.execute(query, [1])
                if nested:
                    with prepared_cursor(connection) as cursor:
                        cursor.execute(query, [1])
                        assert cursor.fetchone() == (7,), new_type
            with prepared_cursor(connection) as cursor:
                cursor.execute(query, [1])
                assert cursor.fetchone() == (7,), new_type
        other.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_replan")
