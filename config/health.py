"""GET /health/: is the database, the cache and the broker reachable, and has a worker and beat recorded a
heartbeat lately (HEALTH_HEARTBEAT_MAX_AGE_SECONDS)? 200 if all are, 503 naming the rest; the body gives the
age of the newest worker and beat heartbeat.

Checks never raise and never print connection strings (they may hold passwords). The cache and broker
probes give up after HEALTH_PROBE_TIMEOUT_SECONDS, with no retry: a load balancer polling /health/ while
Redis is down must get its 503 at once, not after the service's own, more patient, timeouts.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_probes: dict[tuple, RedisCache] = {}


def _probe_cache():
    """The default cache, or for Redis a copy of it whose sockets wait at most the probe timeout (kept, so
    polling /health/ reuses its connection)."""
    if not isinstance(caches["default"], RedisCache):
        return cache
    timeout = settings.HEALTH_PROBE_TIMEOUT_SECONDS
    params = dict(settings.CACHES["default"])
    key = (str(params.get("LOCATION")), params.get("KEY_PREFIX"), timeout)
    if key not in _probes:
        params["OPTIONS"] = {
            **params.get("OPTIONS", {}),
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "retry_on_timeout": False,
        }
        _probes[key] = RedisCache(params["LOCATION"], params)
    return _probes[key]


def _cache() -> None:
    probe = _probe_cache()
    key = "health:probe"
    value = str(time.time())
    probe.set(key, value, timeout=30)
    if probe.get(key) != value:
        raise RuntimeError("value written was not read back")


def _broker() -> None:
    timeout = settings.HEALTH_PROBE_TIMEOUT_SECONDS
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout, "max_retries": 0}
    with celery_app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=timeout)


class Stale(Exception):
    """A process whose newest heartbeat is too old (or missing); the message says which and how old."""


def heartbeat_ages() -> dict[str, dict | None]:
    from tasks.selectors.heartbeats import latest_heartbeats

    now = timezone.now()
    return {
        kind: None if beat is None else {"name": beat.name, "age_seconds": int((now - beat.seen_at).total_seconds())}
        for kind, beat in latest_heartbeats().items()
    }


def _heartbeat_check(kind: str, ages: dict[str, dict | None]):
    def check() -> None:
        newest = ages[kind]
        limit = settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS
        if newest is None:
            raise Stale(f"no {kind} heartbeat")
        if newest["age_seconds"] > limit:
            raise Stale(f"no heartbeat for {newest['age_seconds']} s (last {newest['name']})")

    return check


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def health_report(ages: dict[str, dict | None] | None = None) -> dict[str, str]:
    checks = dict(CHECKS)
    if ages is not None:
        checks.update({kind: _heartbeat_check(kind, ages) for kind in ages})
    report = {}
    for name, check in checks.items():
        try:
            check()
        except Stale as exc:
            logger.warning("health check %s failed: %s", name, exc)
            report[name] = f"unavailable ({exc})"
        except Exception as exc:
            logger.warning("health check %s failed: %s", name, type(exc).__name__)
            report[name] = f"unavailable ({type(exc).__name__})"
        else:
            report[name] = "ok"
    return report


@never_cache
def health(request):
    try:
        ages = heartbeat_ages()
    except Exception as exc:  # the database check names the cause
        logger.warning("heartbeats not read: %s", type(exc).__name__)
        ages = dict.fromkeys(("worker", "beat"))
    report = health_report(ages)
    failing = [name for name, state in report.items() if state != "ok"]
    body = {"status": "ok" if not failing else "unavailable", "checks": report, "heartbeats": ages}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
