# rigport: the two commands in the README are `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
# Compiled by mypyc at install (setup.py): an edit to one of these reinstalls, so no stale extension shadows it.
COMPILED := $(addprefix src/rigport/domain/screening/,frequency.py normalize.py match.py index.py)
STALE_EXT = rm -f src/rigport/domain/screening/*.so src/rigport_screening__mypyc*.so
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint typecheck bench screenshots install clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml setup.py $(COMPILED) | $(PY)
	$(STALE_EXT)
	$(PIP) install --quiet -e '.[postgres,dask]'
	touch $@

$(STAMP_TEST): pyproject.toml setup.py $(COMPILED) | $(PY)
	$(STALE_EXT)
	$(PIP) install --quiet -e '.[postgres,dask,test,dev]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)

## The main job: seed the demo scenario into the embedded SQLite database and serve it.
demo: $(STAMP_RUN)
	$(VENV)/bin/rigport demo --host $(HOST) --port $(PORT)

## Everything CI checks: system packages, lint, types, the whole test suite.
test: $(STAMP_TEST)
	scripts/install-system-deps
	$(MAKE) lint typecheck
	scripts/run-tests

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/lint-imports  # layer contracts in pyproject.toml [tool.importlinter] (docs/architecture.md)

typecheck: $(STAMP_TEST)
	$(VENV)/bin/mypy --strict src

## Refresh the dashboard screenshots in docs/screenshots/ (the browser tests take them; `make test` does not keep them).
screenshots: $(STAMP_TEST)
	scripts/install-system-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:cacheprovider tests/web/test_dashboard_e2e.py tests/web/test_daily_e2e.py \
		tests/web/test_shipment_list_e2e.py tests/web/test_evidence_e2e.py

## `make bench` runs every benchmark; `make bench load screening` only those named (words after `bench`).
BENCH_NAMES := $(filter-out bench,$(MAKECMDGOALS))
bench: $(STAMP_TEST)
	$(PY) -m benchmarks $(BENCH_NAMES)

ifeq (bench,$(firstword $(MAKECMDGOALS)))
$(BENCH_NAMES):
	@:
endif

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
	$(STALE_EXT)
