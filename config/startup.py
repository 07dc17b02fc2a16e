"""Turn the usual start-up failures into one line that says what to set, instead of a traceback."""

import os
import sys
from urllib.parse import urlsplit


def _redacted(url: str) -> str:
    """host:port/name of a URL, never its user or password."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def explain(exc: BaseException) -> str | None:
    """The one line to print for a configuration or connection failure, or None if it is not one."""
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(exc, ImproperlyConfigured):
        return f"Configuration error: {exc}"
    from django.db.utils import OperationalError as DatabaseError

    if isinstance(exc, DatabaseError):
        url = os.getenv("DATABASE_URL")
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if url:
            return (
                f"Cannot use the database at {_redacted(url)} ({first_line}). Set DATABASE_URL to a reachable "
                "PostgreSQL database, or unset it to use the embedded SQLite database."
            )
        return f"Cannot use the embedded SQLite database ({first_line}). Check VAR_DIR is writable or set DATABASE_URL."
    try:
        from kombu.exceptions import OperationalError as BrokerError
        from redis.exceptions import ConnectionError as RedisConnectionError
    except ImportError:  # pragma: no cover - both are installed with celery[redis]
        return None
    if isinstance(exc, BrokerError | RedisConnectionError):
        url = os.getenv("REDIS_URL", "")
        return (
            f"Cannot reach Redis at {_redacted(url)} ({exc}). Set REDIS_URL to a reachable Redis server, "
            "or unset it to use the embedded file-system broker."
        )
    return None


def run_manage(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except Exception as exc:
        line = explain(exc)
        if line is None or os.getenv("STARTUP_TRACEBACK"):
            raise
        print(line, file=sys.stderr)
        sys.exit(2)
