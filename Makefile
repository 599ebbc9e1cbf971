# The project's commands. A new user needs two: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export APP_ENV ?= development

.PHONY: run browser test test-sqlite test-postgres lint bench bench-nation install clean translations translations-update

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pybabel compile -d app/translations
	touch $(STAMP)

install: $(STAMP)

# Message catalogues: the .po files are the source, the compiled .mo files are never committed.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)

translations: $(STAMP) $(CATALOGUES:.po=.mo)  ## compile the message catalogues (.po → .mo)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d app/translations -l $*

translations-update: $(STAMP)  ## extract every _() string into messages.pot and merge it into the .po files
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		--no-location --sort-output --project "Transfer ledger" -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

run: translations  ## create the venv, migrate, load the demo, serve http://127.0.0.1:5000
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo load
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

browser:  ## Debian's Chromium for the end-to-end tests (apt-get, only when /usr/bin/chromium is missing)
	bash scripts/ensure-packages /usr/bin/chromium chromium chromium-driver fonts-noto-cjk poppler-utils

test: translations browser  ## the whole suite, browser journeys included (SQLite, or TEST_DATABASE_URL when set), then lint
	APP_ENV=testing $(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP)  ## the performance scripts of quality.md; results in benchmarks/RESULTS.md
	@bash scripts/ensure-packages /usr/bin/wrk wrk || echo "no wrk: bench_web.py loads with its Python client"
	@failed=""; for script in $(filter-out benchmarks/bench_nation.py,$(wildcard benchmarks/bench_*.py)); do \
		echo "== $$script"; $(BIN)/python $$script || failed="$$failed $$script"; done; \
		if [ -n "$$failed" ]; then echo "bars missed by:$$failed"; exit 1; fi

bench-nation: $(STAMP)  ## nation scale through nginx (PostgreSQL; builds bench_nation when missing); results in benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_nation.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance
