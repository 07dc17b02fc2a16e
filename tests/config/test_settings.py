"""Settings come from the environment; bad configuration stops the service with one line saying what to set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Lq9vT2mR8pZ4kW1nB6cY3hJ5sD0fG8aE2uI9oP7lK4jH1gF6dS3aQ",
    "ALLOWED_HOSTS": "care-market.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://care-market.example.gov.uk",
}
# Set by the browser tests for their own process (Playwright's sync API runs an event loop); never in production.
TEST_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def manage(*args: str, env: dict[str, str], drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    full_env = {key: value for key, value in os.environ.items() if key not in drop + TEST_ONLY}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_the_development_secret_key():
    result = manage("check", env={"DEBUG": "false"}, drop=("SECRET_KEY",))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DEBUG is off but SECRET_KEY is not set: set SECRET_KEY to a long random value."
    ]


def test_deploy_check_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_unreachable_database_gives_one_line_naming_database_url():
    result = manage("migrate", "--check", env={"DATABASE_URL": "postgres://someone:secret-pw@127.0.0.1:1/nowhere"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Set DATABASE_URL" in lines[0]
    assert "postgres://127.0.0.1:1/nowhere" in lines[0]
    assert "secret-pw" not in result.stderr


def test_database_url_with_unknown_scheme_is_named():
    result = manage("check", env={"DATABASE_URL": "mysql://root@localhost/db"})
    assert result.returncode == 2
    assert "DATABASE_URL has scheme 'mysql'" in result.stderr


def test_boolean_setting_with_nonsense_value_is_named():
    result = manage("check", env={"DEBUG": "perhaps"})
    assert result.returncode == 2
    assert "DEBUG must be true or false, not 'perhaps'" in result.stderr


def test_time_zone_is_london_and_aware(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True


def test_celery_visibility_timeout_outlasts_the_longest_task(settings):
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.accept_content == ["json"]
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_production_logs_are_one_json_object_per_line():
    import json

    script = "import logging, django; django.setup(); logging.getLogger('care').warning('void level high')"
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["message"] == "void level high"
    assert record["level"] == "WARNING"
    assert record["logger"] == "care"


def test_an_sqlite_database_url_gets_the_embedded_databases_write_settings(tmp_path):
    path = tmp_path / "care.sqlite3"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; connection.ensure_connection(); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode']); "
        "print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])",
        env={"DATABASE_URL": f"sqlite:///{path}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["IMMEDIATE", "wal"]


def test_a_number_setting_that_is_not_a_number_gives_one_line_naming_it():
    for name in ("CQC_REQUESTS_PER_SECOND", "CQC_TIMEOUT_SECONDS", "POSTCODE_LOOKUP_TIMEOUT_SECONDS"):
        result = manage("check", env={name: "fast"})
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [f"Configuration error: {name} must be a number, not 'fast'."]


def test_the_session_idle_time_comes_from_session_idle_seconds_and_nonsense_is_named():
    show = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST)"
    configured = manage("shell", "-v", "0", "-c", show, env={"SESSION_IDLE_SECONDS": "900"})
    assert configured.stdout.split() == ["900", "True"]
    default = manage("shell", "-v", "0", "-c", show, env={}, drop=("SESSION_IDLE_SECONDS",))
    assert default.stdout.split() == ["28800", "True"]
    refused = manage("check", env={"SESSION_IDLE_SECONDS": "5"})
    assert refused.returncode == 2
    assert "SESSION_IDLE_SECONDS must be 60 or more, not 5" in refused.stderr


def test_the_address_sign_in_limit_may_not_be_lower_than_the_user_name_one():
    refused = manage("check", env={"LOGIN_FAILURE_LIMIT": "10", "LOGIN_ADDRESS_FAILURE_LIMIT": "5"})
    assert refused.returncode == 2
    assert "LOGIN_ADDRESS_FAILURE_LIMIT (5) must be at least LOGIN_FAILURE_LIMIT (10)" in refused.stderr
