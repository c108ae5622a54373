"""The backend benchmark (dual.benchmark): its quick grids end to end, and its resumable CSV
(whole cells only, written atomically; resume skips them; Ctrl-C keeps them)."""

import csv
import json

import pytest

from conftest import run_script
from dual import benchmark
from dual.benchmark import BenchmarkSettings, harness
from dual_testdata import float_rounding
from dualgan.cli import EXIT_USER_ERROR

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

TINY = dict(quick=True, repeats=1, families=["overlapping", "duplicated"], sizes=[10, 40],
            dims=[4])
TINY_ARGV = ["--quick", "--repeats", "1", "--families", "overlapping", "duplicated", "--sizes",
             "10", "40", "--dims", "4"]


def _run(out, resume=False, **settings):
    return benchmark.run_benchmark(BenchmarkSettings(**{**TINY, **settings}), out, resume=resume)


def _csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _certified(row):
    """A native answer is certified to the default tol = 1e-10 up to the rounding of the gap's
    evaluation; the best F of any backend is ≥ F*, so F − F_best ≤ F − F* ≤ gap."""
    slack = float_rounding(float(row["primal_value"]), 2 * int(row["N"])) / max(
        1.0, abs(float(row["primal_value"])))
    return (float(row["relative_gap"]) <= 1e-10 + slack
            and float(row["objective_diff"]) <= float(row["relative_gap"]) + slack)


def test_quick_extended_benchmark_end_to_end(tmp_path, capsys):
    assert not _run(tmp_path)["interrupted"]
    printed = capsys.readouterr().out
    assert "worst cold" in printed and "duplicated" in printed
    rows = _csv(tmp_path / "benchmark.csv")
    cells = {(r["family"], r["N"], r["D"]) for r in rows}
    assert len(cells) == 4
    saved = json.loads((tmp_path / "benchmark.json").read_text())
    assert len(saved["rows"]) == len(rows) and saved["summary"]["all"]["cells"] == 4
    assert (tmp_path / "benchmark.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    native = [r for r in rows if r["backend"] in ("native", "native-warm") and not r["skipped"]]
    assert {r["method"] for r in native} >= {"primal/cholesky", "dual/cholesky",
                                             "primal/newton-cg"}
    assert all(_certified(r) for r in native)
    assert all(float(r["speedup"]) > 0 for r in native)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_interrupted_benchmark_keeps_whole_cells_and_resumes(tmp_path, monkeypatch):
    calls = []
    real_run_cell = harness.run_cell

    def interrupted_at_the_third_cell(cell, args, history):
        calls.append((cell["family"], cell["N"], cell["D"]))
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C in the middle of a cell
        return real_run_cell(cell, args, history)

    monkeypatch.setattr(harness, "run_cell", interrupted_at_the_third_cell)
    assert _run(tmp_path)["interrupted"]
    kept = _csv(tmp_path / "benchmark.csv")
    assert {(r["family"], r["N"], r["D"]) for r in kept} == {
        (f, str(n), str(d)) for f, n, d in calls[:2]}  # the two finished cells, whole
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    calls.clear()
    monkeypatch.setattr(harness, "run_cell", lambda cell, args, history: (
        calls.append((cell["family"], cell["N"], cell["D"])) or real_run_cell(cell, args,
                                                                             history)))
    assert not _run(tmp_path, resume=True)["interrupted"]
    assert len(calls) == 2  # only the two cells not yet in the CSV
    rows = _csv(tmp_path / "benchmark.csv")
    assert len({(r["family"], r["N"], r["D"]) for r in rows}) == 4
    assert rows[:len(kept)] == kept  # the finished cells' rows as they were


def test_resume_refuses_other_settings_and_a_damaged_csv(tmp_path):
    argv = TINY_ARGV + ["--families", "overlapping", "--out", str(tmp_path)]
    assert run_script("benchmark_backends", argv).returncode == 0
    refused = run_script("benchmark_backends", argv + ["--resume", "--c", "2.0"])
    assert refused.returncode == EXIT_USER_ERROR
    assert "other settings" in refused.stderr
    (tmp_path / "benchmark.csv").write_text("garbage\n1,2\n")
    refused = run_script("benchmark_backends", argv + ["--resume"])
    assert refused.returncode == EXIT_USER_ERROR
    assert "not a benchmark CSV" in refused.stderr
    assert (tmp_path / "benchmark.csv").read_text() == "garbage\n1,2\n"  # nothing overwritten


@pytest.mark.slow  # about 10 s: every backend, CVXPY included, on four cells
def test_quick_classic_benchmark_end_to_end(tmp_path):
    done = run_script("benchmark_backends", ["--grid", "classic", "--quick", "--repeats", "1",
                                             "--out", tmp_path])
    assert done.returncode == 0, done.stderr
    rows = _csv(tmp_path / "benchmark_classic.csv")
    assert len({(r["N"], r["D"]) for r in rows}) == 4
    solved = {(r["backend"], r["method"]) for r in rows if not r["skipped"]}
    assert {("native", "primal"), ("native", "dual"), ("liblinear", "dual coordinate descent")
            } <= solved and any(b.startswith("cvxpy-") for b, _ in solved)
    assert all(_certified(r) for r in rows if r["backend"].startswith("native"))


def test_budget_skips_runs_and_says_so(tmp_path):
    assert not _run(tmp_path, families=["overlapping"], budget=1e-9)["interrupted"]
    rows = _csv(tmp_path / "benchmark.csv")
    skipped = [r for r in rows if r["skipped"]]
    # the first cell has no history to extrapolate from; every budgeted run of the second is
    # skipped (native auto is never skipped: it is what the benchmark measures)
    assert skipped and all(r["N"] == "40" and "budget" in r["skipped"] for r in skipped)
    assert {r["backend"] for r in skipped} == {"liblinear", "native"}
    assert all(r["method"].startswith("auto") for r in rows if r["N"] == "40" and
               not r["skipped"])


def test_tiny_grid_end_to_end(tmp_path):
    """The fixed-cost grid: per cell liblinear, native auto cold and warm, and the warm call's
    Newton arithmetic alone (the same method and iterations as the warm call), with the
    Markdown table and the summary."""
    done = run_script("benchmark_backends", ["--grid", "tiny", "--quick", "--repeats", "1",
                                             "--sizes", "16", "--dims", "2", "5",
                                             "--out", tmp_path])
    assert done.returncode == 0, done.stderr
    rows = _csv(tmp_path / "benchmark_tiny.csv")
    for d in ("2", "5"):
        cell = {r["backend"]: r for r in rows if r["D"] == d}
        assert set(cell) == {"liblinear", "native", "native-warm", "newton-only"}
        assert cell["newton-only"]["method"] == cell["native-warm"]["method"]
        assert cell["newton-only"]["iterations"] == cell["native-warm"]["iterations"]
        assert cell["newton-only"]["scenario"] == cell["native-warm"]["scenario"] == "warm"
        assert all(_certified(cell[b]) for b in ("native", "native-warm"))
    table = (tmp_path / "benchmark_tiny.md").read_text().splitlines()
    assert len(table) == 2 + 2 and table[2].startswith("| 16 | 2 |")
    summary = json.loads((tmp_path / "benchmark_tiny.json").read_text())["summary"]
    assert {"worst_cold", "worst_warm", "worst_warm_over_newton"} <= set(summary["fixed_cost"])


def test_tiny_grid_refuses_families(tmp_path):
    refused = run_script("benchmark_backends", ["--grid", "tiny", "--families", "separated",
                                                "--out", tmp_path])
    assert refused.returncode == EXIT_USER_ERROR
    assert refused.stderr.strip().endswith("leave families and cvxpy out with grid='tiny'")
    assert not list(tmp_path.iterdir())
