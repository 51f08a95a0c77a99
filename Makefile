# A newcomer's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test test-sqlite test-postgres setup system-deps db seed demo lint audit bench clean

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

run: system-deps demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: system-deps setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite against the local PostgreSQL (database `test`).
test-postgres: system-deps setup
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

audit: setup
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit -r requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache
