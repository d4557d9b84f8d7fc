# envgraph: `make demo` builds the graph of the sample corpus; `make test` runs every test.
# Both set up a virtual environment (.venv) first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := out

.PHONY: setup demo test browser clean

$(VENV)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.ready

browser:
	bash scripts/install-browser.sh

demo: setup
	rm -rf $(OUT)/store
	$(BIN)/envgraph build data/corpus --store $(OUT)/store --no-progress
	$(BIN)/envgraph export --store $(OUT)/store --format trig -o $(OUT)/graph.trig
	$(BIN)/envgraph export --store $(OUT)/store --format csv -o $(OUT)/tables
	$(BIN)/envgraph html --store $(OUT)/store -o $(OUT)/graph.html
	$(BIN)/envgraph evaluate --gold data/gold --store $(OUT)/store
	@echo "outputs in $(OUT)/: store/, graph.trig, tables/, graph.html"

test: setup browser
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(OUT)
