# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test build lint clean

$(BIN)/refsi: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "refsi needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The main job: the graph from the bundled source, then what it holds.
run: $(BIN)/refsi
	$(BIN)/refsi build
	$(BIN)/refsi stats
	$(BIN)/refsi validate

test: $(BIN)/refsi
	$(BIN)/python -m pytest

build: $(BIN)/refsi
	$(BIN)/refsi build

lint: $(BIN)/refsi
	$(BIN)/python -m pip install --quiet ruff mypy
	$(BIN)/ruff check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache
