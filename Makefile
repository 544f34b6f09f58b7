# Two commands: `make setup` then `make test`.
PY ?= python3
VENV := .venv

setup:
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	bash scripts/ensure-chromium.sh $(VENV)

# lint first (about 10 s from cold caches, under 1 s warm): CI's `make test` checks style and types too
test: lint
	$(VENV)/bin/pytest -q

# ruff (lint and format check) and mypy; settings in pyproject.toml
lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

.PHONY: setup test lint
