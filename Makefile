# Two-command quickstart: `make demo` and `make test` work on a fresh machine with
# only Python 3.11, git and make. Everything else is installed into .venv here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint unit install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Scans the deliberately insecure example. Exit status 1 means "findings reported",
# which is what the demo is for; anything else (2: error) fails the target.
demo: $(STAMP)
	@$(BIN)/flaskwarden scan examples/insecure-shop; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 2 -q

# The whole suite: lint, types, and every test. pytest exits 5 when it collects
# nothing, which fails this target as it should.
test: lint unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .flaskwarden_cache build src/*.egg-info
