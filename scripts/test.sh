#!/usr/bin/env bash
# `make test`: lint, migrations check, then the pytest suite twice against real Redis: on PostgreSQL (with the
# schema fuzzing, tests/fuzz), and on SQLite, the embedded default, without the tests marked `postgres` (real
# concurrent transactions and row locks, which SQLite does not have) and with the clock a year ahead
# (TEST_CLOCK_AHEAD). Arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# The browser tests (tests/browser) drive Debian's Chromium, and the SQLite run moves the clock with Debian's
# libfaketime; install them when missing (as root, quietly).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v faketime >/dev/null || missing+=(faketime)
if ((${#missing[@]})); then
  echo "== installing ${missing[*]} for the test suite"
  if [[ $(id -u) -ne 0 ]] ||
    ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "error: the test suite needs ${missing[*]}: run 'apt-get install -y ${missing[*]}' as root" >&2
    exit 1
  fi
fi

# The SQLite run's clock, ahead of the real one by TEST_CLOCK_AHEAD (libfaketime's offset: 365d by default, 0d
# for none): a test or a calculation whose dates go off within a year fails today instead of next year.
clock_ahead=${TEST_CLOCK_AHEAD:-365d}
if [[ ! $clock_ahead =~ ^[0-9]+[dhms]?$ ]]; then
  echo "error: TEST_CLOCK_AHEAD must be a number with an optional unit (d, h, m or s), such as 365d: got '$clock_ahead'" >&2
  exit 1
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

# Under a clock already moved for the whole of make test (`faketime -f +1095d make test`), that clock is kept.
clock=(faketime -f "+$clock_ahead")
clock_words="the clock $clock_ahead ahead"
if [[ -n ${FAKETIME:-} ]]; then
  clock=()
  clock_words="the whole run's clock ($FAKETIME)"
fi
echo "== pytest on SQLite, with $clock_words"
sqlite_dir=$(mktemp -d)
trap 'rm -rf "$sqlite_dir"' EXIT
sqlite_status=0
DATABASE_URL="sqlite:///$sqlite_dir/care_market.sqlite3" "${clock[@]}" \
  "$BIN/python" -m pytest -m "not postgres and not fuzz" "$@" || sqlite_status=$?

if ((postgres_status || sqlite_status)); then
  echo "error: pytest failed (PostgreSQL run: exit $postgres_status, SQLite run: exit $sqlite_status)" >&2
  exit 1
fi
