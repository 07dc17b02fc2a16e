"""The cache as geo uses it: an outage of the cache (Redis down, a timeout) costs speed, never an answer.
Reads miss, writes are dropped, and a warning names the operation and the error's kind, never the
connection string (it may hold a password)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What a cache backend raises when its server cannot be reached or answers too late.
CACHE_OUTAGE = (RedisError, OSError)


def _outage(operation: str, key: str, exc: Exception) -> None:
    logger.warning("cache %s of %s failed (%s); serving without the cache", operation, key, type(exc).__name__)


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except CACHE_OUTAGE as exc:
        _outage("read", key, exc)
        return default


def cache_set(key: str, value, *, timeout: float | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except CACHE_OUTAGE as exc:
        _outage("write", key, exc)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_OUTAGE as exc:
        _outage("delete", key, exc)
