# Convoca: `make demo` serves a realistic demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-test browser messages static bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory messages

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory messages browser

# Debian's Chromium drives the browser tests; never a downloaded browser.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "ERROR: could not install Debian's chromium" >&2; exit 1; }; \
	  else echo "ERROR: /usr/bin/chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi; \
	fi

messages: $(BIN)/python
	$(BIN)/python -m convoca.core.compile_messages

static: install
	$(BIN)/convoca collectstatic --noinput -v0

demo: install
	$(BIN)/convoca migrate --noinput -v0
	$(BIN)/convoca demo --serve --host $(HOST) --port $(PORT)

serve: static
	$(BIN)/convoca serve --host $(HOST) --port $(PORT)

# ruff first (a finding fails the build), then the suite; COVERAGE=1 measures it and prints the total.
# NO_INSTALL=1 skips the install step (CI installs once, then runs the SQLite and PostgreSQL suites side by side).
test: $(if $(NO_INSTALL),,install-test)
	$(BIN)/ruff check convoca tests bench
ifeq ($(COVERAGE),1)
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest $(PYTEST_ARGS)
	@$(BIN)/python -m coverage report --precision=1 | grep '^TOTAL'
	@echo "coverage total: $$($(BIN)/python -m coverage report --format=total --precision=1)%"
else
	$(BIN)/python -m pytest $(PYTEST_ARGS)
endif

bench: install-test
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) var/static var/bench
