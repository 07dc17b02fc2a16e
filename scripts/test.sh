#!/usr/bin/env bash
# `make test`: lint, migrations check and the pytest suite against real PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

services=$("$BIN/python" scripts/ensure_services.py)
eval "export ${services//$'\n'/ ; export }"

echo "== ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .

echo "== import layers"
"$BIN/lint-imports" --no-cache

echo "== migrations"
"$BIN/python" manage.py makemigrations --check --dry-run

echo "== pytest"
"$BIN/python" -m pytest "$@"
