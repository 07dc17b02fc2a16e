"""Signals this app's services send after writes that the alert rules read (tasks connects to them; this app
imports nothing above it). Sent inside the write's transaction with `topic`, a word naming what changed;
receivers act on commit."""

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

from geo.caching import CACHE_OUTAGE, cache_set

risk_changed = Signal()  # kwargs: topic (str)

# Bumped when a write that can change a void count commits (contracts.selectors.layers.voids_layer_version reads
# it), so figures cached under the version are not served after an edit whose updated_at is older than another's.
VOIDS_GENERATION = "contracts:voids-generation"
VOID_TOPICS = frozenset({"placement", "closure", "contract"})


def voids_generation_bump() -> None:
    try:
        cache.incr(VOIDS_GENERATION)
    except ValueError:  # not in the cache yet (or evicted): any new value changes the version
        cache_set(VOIDS_GENERATION, 1, timeout=None)
    except CACHE_OUTAGE:
        pass  # cached figures are unreachable too while the cache is down


def risk_changed_send(topic: str) -> None:
    if topic in VOID_TOPICS:
        transaction.on_commit(voids_generation_bump)
    risk_changed.send(sender=__name__, topic=topic)
