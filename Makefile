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
# Then two questions asked of it: what concerns the RSSI, and what the RSSI
# and the DSI share.
run: $(BIN)/refsi
	$(BIN)/refsi build
	$(BIN)/refsi stats
	$(BIN)/refsi validate
# Two of the questions people ask (issue 4).
	$(BIN)/refsi activities RSSI
	$(BIN)/refsi query shared_activities --param actor_a=RSSI --param actor_b=DSI
# The graph in the formats other tools read (out/ is git-ignored).
	for ext in nt rdf jsonld csv graphml; do \
		mkdir -p out/export && $(BIN)/refsi export -o out/export/refsi.$$ext || exit 1; \
	done
	@echo "exports written to out/export/"
# The static linked-data site (issue 7), in the git-ignored out/.
	$(BIN)/refsi publish --out out/site
# Role overlap and the shape of the framework (issue 5); figures and
# exports go to the git-ignored out/.
	$(BIN)/refsi analyse --exclude-all --metric shared --output-dir out/figures \
		--graphml out/actors.graphml --gexf out/actors.gexf

test: $(BIN)/refsi
	$(BIN)/python -m pytest

build: $(BIN)/refsi
	$(BIN)/refsi build

lint: $(BIN)/refsi
	$(BIN)/python -m pip install --quiet ruff mypy types-networkx
	$(BIN)/ruff check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache
