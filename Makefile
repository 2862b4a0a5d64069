# GORE Tracker — developer commands. Needs only Python 3.11+ and make.
#
#   make run     venv + install + migrate + reference data + demo data, then serve
#   make test    the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
#
# Settings: PORT (5000), HOST (127.0.0.1), PYTHON (python3), PYTEST_ARGS, DEMO_ARGS, and every
# app setting from the README's configuration table (DATABASE_URL, SECRET_KEY…).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
PYTEST_ARGS ?=
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

.PHONY: help install db demo run test bench-import bench-digest clean distclean

help:
	@echo "make run        install, migrate, load reference + demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test       run the whole test suite (PYTEST_ARGS='-k admin' to narrow)"
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

# With TEST_DATABASE_URL, two pytest processes run side by side, one per core: the tests on
# the PostgreSQL test schema, and all the others (tests/conftest.py, TEST_SHARD). The
# PostgreSQL run's report is printed after the other's; either failing fails the target.
test: install
	@if [ -z "$$TEST_DATABASE_URL" ] || [ -n "$$TEST_SHARD" ]; then \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
	  log=$$(mktemp); \
	  TEST_SHARD=postgresql $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) >$$log 2>&1 & pg=$$!; \
	  trap 'kill $$pg 2>/dev/null; rm -f $$log' EXIT INT TERM; \
	  echo "== tests on SQLite and without a database (the PostgreSQL ones run beside them)"; \
	  TEST_SHARD=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS); a=$$?; \
	  wait $$pg; b=$$?; \
	  echo; echo "== tests on PostgreSQL"; cat $$log; \
	  { [ $$a -eq 0 ] || [ $$a -eq 5 ]; } && { [ $$b -eq 0 ] || [ $$b -eq 5 ]; }; \
	fi

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
