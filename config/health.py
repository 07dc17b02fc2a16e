"""GET /health/: is the database, the cache and the broker reachable? 200 if all are, 503 naming the rest.

Checks never raise and never print connection strings (they may hold passwords).
"""

import logging
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = "health:probe"
    value = str(time.time())
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("value written was not read back")


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def health_report() -> dict[str, str]:
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.warning("health check %s failed: %s", name, type(exc).__name__)
            report[name] = f"unavailable ({type(exc).__name__})"
        else:
            report[name] = "ok"
    return report


@never_cache
def health(request):
    report = health_report()
    failing = [name for name, state in report.items() if state != "ok"]
    body = {"status": "ok" if not failing else "unavailable", "checks": report}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
