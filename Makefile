# Two-command quickstart: `make demo` and `make test` work on a fresh machine with
# only Python 3.11, git and make. Everything else is installed into .venv here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint unit install clean chromium bench-setup bench

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

# The HTML report test renders the report in headless Chromium: Debian's package,
# installed here when missing (as root, or through sudo). Without it that test fails
# with a message saying so; the rest of the suite still runs.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		if command -v apt-get >/dev/null 2>&1 && { [ -z "$$SUDO" ] || command -v sudo >/dev/null 2>&1; }; then \
			echo "Installing Debian's chromium for the HTML report test"; \
			$$SUDO apt-get update -qq && \
			$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "warning: chromium is missing and cannot be installed here; the HTML report test will fail" >&2; \
		fi; \
	fi

unit: $(TEST_STAMP) chromium
	$(BIN)/python -m pytest -n 2 -q

# The whole suite: lint, types, and every test. pytest exits 5 when it collects
# nothing, which fails this target as it should.
test: lint unit

# Peers for bench/speed.py, in their own venv so nothing of theirs touches the
# project's environment (or is committed). Semgrep needs local rule files:
# pass --semgrep-rules DIR to bench/speed.py.
BENCH_VENV := .bench-venv
bench-setup: $(STAMP)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet bandit semgrep ruff

# make bench BENCH_PATH=/path/to/a/large/flask/app
bench: $(STAMP)
	$(BIN)/python bench/speed.py $(BENCH_PATH) --runs 3 --scale 1,2,4

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache .flaskwarden_cache build src/*.egg-info
