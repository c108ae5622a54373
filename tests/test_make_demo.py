"""``make demo`` runs again after a first run, and says where its figures are (issue 32, item 7).

The real target is run twice into one directory, with the script's own ``--steps`` made small
through ``DEMO_ARGS`` and this interpreter as ``PY`` (the venv is not remade: ``-o``).
"""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("make") is None, reason="needs make")]


def _make_demo(out):
    venv = os.path.join(os.path.dirname(out), "venv")
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        ["make", "-s", "demo", f"VENV={venv}", "-o", f"{venv}/.installed", f"PY={sys.executable}",
         f"OUT={out}", "DEMO_ARGS=--steps 5 --checkpoint-every 5 --no-progress"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)


def test_make_demo_runs_twice_in_a_row_and_names_its_figures(tmp_path):
    out = tmp_path / "demo"
    first = _make_demo(str(out))
    assert first.returncode == 0, first.stderr
    assert (out / "checkpoint.pt").exists()  # the state a plain second run used to refuse
    second = _make_demo(str(out))
    assert second.returncode == 0, second.stderr
    last = second.stdout.strip().splitlines()[-1]
    assert last.startswith(f"make demo: the figures are in {out}/")
    figures = sorted(p.name for p in out.glob("*.png"))
    assert figures and all(name in last for name in figures)
