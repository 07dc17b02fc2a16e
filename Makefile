# The two commands: `make run` (the whole service, embedded, with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
WEB_PORT ?= 8000
export WEB_PORT

.PHONY: install run test lint format bench assets clean-var

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "error: Python 3.11 is needed (set PYTHON=/path/to/python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_load
	$(BIN)/python manage.py schedules_sync
	@$(BIN)/python manage.py welcome  # and again once every process is up (the Procfile's welcome line)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/procfile_run.py -f Procfile start || test $$? -ge 128

test: $(STAMP)
	@bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# bench/bench_load.py drives gunicorn with Debian's wrk: installed when missing (as root), as make test installs
# Chromium.
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "error: make bench needs wrk: run 'apt-get install -y wrk' as root" >&2; exit 1; }
	@services=$$($(BIN)/python scripts/ensure_services.py) && eval "export $${services//$$'\n'/ ; export }" && \
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Refreshes core/static/vendor/ from the npm registry at the versions in package-lock.json (needs npm; the copied
# files are committed, so `make run` does not).
assets:
	@bash scripts/assets.sh

clean-var:
	rm -rf var/
