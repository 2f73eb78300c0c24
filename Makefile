# Two commands do all set-up: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench fuzz mutants

$(BIN)/python:
	@echo "creating the virtual environment $(VENV) (once)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	@echo "installing referral-api and its dependencies into $(VENV): a few minutes, once"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "installing referral-api with its test tools into $(VENV): a few minutes, once"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

serve: $(VENV)/.installed-runtime
	@echo "serving http://$(HOST):$(PORT) (docs at /docs); the first start migrates and loads the sample"
	$(BIN)/referral-api serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# One pytest worker per core; TEST_WORKERS=0 runs the suite in this process. A module's
# tests run on one worker, so that what they share (an app, a server) starts once.
TEST_WORKERS ?= auto
test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope --durations=15

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/search.py

fuzz: $(VENV)/.installed-dev
	BIN=$(BIN) scripts/fuzz_api.sh

# Mutation testing of the ranking (see docs/ranking.md); slow, so not part of `make test`.
# A fresh `mutants/` each time: mutmut keeps old verdicts when only tests change.
mutants: $(VENV)/.installed-dev
	rm -rf mutants
	$(BIN)/mutmut run --max-children $$(nproc)
	$(BIN)/mutmut results
