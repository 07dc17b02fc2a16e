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


def _flush() -> None:
    connection = transaction.get_connection()
    codes = sorted(getattr(connection, "alert_rules_pending", set()))
    connection.alert_rules_pending = set()
    if codes:
        _enqueue(codes)


def rules_request(*, topic: str) -> None:
    """Ask for a run of the rules that read `topic`, once the current transaction commits. One transaction
    asks once, however many writes it makes: the rules are gathered on the connection and sent by one commit
    hook (a rolled-back transaction's hook is gone, and so is what it gathered)."""
    codes = rules_for(topic)
    if not codes:
        return
    connection = transaction.get_connection()
    hooked = connection.in_atomic_block and any(entry[1] is _flush for entry in connection.run_on_commit)
    if not hooked:
        connection.alert_rules_pending = set()
    connection.alert_rules_pending.update(codes)
    if not hooked:
        transaction.on_commit(_flush)


def on_risk_changed(sender, *, topic: str, **kwargs) -> None:
    rules_request(topic=topic)
