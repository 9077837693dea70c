# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    virtualenv + packages, a demo warehouse if there is none, the dashboard
#   make test   virtualenv + packages, then the whole test suite
#   make test-fast   the core (loader, metrics, CLI, pages in AppTest), about a minute on 2 cores
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/warehouse.duckdb
DEMO_EXPERTS ?= 2000000
PORT ?= 8501

.PHONY: run test test-fast demo bench clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DB): | $(BIN)/.installed
	$(BIN)/python -m expertnet generate --db $(DB) --experts $(DEMO_EXPERTS)

run: $(BIN)/.installed $(DB)
	EXPERTNET_DB=$(DB) EXPERTNET_DEMO=1 $(BIN)/streamlit run serve.py --server.address 127.0.0.1 --server.port $(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q tests

test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -q -m "not slow" -n 2 tests

demo: $(BIN)/.installed
	$(BIN)/python -m expertnet generate --db $(DB) --experts $(DEMO_EXPERTS)

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --experts 2000000 --work-logs 100000000

clean:
	rm -rf $(VENV) tests/artifacts
