# Hearth's front door. `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HEARTH_DEMO_DB ?= sqlite:///$(CURDIR)/hearth-demo.sqlite3
PORT ?= 8000

.PHONY: demo test install frontend lint fix check benchmark-small clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "!! npm not found: pages will render without GOV.UK Frontend styles (install Node.js 20)"; fi

src/hearth/static/hearth/build/hearth.css: node_modules/.installed src/hearth/frontend/hearth.scss
	@if [ -d node_modules/sass ]; then npm run --silent build:css; fi

frontend: node_modules/.installed src/hearth/static/hearth/build/hearth.css

demo: install frontend
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth migrate --no-input -v0
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth generate --if-empty --demo-users --people 5000 --as-of $$(date +%F)
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth alerts evaluate
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth link train --if-none
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth reference load --la 938
	@echo "Hearth demo on http://127.0.0.1:$(PORT)/ (synthetic data only; Ctrl-C to stop)"
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth alerts work --interval 5 & \
	HEARTH_ENV=demo DATABASE_URL=$(HEARTH_DEMO_DB) $(BIN)/hearth runserver 127.0.0.1:$(PORT); kill $$! 2>/dev/null

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	HEARTH_ENV=test $(BIN)/mypy

fix: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

check: install
	HEARTH_ENV=test $(BIN)/hearth makemigrations --check --dry-run
	HEARTH_ENV=test $(BIN)/hearth check

test: install frontend check lint
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null; then echo "Browser tests: using $$(command -v chromium || echo /usr/bin/chromium)"; \
	else echo; echo "!!!!!!!! BROWSER TESTS WILL BE SKIPPED: no Chromium installed (apt-get install chromium) !!!!!!!!"; echo; fi
	HEARTH_ENV=test $(BIN)/pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) node_modules staticfiles hearth-demo.sqlite3*
