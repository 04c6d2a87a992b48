# Two commands do all the set-up on a fresh machine (see README.md):
#   make run    set up, then run the main job on the bundled sample configuration
#   make test   set up, install what the tests need, run the whole suite (.ci/run calls exactly this)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# Debian packages the tests drive as real processes.
TEST_DEBS := redis-server prometheus prometheus-alertmanager chromium docker-compose
STAMP := $(VENV)/.installed
# Bytecode is compiled at install time (--compile-bytecode, compileall): where PYTHONDONTWRITEBYTECODE
# is set, as on the CI machines, every process would otherwise compile each module it imports, and
# `import airflow.sdk, airflow.models` alone took 6.9 s instead of 2.8 s.

.PHONY: run test setup test-deps lock lint clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml include/onec_analysis/bsl/_scan.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(BIN)/pip install --quiet uv==0.13.9
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt -r requirements-dev.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q -j 0 include dags plugins >/dev/null
	touch $@

run: setup
	$(BIN)/python scripts/run_sample.py

test-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: setup test-deps
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check include dags plugins tests scripts

lock:
	$(UV) pip compile --quiet --python $(BIN)/python requirements.in -o requirements.txt
	$(UV) pip compile --quiet --python $(BIN)/python requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) var out
