# Egide: two commands on a fresh machine, `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Django apps added after the foundation; each keeps its own templates and locale.
FEATURE_APPS := evidence audits reports privacy incidents risks anonymity
# Two test processes (the machines here have two cores); PYTEST_ARGS="-n 0 -x" to debug.
PYTEST_ARGS ?= -n 2
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint audit format bench load faults schema messages migrations clean

# The stamp is rebuilt only when the pins change, so a second `make run` skips pip.
$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	@mkdir -p var
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_catalogues
	$(MANAGE) seed_demo
	@echo "Egide: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

# pytest exits 5 when it collected nothing: make treats any non-zero exit as a failure.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy compliance controls $(FEATURE_APPS) tests bench
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(MAKE) audit

# Known vulnerabilities in the installed dependency tree (PyPI advisory data). A package
# the index cannot describe is listed, not fatal: PIP_AUDIT_ARGS=--strict makes it so.
audit: install
	$(BIN)/pip-audit --local --progress-spinner off $(PIP_AUDIT_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the committed OpenAPI schema (tests fail when it drifts).
schema: install
	$(MANAGE) spectacular --lang en --file docs/openapi.yaml --validate --fail-on-warn

# Needs GNU gettext; the compiled .mo files are committed so `make run` does not.
# One catalogue for the project (compliance, controls, templates/) and one per feature app
# (<app>/locale/), so each app's strings travel with it.
messages: install
	$(MANAGE) makemessages -l fr -l en --ignore=.venv --ignore=var --ignore=tests --ignore=docs --ignore=bench $(foreach app,$(FEATURE_APPS),--ignore=$(app))
	for app in $(FEATURE_APPS); do (cd $$app && ../$(BIN)/python ../manage.py makemessages -l fr -l en) || exit 1; done
	$(MANAGE) compilemessages --ignore=.venv

bench: install
	$(BIN)/python -m bench

# Load: gunicorn + PostgreSQL + Redis + a Celery worker under 50 users for 5 minutes,
# then each API list against a constant endpoint (LOAD_DURATION=1m for a quick look).
load: install
	$(BIN)/python -m bench.load.run

# Faults: Redis stopped, PostgreSQL restarted under load, a worker SIGKILLed mid-render, a
# full disk; on a private PostgreSQL cluster (port 5433) and Redis (6390). Needs root.
faults: install
	$(BIN)/python -m bench.faults

clean:
	rm -rf $(VENV) var/*.sqlite3
