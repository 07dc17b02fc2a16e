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
