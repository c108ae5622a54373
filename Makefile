# Two entry points: `make demo` (the main job) and `make test` (the test suite).
# Both create or reuse a local virtual environment with pinned dependencies.
# `make lint` (ruff) and `make docs` (the Sphinx site) add their pinned tools to the same venv.
# torch is installed first, pinned by TORCH (an unpinned torch pulls the newest CUDA build). From
# the public index on Linux, torch==2.13.0 is itself a CUDA build (several GB); for the CPU build:
#   make demo TORCH="torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
OUT    ?= runs/demo
# options added to the demo's command, e.g. DEMO_ARGS="--steps 50" for a short check
DEMO_ARGS ?=
RUFF   ?= ruff==0.17.6

.PHONY: demo test test-slow test-all lint docs venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# the demo's directory is its own: every `make demo` trains afresh into it (--overwrite)
demo: venv
	$(PY) examples/train_dual_gan.py --out $(OUT) --overwrite $(DEMO_ARGS)
	@echo "make demo: the figures are in $(OUT)/: $$(cd $(OUT) && ls *.png | tr '\n' ' ')"

test: venv
	$(PY) -m pytest -m "not slow"

test-slow: venv
	$(PY) -m pytest -m slow

test-all: venv
	$(PY) -m pytest

# ruff, configured in pyproject.toml; pinned here as torch is (the `lint` extra gives a range)
lint: $(VENV)/.lint-installed
	$(PY) -m ruff check .

$(VENV)/.lint-installed: $(VENV)/.installed Makefile
	$(PY) -m pip install --quiet --disable-pip-version-check "$(RUFF)"
	touch $@

# the Sphinx site into docs/_build/html, every page read afresh, warnings as errors; the API
# pages generated from the packages as they are now
docs: $(VENV)/.docs-installed
	rm -rf docs/_build docs/api/generated
	$(PY) -m sphinx -b html -W --keep-going docs docs/_build/html

$(VENV)/.docs-installed: $(VENV)/.installed requirements-docs.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-docs.txt
	touch $@

clean:
	rm -rf $(VENV) runs .pytest_cache docs/_build docs/api/generated
