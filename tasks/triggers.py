"""Event-driven runs: the services of providers, contracts and market send `risk_changed` with a topic; the rules
that read that topic run once the write commits.

Coalesced with one cache key per rule: the first change after a run adds the key (an atomic add) and enqueues the
rule; later changes find the key and enqueue nothing; the run deletes the key as it starts, so a change during
a run asks for one more. A bulk import of thousands of placements gives one run per rule, not thousands. The key
expires by itself (RULE_RUN_COALESCE_SECONDS) so a lost message cannot stop the rule's event runs for good, and
the scheduled sweep covers whatever an event run missed.

The hook runs after the write committed, so it fails open: with the cache down every rule asked for is sent
(uncoalesced), and with the broker down the run is kept and sent by a sweep (tasks.services.enqueue).
"""

import weakref
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from geo.caching import CACHE_OUTAGE
from tasks.rules import load
from tasks.services.enqueue import task_enqueue

KEY = "alerts:rule-requested:{code}"


def rules_for(topic: str) -> list[str]:
    return sorted(code for code, definition in load().items() if topic in definition.triggers)


def rule_request_key(code: str) -> str:
    return KEY.format(code=code)


def _enqueue(codes: list[str]) -> None:
    from tasks.tasks import rules_run  # the Celery task module sits above this one

    try:
        wanted = [code for code in codes if cache.add(rule_request_key(code), 1, settings.RULE_RUN_COALESCE_SECONDS)]
    except CACHE_OUTAGE:
        wanted = codes  # no coalescing while the cache is down: a run too many does no harm, a lost one does
    if wanted:
        task_enqueue(rules_run, kwargs={"codes": wanted, "trigger": "event"})


def _batch_hook(connection) -> Callable[[], None]:
    """A commit hook sending the rules gathered in its `pending` set, and clearing itself from the connection."""
    pending: set[str] = set()

    def flush() -> None:
        connection.alert_rules_flush = None
        if pending:
            _enqueue(sorted(pending))

    flush.pending = pending
    return flush


def rules_request(*, topic: str) -> None:
    """Ask for a run of the rules that read `topic`, once the current transaction commits. One transaction
    asks once, however many writes it makes: the rules are gathered in one commit hook's set (Django's public
    transaction.on_commit). The connection keeps only a weak reference to the hook: Django drops the hooks of a
    rolled-back transaction (or savepoint), the hook goes with them, and so does what it gathered; the next
    request then finds no live hook and registers a new one."""
    codes = rules_for(topic)
    if not codes:
        return
    connection = transaction.get_connection()
    reference = getattr(connection, "alert_rules_flush", None)
    flush = reference() if reference is not None else None
    if flush is None or not connection.in_atomic_block:
        flush = _batch_hook(connection)
        flush.pending.update(codes)
        # Outside a transaction the hook runs at once (autocommit), so there is nothing to gather into.
        connection.alert_rules_flush = weakref.ref(flush) if connection.in_atomic_block else None
        transaction.on_commit(flush)
    else:
        flush.pending.update(codes)


def on_risk_changed(sender, *, topic: str, **kwargs) -> None:
    rules_request(topic=topic)
