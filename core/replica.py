"""Reads a read replica may answer: the bed finder's searches and the market analysis, when DATABASE_REPLICA_URL
names a replica (the `replica` database alias; README.md, "Scaling out"). Nothing changes when it is not set.

A selector opts in with `@replica_reads`. While it runs, the ORM's reads go to the replica (ReplicaRouter) and its
raw SQL asks `read_connection()` for a connection, unless the default database is inside a transaction: a service
that reads through a selector while it writes (placement_create looks for free block beds before buying a spot
bed; an alert rule's run reads the void report) must read the rows it locks and what it has just written, so it
stays on the primary. Writes always go to the primary.

A replica is a little behind the primary (streaming replication, usually well under a second): a search may still
offer a bed taken a moment ago, which is no worse than a bed taken between the search and the hold; holds and
placements re-count the line under its lock on the primary and refuse a bed that is gone.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
F = TypeVar("F", bound=Callable)
_reading = ContextVar("replica_reads", default=False)


def replica_reads(function: F) -> F:
    """Let the replica answer the reads made while `function` runs (see the module's docstring)."""

    @wraps(function)
    def reading(*args, **kwargs):
        token = _reading.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _reading.reset(token)

    return reading


def read_alias() -> str:
    """The database alias a read made now goes to."""
    if _reading.get() and REPLICA in connections.settings and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


def read_connection():
    """The connection for a selector's raw SQL read: the replica's inside `replica_reads`, else the default's."""
    return connections[read_alias()]


class ReplicaRouter:
    """Installed when DATABASE_REPLICA_URL is set (config/settings.py)."""

    def db_for_read(self, model, **hints):
        alias = read_alias()
        return alias if alias == REPLICA else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: a row read from either is the same row

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA:
            return False  # the replica replays the primary's migrations; never migrate it itself
        return None
