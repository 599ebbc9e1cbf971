# The project's commands. A new user needs two: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export APP_ENV ?= development

.PHONY: run test test-sqlite test-postgres lint bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## create the venv, migrate, load the demo, serve http://127.0.0.1:5000
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo load
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: $(STAMP)  ## the whole suite (SQLite, or TEST_DATABASE_URL when set), then lint
	APP_ENV=testing $(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP)  ## the performance scripts of quality.md; results in benchmarks/RESULTS.md
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance
