# Two commands for a fresh machine:  make study  (set up + run the study)  and  make test.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
RAW    ?= data/raw
OUT    ?= data/processed
# Exact versions of every dependency (and of the dev and ocr extras), made from pyproject.toml by `make lock`.
LOCK   ?= requirements/lock.txt
UV_VERSION ?= 0.13.9

.PHONY: install study test test-fast bench lint lock lock-upgrade clean

$(BIN)/.installed: pyproject.toml setup.py $(LOCK) govreports/read/_pdfium_loops.c govreports/read/pdf_geometry.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed  ## create .venv with the locked versions, then govreports itself (editable)

study: install  ## build data/processed from data/raw, run every study notebook, write reports/index.html
	$(BIN)/govreports build $(RAW) --out $(OUT)
	$(BIN)/govreports report --all --processed $(OUT) --out reports --continue-on-error

test: install  ## lint, then run the whole test suite (what CI runs)
	$(BIN)/ruff check govreports tests benchmarks
	GOVREPORTS_CHECK_LOCK=1 $(BIN)/pytest -q

test-fast: install  ## the test suite without the slow tests (notebooks, model recovery, large corpora)
	$(BIN)/pytest -q -m "not slow"

bench: install  ## print parse speed figures (see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_parse.py

lint: install
	$(BIN)/ruff check govreports tests benchmarks

# uv resolves for every platform (--universal) and every Python the package supports; an
# existing pin is kept unless pyproject.toml no longer allows it (lock-upgrade moves all to the newest).
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --extra dev --extra ocr --universal --python-version 3.10 \
	--annotation-style line --custom-compile-command "make lock" -o $(LOCK)

lock: install  ## refresh requirements/lock.txt after a change to pyproject.toml's dependencies
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(UV_COMPILE)

lock-upgrade: install  ## move every pin of requirements/lock.txt to the newest version pyproject.toml allows
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(UV_COMPILE) --upgrade

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info data/cache
