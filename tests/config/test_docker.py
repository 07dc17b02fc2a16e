from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_defines_the_production_services_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert "volumes" in compose
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "DATABASE_URL" in environment and "REDIS_URL" in environment


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "\nUSER " in dockerfile
    assert "USER root" not in dockerfile
    assert "gunicorn" in dockerfile
    assert "requirements.lock" in dockerfile


def test_the_scale_out_file_puts_pgbouncer_in_transaction_mode_and_a_read_replica_before_the_service():
    compose = yaml.safe_load((ROOT / "docker" / "compose.scale.yaml").read_text())
    services = compose["services"]
    assert {"pgbouncer", "postgres-replica"} <= set(services)
    for name in ("pgbouncer", "postgres-replica"):
        assert "healthcheck" in services[name], name
    entrypoint = (ROOT / "docker" / "pgbouncer" / "entrypoint.sh").read_text()
    assert "pool_mode = transaction" in entrypoint
    assert "care_market_replica = host=" in entrypoint
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "@pgbouncer:6432/care_market" in environment["DATABASE_URL"], name
        assert "@pgbouncer:6432/care_market_replica" in environment["DATABASE_REPLICA_URL"], name
        assert environment["DATABASE_TRANSACTION_POOLING"] == "true", name
    # The primary lets the replica stream from it; the replica starts by copying the primary.
    assert "./postgres/replication.sh:/docker-entrypoint-initdb.d/replication.sh:ro" in services["postgres"]["volumes"]
    assert "pg_basebackup" in "".join(services["postgres-replica"]["command"])
