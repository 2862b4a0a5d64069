# GORE Tracker — developer commands. Needs only Python 3.11+ and make.
#
#   make run     venv + install + migrate + reference data + demo data, then serve
#   make test    the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
#   make test-fast   the same without the OCR, browser and slow tests
#   make lint    ruff
#
# Settings: PORT (5000), HOST (127.0.0.1), PYTHON (python3), PYTEST_ARGS, PYTEST_WORKERS, DEMO_ARGS, and every
# app setting from the README's configuration table (DATABASE_URL, SECRET_KEY…).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
PYTEST_ARGS ?=
# pytest-xdist processes: "auto" is one per core; 0 runs the tests in this process.
PYTEST_WORKERS ?= auto
DEMO_ARGS ?=

FLASK := $(BIN)/flask
export FLASK_APP := wsgi
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Links and e-mails point at the address `make run` serves on, unless told otherwise.
export BASE_URL ?= http://$(HOST):$(PORT)

# Rebuilt only when pyproject.toml changes, so a second `make run` starts at once.
STAMP := $(VENV)/.installed

# Processes that `make run` starts beside the web server and stops with it: shell
# commands, each ending in `&`. The scheduler sends reminders, digests and queued mail
# (without MAIL_SERVER, as .eml files under instance/mail/).
SIDECARS := $(FLASK) scheduler run &

.PHONY: help install db demo run test test-fast lint bench-import bench-digest clean distclean

help:
	@echo "make run        install, migrate, load reference + demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test       run the whole test suite (PYTEST_ARGS='-k admin' to narrow, PYTEST_WORKERS=0 for one process)"
	@echo "make test-fast  the test suite without the OCR, browser and slow tests"
	@echo "make lint       ruff check"
	@echo "make install    create $(VENV) and install the project with its dev extra"
	@echo "make db         flask db upgrade + flask refdata load"
	@echo "make demo       make db + flask demo load (idempotent)"
	@echo "make bench-import  parser speed and memory against pdfplumber alone (exits 1 if a target is missed)"
	@echo "make bench-digest  weekly digests of 1,000 users over 200,000 commitments: time and SQL statements (exits 1 if a target is missed)"
	@echo "make clean      remove caches and test artifacts"
	@echo "make distclean  clean + remove $(VENV) and instance/ (the SQLite database and files)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GORE Tracker needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

db: install
	$(FLASK) db upgrade
	$(FLASK) refdata load

demo: db
	$(FLASK) demo load $(DEMO_ARGS)

run: demo
	@echo
	@echo "GORE Tracker: http://$(HOST):$(PORT)   (Ctrl+C to stop)"
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	$(SIDECARS) \
	$(FLASK) run --host $(HOST) --port $(PORT)

# pytest-xdist spreads the tests over PYTEST_WORKERS processes; each builds its own SQLite
# template and, with TEST_DATABASE_URL, its own PostgreSQL schema (tests/conftest.py). pytest's
# exit code fails the target: 1 a test failed, 5 no test was selected (PYTEST_ARGS), never a pass.
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup
# Bytecode caches: without them every worker, and each of the tests' many Python child processes
# (sandboxed parses, flask commands, the import worker), compiles the whole project again.
test test-fast: export PYTHONDONTWRITEBYTECODE :=
FAST_TESTS := -m "not slow and not ocr and not browser"
NO_TESTS := { s=$$?; [ $$s -ne 5 ] || echo "pytest selected no test (exit 5): check PYTEST_ARGS" >&2; exit $$s; }

test: install
	$(PYTEST) $(PYTEST_ARGS) || $(NO_TESTS)

test-fast: install
	$(PYTEST) $(FAST_TESTS) $(PYTEST_ARGS) || $(NO_TESTS)

lint: install
	$(BIN)/ruff check .

bench-import: install
	$(BIN)/python benchmarks/bench_import.py

# Scratch SQLite file; PostgreSQL with BENCH_DATABASE_URL (its schema is replaced).
bench-digest: install
	$(BIN)/python benchmarks/bench_digest.py

clean:
	rm -rf .pytest_cache test-artifacts build dist
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) instance *.egg-info
