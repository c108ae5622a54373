"""The example examples/compare_primal_dual.py runs end to end on a tiny problem."""

import json

import pytest

import dual
from conftest import run_script
from dual_testdata import float_rounding


@pytest.fixture(scope="module")
def example_main():
    """Run the script as a subprocess; fails the test on a non-zero exit code."""
    def main(argv):
        done = run_script("compare_primal_dual", argv)
        if done.returncode != 0:
            raise SystemExit(done.returncode)
    return main


@pytest.mark.slow
@pytest.mark.parametrize("d", [2, 3])
def test_example_writes_rows_figure_and_json(example_main, tmp_path, d):
    out = tmp_path / "compare"
    example_main(["--out", str(out), "--n", "12", "--d", str(d), "--seed", "3", "--c", "0.5"])
    results = json.loads((out / "results.json").read_text())
    assert (out / "compare.png").stat().st_size > 10_000

    settings = results["settings"]
    assert settings["n"] == 12 and settings["d"] == d and settings["c"] == 0.5
    rows = results["rows"]
    pairs = {(r["solver"], r["form"]) for r in rows}
    for solver in dual.available_solvers():
        assert {(solver, "primal"), (solver, "dual")} <= pairs
    try:
        import sklearn  # noqa: F401
        assert {("sklearn-liblinear", "primal"), ("sklearn-liblinear", "dual")} <= pairs
    except ImportError:
        pass
    assert settings["reference"] in {f"{r['solver']}/{r['form']}" for r in rows}

    n = 24  # N + M
    for r in rows:
        assert r["status"] != "error", r
        # weak duality (SPEC 3) holds for every certified row, whatever its accuracy
        assert r["gap"] >= -float_rounding(r["primal"], n)
        assert r["gap"] == r["primal"] - r["dual"]
        assert r["time"] > 0 and r["kkt"] >= 0 and r["w_dist"] >= 0
    # every row lands on the same optimum: F* ∈ [g, F] for each row, so the intervals overlap
    # (CLARABEL is always there)
    clarabel = next(r for r in rows if r["solver"] == "CLARABEL" and r["form"] == "primal")
    for r in rows:
        slack = float_rounding(r["primal"], n)
        assert r["dual"] <= clarabel["primal"] + slack and clarabel["dual"] <= r["primal"] + slack


def test_example_help():
    done = run_script("compare_primal_dual", ["--help"])
    assert done.returncode == 0
    out = done.stdout
    for flag in ("--out", "--seed", "--n", "--d", "--c", "--solvers", "--repeats"):
        assert flag in out


def test_example_rejects_bad_sizes(example_main, tmp_path):
    with pytest.raises(SystemExit):
        example_main(["--out", str(tmp_path), "--n", "0"])
