# simdesk — two commands on a fresh machine:
#   make demo   creates .venv, installs simdesk, runs a built-in example scenario
#   make test   installs the test dependencies and runs the test suite (what CI runs)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test test-all bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,fast]"
	# Bytecode for simdesk and every installed package, written once here: with
	# PYTHONDONTWRITEBYTECODE set (as on our machines) pip writes none and Python never
	# caches it, so every process compiled ~760 modules from source (1.5 s of each run).
	$(BIN)/python -m compileall -q -j 0 simdesk $(VENV)/lib >/dev/null
	# The compiled loop's machine code, built once here by numba (~4 s; simdesk/engine/
	# native.py): the first run then loads it in ~0.02 s, as every later one does.
	$(BIN)/python -c "from simdesk.engine import compiled; compiled.load()"
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	$(BIN)/simdesk run scenarios/saas-startup.yaml --seed 1 --replications 5

test: $(STAMP)
	$(BIN)/ruff check simdesk tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "slow or not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_mmc.py
	$(BIN)/python benchmarks/bench_policies.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_staffing.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_studio.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_fit.py

lint: $(STAMP)
	$(BIN)/ruff check simdesk tests benchmarks
	$(BIN)/ruff format --check simdesk tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
