"""examples/compare_gradients.py's comparison (dual.benchmark.gradients) end to end on a tiny
grid, with and without cvxpylayers."""

import csv
import json
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

# cvxpylayers 1.2 hands torch tensors to np.array(copy=False): numpy 2 deprecates that; not ours
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# A wrong gradient is off by O(1). The solve behind each route stops at a relative gap of about
# 1e-10 (native tol) or 1e-12 (the layer's Clarabel), which moves w and λ by √(gap)-order amounts
# (‖w − w*‖ ≤ √(2·gap/c)): at these sizes at most about 1e-4 of the gradient.
REL_ERROR = 1e-4


def _run(tmp_path, seeds=(0, 1), resume=False, **settings):
    from dual.benchmark import gradients

    rows = gradients.run_gradient_check(gradients.GradientSettings(
        sizes=[6], dims=[2], seeds=list(seeds), directions=2, **settings), tmp_path,
        resume=resume)
    return gradients, rows


@pytest.mark.slow
def test_both_routes_against_finite_differences(tmp_path, capsys):
    pytest.importorskip("cvxpylayers")
    _, rows = _run(tmp_path)
    printed = capsys.readouterr().out
    assert "danskin" in printed and "cvxpylayers" in printed
    assert {(r["route"], r["seed"]) for r in rows} == {
        (route, seed) for route in ("danskin", "cvxpylayers") for seed in (0, 1)}
    for row in rows:
        assert row["rel_error"] <= REL_ERROR
        assert row["seconds"] > 0
    with open(tmp_path / "gradients.csv") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)
    assert len(json.loads((tmp_path / "gradients.json").read_text())["rows"]) == len(rows)
    assert (tmp_path / "gradients.png").stat().st_size > 10_000


def test_without_cvxpylayers_runs_danskin_only_and_says_how_to_install(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.setitem(sys.modules, "cvxpylayers", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "cvxpylayers.torch", None)
    _, rows = _run(tmp_path)
    printed = capsys.readouterr().out
    assert "install the [layers] extra" in printed and "Danskin route only" in printed
    assert {r["route"] for r in rows} == {"danskin"}
    assert all(r["rel_error"] <= REL_ERROR for r in rows)


def test_resume_keeps_finished_cells(tmp_path):
    _, first = _run(tmp_path, no_layers=True, seeds=(0,))
    gradients, again = _run(tmp_path, no_layers=True, resume=True, seeds=(0,))
    assert again == first  # nothing left to run: the rows come back from gradients.json
    assert gradients.GradientSettings(no_layers=True).layers_max_gb == 6.0


def test_layers_skipped_where_memory_would_exceed_the_limit(tmp_path):
    pytest.importorskip("cvxpylayers")
    _, rows = _run(tmp_path, layers_max_gb=1e-9)
    skipped = [r for r in rows if r["route"] == "cvxpylayers"]
    assert skipped and all("GB for the DPP canonicalization" in r["skipped"] for r in skipped)
