# One command for each loop. `make demo` and `make test` work on a fresh clone:
# they create .venv when it is missing and install edgetui into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= legacy-1.1

.PHONY: demo test check lint types pytest test-lab lab screenshots bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/edgetui --demo $(SCENARIO)

# What CI runs, in CI's order: format, lint, Python 3.9 floor, types, tests.
test: check

check: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/vermin --target=3.9- --violations --no-tips --eval-annotations --backport dataclasses -q edgetui

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test-lab: $(STAMP)
	$(BIN)/python -m pytest -m lab

lab: $(STAMP)
	$(BIN)/python -m tests.lab.shell $(SCENARIO)

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
