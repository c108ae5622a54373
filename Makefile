# Two entry points: `make demo` (the main job) and `make test` (the test suite).
# Both create or reuse a local virtual environment with pinned dependencies.
# torch is installed first, pinned to the CPU build: an unpinned torch pulls a CUDA build of several GB.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
OUT    ?= runs/demo

.PHONY: demo test test-slow test-all venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

demo: venv
	$(PY) examples/train_dual_gan.py --out $(OUT)

test: venv
	$(PY) -m pytest -m "not slow"

test-slow: venv
	$(PY) -m pytest -m slow

test-all: venv
	$(PY) -m pytest

clean:
	rm -rf $(VENV) runs .pytest_cache
