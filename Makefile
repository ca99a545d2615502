# Two entry points: `make demo` (install, load GTB, serve) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export BIOCOMMUNITY_DATA_DIR ?= $(CURDIR)/var
# Links in e-mails point at the address the demo serves on.
export BIOCOMMUNITY_SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: demo install install-demo install-test migrate load serve test test-sqlite test-postgres lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

# The demo prints the fact sheet to PDF: the `pdf` extra (Playwright, driving Debian's Chromium).
install-demo: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[pdf]"

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

migrate: install
	$(BIN)/biocommunity migrate --noinput -v0

load: migrate
	$(BIN)/biocommunity load-dataset gtb

# Registry, figures and capability profiles; their embeddings, so matching answers at once;
# then one account per role with fresh passwords, printed (DEBUG only, never in production);
# the job worker (e-mails, profile embeddings) runs beside the server and stops with it.
demo: install-demo load
	$(BIN)/biocommunity match rebuild
	DEBUG=1 $(BIN)/biocommunity demo-accounts --site-url http://$(HOST):$(PORT)
	@echo "GTB demo on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/biocommunity worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/biocommunity serve --host $(HOST) --port $(PORT)

# What production runs (docs/deployment.md): gunicorn, DEBUG off, collected static files.
# The demo serves the same way; only the demo accounts above need DEBUG on.
serve: install
	$(BIN)/biocommunity serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python scripts/run_tests.py

lint: install-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src

messages:
	cd src/biocommunity && ../../$(BIN)/biocommunity makemessages -l ja --no-location --no-obsolete && ../../$(BIN)/biocommunity compilemessages -l ja

clean:
	rm -rf $(VENV) var build *.egg-info test-artifacts
