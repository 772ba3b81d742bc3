# Proficio — a newcomer needs two targets: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/proficio
# One test process more than the cores: many tests wait on a `proficio` process, a server or
# a browser, and the extra process keeps the cores busy meanwhile. Worksteal evens out the end.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_DIST := --dist worksteal

.PHONY: run test test-postgres lint format bench xapi-conformance clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python pyproject.toml $(wildcard src/proficio/locale/*/LC_MESSAGES/*.po)
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m proficio.lib.messages
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Serve the demo district on http://127.0.0.1:$(PORT) (SQLite in PROFICIO_HOME, default ~/.proficio).
run: $(VENV)/.runtime
	$(BIN)/proficio demo --if-empty
	$(BIN)/proficio start --port $(PORT)

## The whole suite on SQLite, browser tests included when Chromium is installed.
test: $(VENV)/.dev
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: using /usr/bin/chromium"; \
	else echo "Browser tests: SKIPPED — /usr/bin/chromium is not installed (apt-get install -y chromium)"; fi
	PROFICIO_HOME=$$(mktemp -d) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST)

## The same suite on the PostgreSQL at 127.0.0.1:5432, but for the browser journeys (they drive
## pages the suite already tests on both databases) and the tests no database choice reaches
## (marked db_independent: they use none, or a home of their own): they run once, in `make test`.
test-postgres: $(VENV)/.dev
	PROFICIO_HOME=$$(mktemp -d) PROFICIO_DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST) -m "not e2e and not db_independent"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(VENV)/.bench: $(VENV)/.dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

## Benchmarks: only their JSON on stdout (installing goes to stderr).
bench:
	@$(MAKE) --no-print-directory $(VENV)/.bench >&2
	@PROFICIO_HOME=$$(mktemp -d) $(BIN)/python -m bench

## The ADL xAPI conformance suite against `proficio start` (a clone of
## adlnet/lrs-conformance-test-suite with `npm install` done: SUITE=its path).
xapi-conformance: $(VENV)/.dev
	@$(BIN)/python -m bench.xapi_conformance $(SUITE)

clean:
	rm -rf $(VENV) build src/*.egg-info
