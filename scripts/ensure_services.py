"""Used by `make test`: make sure PostgreSQL and Redis are reachable, starting local ones that are installed
but down. Prints the DATABASE_URL and REDIS_URL to use, or one line naming the variable to set."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/care_market"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def local(url: str) -> bool:
    return urlsplit(url).hostname in {"127.0.0.1", "localhost", "::1"}


def start_postgres() -> None:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )


def start_redis() -> None:
    if not shutil.which("redis-server"):
        return
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
        check=False,
        capture_output=True,
    )


def ensure(name: str, variable: str, url: str, port: int, start) -> None:
    if reachable(url, port):
        return
    if local(url):
        start()
        for _ in range(30):
            if reachable(url, port):
                return
            time.sleep(0.5)
    parts = urlsplit(url)
    sys.exit(
        f"error: {name} is not reachable at {parts.hostname}:{parts.port or port}. "
        f"Start it, or set {variable} to a reachable {name}."
    )


def create_database(url: str) -> None:
    """Create the database named in the URL if the server lacks it (pytest makes its own test_ copy)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = url.replace(parts.path, "/postgres", 1) if parts.path else url + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        sys.exit(f"error: cannot create database {name!r} ({exc}); create it or set DATABASE_URL.")


def main() -> None:
    database_url = os.getenv("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.getenv("REDIS_URL") or DEFAULT_REDIS_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("error: the tests need PostgreSQL: set DATABASE_URL to postgres://user@host:5432/name.")
    ensure("PostgreSQL", "DATABASE_URL", database_url, 5432, start_postgres)
    create_database(database_url)
    ensure("Redis", "REDIS_URL", redis_url, 6379, start_redis)
    print(f"DATABASE_URL={database_url}")
    print(f"REDIS_URL={redis_url}")


if __name__ == "__main__":
    main()
