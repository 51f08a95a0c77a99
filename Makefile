# A newcomer's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run scheduler serve test test-sqlite test-postgres setup system-deps db seed demo example lint audit bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

# WeasyPrint needs Pango; the browser tests need Debian's Chromium; PDF checks use poppler.
system-deps:
	@bash scripts/system-deps.sh

db: setup
	$(BIN)/flask db upgrade

seed: db
	$(BIN)/flask seed

demo: seed
	$(BIN)/flask demo-accounts

# A fictional history of progress and reports, marked as example data (`flask example-data --remove`).
example: demo
	$(BIN)/flask example-data
	$(BIN)/flask example-monitor

# The web server and, next to it, the scheduler process (it builds the reports).
run: system-deps example
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) bash scripts/run.sh

# The scheduler alone, as in production (one process; a second one is harmless).
scheduler: db
	$(BIN)/flask scheduler

# The import layers first (.importlinter: no import from a higher layer, no cycle), then the suite.
test: system-deps setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite against the local PostgreSQL (database `test`).
test-postgres: system-deps setup
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

# Known vulnerabilities in the pinned requirements; says plainly when the service was out of reach.
audit: setup
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/python scripts/audit.py

# Report build speed and memory (seeded programme and 200 generated initiatives), the import speed of a
# monitor edition (70 areas x 120 indicators) and the render speed of the monitor pages with three editions
# and the map; not part of `make test`.
bench: system-deps setup
	$(BIN)/python scripts/bench_reports.py
	$(BIN)/python scripts/load_dashboard.py
	$(BIN)/python scripts/bench_monitor_import.py
	$(BIN)/python scripts/bench_monitor_page.py

clean:
	rm -rf $(VENV) .pytest_cache
