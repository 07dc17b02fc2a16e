"""Cursors for the selectors' hand-written SQL reads."""

import weakref
from contextlib import contextmanager
from functools import cache

from django.conf import settings


def timestamps_decoded_in_c(cursor) -> None:
    """Let psycopg's own C loader read the `timestamptz` columns of this cursor's answers.

    Django registers a loader of its own that parses each timestamp's text in Python (about 4 µs a value, three
    quarters of the time a hundred-row answer takes to read) only to set the tzinfo to the connection's time zone.
    When that zone is UTC, as Django sets it with USE_TZ, psycopg's C loader gives the same datetimes, in UTC."""
    connection = cursor.db
    if connection.vendor != "postgresql" or not settings.USE_TZ or connection.timezone_name != "UTC":
        return
    from psycopg import adapters
    from psycopg.postgres import types
    from psycopg.pq import Format

    cursor.cursor.adapters.register_loader("timestamptz", adapters.get_loader(types["timestamptz"].oid, Format.TEXT))


# How many times a connection runs one of prepared_cursor's statements before psycopg prepares it.
PREPARE_AFTER = 2


@contextmanager
def prepared_cursor(connection):
    """A cursor for one hot, hand-written query whose planning costs as much as running it (the bed finder's search of
    the free-bed state: 1.2 ms of planning): its parameters are bound on the server, and once this connection has run
    the statement PREPARE_AFTER times, psycopg prepares it. PostgreSQL then still plans its first five runs with their
    values, and after them runs one plan made without the values while that costs no more (plan_cache_mode auto).

    Only what is sent through this cursor is counted and prepared: the connection's threshold is set for the cursor's
    life and put back after it, and Django's own cursors bind on the client, which psycopg never prepares
    (DATABASE_PREPARED_STATEMENTS, off, says why that is kept for everything else). A migration that changes the
    type of a column the statement reads makes PostgreSQL refuse the plan a connection prepared before it ("cached
    plan must not change result type"): outside a transaction the cursor drops the connection's prepared
    statements and asks again, once; inside one, which that error has aborted, the search fails and the connection's
    next prepared_cursor drops them before it asks (after a rollback to a savepoint, or in the next transaction).
    On SQLite, and behind PgBouncer in transaction mode (whose server connections change
    between transactions), this is the connection's own cursor."""
    if connection.vendor != "postgresql" or settings.DATABASE_TRANSACTION_POOLING:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.validate_thread_sharing()
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    if threshold is None:
        raw.prepare_threshold = PREPARE_AFTER
    try:
        if raw in _STALE_PLANS:
            _plans_drop(raw)
        cursor = _replanning_cursor_class()(raw)
        wrapped = connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
        with wrapped:
            yield wrapped
    finally:
        raw.prepare_threshold = threshold


# Connections whose prepared plans PostgreSQL refused inside a transaction: dropped by their next prepared_cursor.
_STALE_PLANS = weakref.WeakSet()


def _plans_drop(raw) -> None:
    """Drops a psycopg connection's prepared statements: psycopg forgets its own when it sees this command succeed
    while its threshold is set (as it is inside prepared_cursor)."""
    raw.execute("DEALLOCATE ALL")
    _STALE_PLANS.discard(raw)


@cache
def _replanning_cursor_class():
    """Django's server-binding cursor, which asks again once when PostgreSQL refuses a plan prepared before a
    column's type changed (prepared_cursor). Built on first use: the PostgreSQL backend is not imported on SQLite."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg import errors
    from psycopg.pq import TransactionStatus

    class ReplanningCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            try:
                return super().execute(query, params, **kwargs)
            except errors.FeatureNotSupported as error:
                # "cached plan must not change result type", named by where PostgreSQL raises it (any language)
                if error.diag.source_function != "RevalidateCachedQuery":
                    raise
                if self.connection.info.transaction_status != TransactionStatus.IDLE:
                    _STALE_PLANS.add(self.connection)  # nothing more runs in this transaction until it rolls back
                    raise
            _plans_drop(self.connection)
            return super().execute(query, params, **kwargs)

    return ReplanningCursor
