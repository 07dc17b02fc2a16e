"""Cursors for the selectors' hand-written SQL reads."""

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
