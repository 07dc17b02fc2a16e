#!/usr/bin/env bash
# `make test`: lint, migrations check, then the pytest suite twice against real Redis: on PostgreSQL (with the
# schema fuzzing, tests/fuzz), and on SQLite, the embedded default, without the tests marked `postgres` (real
# concurrent transactions and row locks, which SQLite does not have). Arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# The browser tests (tests/browser) drive Debian's Chromium; install it when missing (as root, quietly).
if ! command -v chromium >/dev/null; then
  echo "== installing Chromium for the browser tests"
  if [[ $(id -u) -ne 0 ]] ||
    ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    echo "error: the browser tests need Chromium: run 'apt-get install -y chromium' as root" >&2
    exit 1
  fi
fi

services=$("$BIN/python" scripts/ensure_services.py)
eval "export ${services//$'\n'/ ; export }"

echo "== ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .

echo "== import layers"
"$BIN/lint-imports" --no-cache

echo "== migrations"
"$BIN/python" manage.py makemigrations --check --dry-run

# Both runs always run, so one failing run does not hide what the other finds; either failing fails make test.
echo "== pytest on PostgreSQL"
postgres_status=0
"$BIN/python" -m pytest "$@" || postgres_status=$?

echo "== pytest on SQLite"
sqlite_dir=$(mktemp -d)
trap 'rm -rf "$sqlite_dir"' EXIT
sqlite_status=0
DATABASE_URL="sqlite:///$sqlite_dir/care_market.sqlite3" "$BIN/python" -m pytest -m "not postgres and not fuzz" "$@" ||
  sqlite_status=$?

if ((postgres_status || sqlite_status)); then
  echo "error: pytest failed (PostgreSQL run: exit $postgres_status, SQLite run: exit $sqlite_status)" >&2
  exit 1
fi
