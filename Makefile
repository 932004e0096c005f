# Two commands: `make run` serves the app with the demo catalogue, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint format clean messages

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
	@echo
	$(BIN)/sodo run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# After changing user-facing strings: refresh the template and the catalogues, then fill
# in the new Vietnamese entries (tests/test_translations.py says which are missing).
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F admin/babel.cfg -k _l -k lazy_gettext --no-location --omit-header -o admin/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i admin/translations/messages.pot -d admin/translations -D messages
