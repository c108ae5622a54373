"""The backend benchmark runs end to end on its quick grid."""

import csv
import json

import pytest

from conftest import load_example
from dual_testdata import float_rounding

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")


def _load():
    return load_example("benchmark_backends")


@pytest.mark.slow  # about 6 s: every backend on four cells
def test_quick_benchmark_end_to_end(tmp_path, capsys):
    bench = _load()
    rows = bench.main(["--quick", "--repeats", "1", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "liblinear" in printed and "native-warm" in printed
    with open(tmp_path / "benchmark.csv") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(rows)
    saved = json.loads((tmp_path / "benchmark.json").read_text())
    assert len(saved["rows"]) == len(rows)
    assert (tmp_path / "benchmark.png").stat().st_size > 10_000
    cells = {(r["N"], r["D"]) for r in rows}
    assert len(cells) == 4
    for row in rows:
        if row["backend"] in ("native", "native-warm"):
            # every native answer is certified to the native default tol = 1e-10 (up to the
            # rounding of the gap's evaluation), and the best F of any backend is ≥ F*, so
            # F − F_best ≤ F − F* ≤ gap
            slack = float_rounding(row["primal_value"], 2 * row["N"]) / max(
                1.0, abs(row["primal_value"]))
            assert row["relative_gap"] <= 1e-10 + slack
            assert row["objective_diff"] <= row["relative_gap"] + slack
            assert row["ratio_to_liblinear"] > 0
    solved = {(r["backend"], r["form"]) for r in rows if "seconds" in r}
    assert {("native", "primal"), ("native", "dual"), ("liblinear", "dual")} <= solved


def test_budget_skips_cells_and_says_so(tmp_path):
    bench = _load()
    rows = bench.main(["--quick", "--repeats", "1", "--budget", "1e-9", "--no-liblinear",
                       "--dims", "2", "--out", str(tmp_path)])
    skipped = [r for r in rows if "skipped" in r]
    # the first cell has no history to extrapolate from; every CVXPY row of the second is skipped
    assert skipped and all(r["N"] == 120 and "budget" in r["skipped"] for r in skipped)
    assert all(r["backend"].startswith("native") for r in rows if r["N"] == 120
               and "seconds" in r)
