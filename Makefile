# `make run` serves the app with the demo catalogue, `make test` runs every test,
# `make lint` runs ruff and mypy (`make typecheck` runs mypy alone).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# pytest-xdist workers for `make test`: 4 ran the suite faster than 3 on 2 cores, since the
# browser, HTTP and process tests wait a lot. A plain `python -m pytest` runs in one process.
TEST_WORKERS ?= 4

.PHONY: run test lint typecheck format clean messages node-tools

# Debian ships venv support in a separate package; install it when we may, else say how.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "Cannot create a virtual environment: run 'sudo apt-get install python3-venv' first."; exit 1; \
	  fi; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/sodo db upgrade
	$(BIN)/sodo demo --if-empty
	@echo
	@echo "Sơ Đồ is served at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@echo "Public pages: http://$(HOST):$(PORT)/thu-tuc/   Staff login: http://$(HOST):$(PORT)/login"
	@echo "A delivery worker pushes approved versions to the configured targets."
	@echo
	@# One delivery worker beside the server (SQLite supports one), stopped with it.
	$(BIN)/sodo deliver --loop --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/sodo run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory node-tools; \
	else echo "npm not found: the bpmnlint and axe-core tests will skip (apt-get install npm)"; fi
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# bpmnlint, which the BPMN export tests run, and axe-core, which the accessibility tests inject
# into the public pages (both skip without them, unless CI requires them).
NODE_TOOLS := tests/node/node_modules/.package-lock.json
$(NODE_TOOLS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund

node-tools: $(NODE_TOOLS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Strict on workflow_model, validators and exporters ([tool.mypy] in pyproject.toml).
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis tests/node/node_modules

# After changing user-facing strings: refresh the template and the catalogues, then fill
# in the new Vietnamese entries (tests/test_translations.py says which are missing).
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F admin/babel.cfg -k _l -k lazy_gettext --no-location --omit-header -o admin/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i admin/translations/messages.pot -d admin/translations -D messages
