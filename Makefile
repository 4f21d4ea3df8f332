# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

.PHONY: run test test-postgres test-browser lint install install-test clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The local demo serves as production does: debug off (a 404 is the observatory's page, not Django's list of
# every URL pattern), static files from WhiteNoise. OBS_DEBUG=true make run turns Django's debug pages on.
run: export OBS_DEBUG ?= false
run: install
	$(BIN)/observatorio migrate
	$(BIN)/observatorio demo --if-empty $$(test -d ../shared/data/penalolen && echo --geography ../shared/data/penalolen)
	$(BIN)/observatorio serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check observatorio tests benchmarks scripts

test-postgres: install-test
	OBS_DATABASE_URL=$${OBS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/observatorio} \
		$(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

test-browser: install-test
	$(BIN)/python -m pytest -m browser -p no:xdist $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) var .pytest_cache
