"""Who an API token signs in as, with their roles, kept in the cache (Redis when REDIS_URL is set, else each
process's own memory), so an API request does not spend two queries finding out.

Entries are written only by the read that missed (accounts.selectors.token_access) and are never updated, only
marked changed: the services that change a token, a person's account or their roles (accounts.services, the one
write path) mark the person's entry changed as they write and again once their transaction commits. A changed
mark stays for CHANGED_SECONDS and a read that finds one goes to the database and writes nothing, so a request
that read the database just before the commit cannot put the old roles back afterwards (writes use `add`, which
does not replace the mark). Every entry also expires after API_TOKEN_CACHE_SECONDS, which bounds how long a change
made past the services (Django's own group admin, SQL) or lost while the cache was down can go unseen.

An outage of the cache (Redis down, a timeout) costs two queries a request, never an answer: reads miss, writes
are dropped, and a warning names the operation and the error's kind, never the token or the connection string.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_OUTAGE = (RedisError, OSError)
# Longer than any request may take between reading the database and writing its entry (gunicorn's own timeout is
# 30 seconds): a request that read the old rows before a change commits finds the mark and writes nothing.
CHANGED_SECONDS = 120
CHANGED = "changed"


def _fields_digest() -> str:
    """Part of every key, so an entry written before the user model gained or lost a field is never read."""
    from accounts.models import User

    names = ",".join(field.attname for field in User._meta.concrete_fields)
    return hashlib.sha256(names.encode()).hexdigest()[:12]


_DIGEST: list[str] = []


def token_cache_key(token_key: str) -> str:
    # A digest of the token, never the token itself: the cache's keys are not secret.
    if not _DIGEST:
        _DIGEST.append(_fields_digest())
    return f"accounts:token:{_DIGEST[0]}:{hashlib.sha256(token_key.encode()).hexdigest()}"


def _outage(operation: str, exc: Exception) -> None:
    logger.warning("cache %s of API token access failed (%s); using the database", operation, type(exc).__name__)


def enabled() -> bool:
    return settings.API_TOKEN_CACHE_SECONDS > 0


def entry_read(cache_key: str):
    """The entry (a dict), CHANGED, or None when there is none or the cache cannot be reached."""
    if not enabled():
        return CHANGED  # read the database and write nothing
    try:
        return cache.get(cache_key)
    except CACHE_OUTAGE as exc:
        _outage("read", exc)
        return CHANGED  # the cache is down: do not wait for it twice in one request


def entry_add(cache_key: str, entry: dict) -> None:
    """Keep an entry unless the key holds one already, or a changed mark."""
    try:
        cache.add(cache_key, entry, timeout=settings.API_TOKEN_CACHE_SECONDS)
    except CACHE_OUTAGE as exc:
        _outage("write", exc)


def entries_mark_changed(cache_keys: Iterable[str]) -> None:
    keys = list(cache_keys)
    if not keys:
        return
    try:
        cache.set_many(dict.fromkeys(keys, CHANGED), timeout=CHANGED_SECONDS)
    except CACHE_OUTAGE as exc:
        # The entry, if the cache still holds one when it is back, expires after API_TOKEN_CACHE_SECONDS.
        _outage("change mark", exc)
