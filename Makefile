# Two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
AXE_CORE := var/node/node_modules/axe-core/axe.min.js

.PHONY: run test setup lint fuzz bench load faults fixtures clean axe-core messages

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

setup: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_initial_data

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup $(AXE_CORE)
	$(BIN)/python -m pytest

# axe-core (accessibility rules) for the browser tests, from npm into var/ (git-ignored).
axe-core: $(AXE_CORE)
$(AXE_CORE):
	@command -v npm >/dev/null || { echo "npm is needed to fetch axe-core for the browser tests: apt-get install npm" >&2; exit 1; }
	npm install --prefix var/node --no-save --no-audit --no-fund --loglevel=error axe-core@4

# Compile the project's translation corrections (locale/*.po, needs GNU gettext) into the .mo files Django reads.
messages: $(INSTALLED)
	$(BIN)/python manage.py compilemessages --ignore .venv --ignore var

# The property-based (Hypothesis) tests only, with many random examples instead of the suite's fixed few.
fuzz: $(INSTALLED)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -m hypothesis -p no:cacheprovider

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate fixtures/cases.json from the source document (topics are kept).
SOURCE ?= fixtures/source/service-trade-pilot-best-practices-2020.txt
fixtures: setup
	$(BIN)/python manage.py import_cases $(SOURCE) --collection service-trade-2020
	$(BIN)/python manage.py dumpdata cases.collection cases.case cases.caseitem \
		--natural-foreign --indent 1 -o fixtures/cases.json

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles

# Search, page, admin bulk-work and import benchmarks on both backends (figures in the README). They use their
# own databases, whose names must contain "bench": the benchmarks add synthetic cases.
BENCH_SQLITE ?= var/bench.sqlite3
BENCH_PG ?= postgres://root@127.0.0.1:5432/bench
BENCH_SIZES ?= 20,10000,100000
BENCH_REPEAT ?= 8
BENCH_PAGE_SIZES ?= 20,10000
BENCH_PAGE_REPEAT ?= 20
BENCH_ADMIN_CASES ?= 2000
BENCH_IMPORT_CASES ?= 1000
bench: $(INSTALLED)
	mkdir -p var
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(BIN)/python manage.py load_initial_data -v0
	DEBUG=0 DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(BIN)/python manage.py bench_search --sizes $(BENCH_SIZES) --repeat $(BENCH_REPEAT)
	DEBUG=0 DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(BIN)/python manage.py bench_pages --sizes $(BENCH_PAGE_SIZES) --repeat $(BENCH_PAGE_REPEAT)
	DEBUG=0 DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(BIN)/python manage.py bench_admin --cases $(BENCH_ADMIN_CASES)
	DEBUG=0 DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(BIN)/python manage.py bench_import --cases $(BENCH_IMPORT_CASES)
	psql "$(dir $(BENCH_PG))postgres" -tc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(BENCH_PG))'" | grep -q 1 \
		|| psql "$(dir $(BENCH_PG))postgres" -c 'CREATE DATABASE "$(notdir $(BENCH_PG))"'
	DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py load_initial_data -v0
	DEBUG=0 DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py bench_search --sizes $(BENCH_SIZES) --repeat $(BENCH_REPEAT)
	DEBUG=0 DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py bench_pages --sizes $(BENCH_PAGE_SIZES) --repeat $(BENCH_PAGE_REPEAT)
	DEBUG=0 DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py bench_admin --cases $(BENCH_ADMIN_CASES)
	DEBUG=0 DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py bench_import --cases $(BENCH_IMPORT_CASES)

# Load test against gunicorn (2 workers) on PostgreSQL; needs wrk (figures in the README).
load: $(INSTALLED)
	config/load/run.sh

# Fault test: stops and restarts the local PostgreSQL cluster around a running app.
faults: $(INSTALLED)
	config/load/faults.sh
