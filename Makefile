# Two commands for a fresh machine:  make study  (set up + run the study)  and  make test.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
RAW    ?= data/raw
OUT    ?= data/processed

.PHONY: install study test test-fast bench lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ocr]'
	touch $@

install: $(BIN)/.installed  ## create .venv and install govreports with its dependencies

study: install  ## build data/processed from data/raw, run every study notebook, write reports/index.html
	$(BIN)/govreports build $(RAW) --out $(OUT)
	$(BIN)/govreports report --all --processed $(OUT) --out reports --continue-on-error

test: install  ## lint, then run the whole test suite (what CI runs)
	$(BIN)/ruff check govreports tests benchmarks
	$(BIN)/pytest -q

test-fast: install  ## the test suite without the slow tests (notebooks, model recovery, large corpora)
	$(BIN)/pytest -q -m "not slow"

bench: install  ## print parse speed figures (see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_parse.py

lint: install
	$(BIN)/ruff check govreports tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info data/cache
