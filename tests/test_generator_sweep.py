"""The stability sweep: CSV rows, resume without reruns, the figure, and the summary statistics."""

import csv
import math

import numpy as np
import pytest

from generator import stability

from conftest import load_example


def _load_example():
    return load_example("stability_sweep")


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_quick_sweep_writes_csv_resumes_and_plots(tmp_path, monkeypatch):
    sweep = _load_example()
    sweep.main(["--quick", "--out", str(tmp_path), "--no-progress", "--jobs", "1"])
    csv_path = tmp_path / "sweep_ring.csv"
    rows = _rows(csv_path)
    # 2 lrs x 1 seed x 3 methods, one row each, every field present
    assert len(rows) == 6
    assert {(r["method"], float(r["lr"])) for r in rows} == {
        (m, lr) for m in stability.SWEEP_METHODS for lr in (1e-3, 1e-2)}
    for r in rows:
        assert r["status"] == "ok" and r["steps"] == "25" and r["target"] == "ring"
        assert 0 <= int(r["modes_covered"]) <= 8 and r["num_modes"] == "8"
        assert 0.0 <= float(r["high_quality_fraction"]) <= 1.0
        assert float(r["wall_seconds"]) > 0
    assert (tmp_path / "sweep_ring.png").stat().st_size > 0
    assert (tmp_path / "sweep_ring.json").exists()

    # a second invocation must not run anything: make any run fail loudly
    def no_run(spec):
        raise AssertionError(f"rerun of {spec.key}")

    monkeypatch.setattr(stability, "run_one", no_run)
    result = sweep.main(["--quick", "--out", str(tmp_path), "--no-progress", "--jobs", "1"])
    assert result["runs_this_invocation"] == 0 and result["runs_skipped"] == 6
    assert _rows(csv_path) == rows


def test_partial_sweep_resumes_only_the_missing_runs(tmp_path, monkeypatch):
    sweep = _load_example()
    csv_path = tmp_path / "sweep_ring.csv"
    args = ["--quick", "--out", str(tmp_path), "--no-progress", "--jobs", "1"]
    calls = []

    def fake_run(spec):  # records the call, returns a plausible row without training
        calls.append(spec.key)
        return {"method": spec.method, "lr": repr(spec.lr), "seed": spec.seed,
                "target": spec.target, "steps": spec.steps, "status": "ok",
                "modes_covered": 8, "num_modes": 8, "high_quality_fraction": 0.5,
                "reverse_kl": 0.01, "wall_seconds": 1.0, "train_seconds": 1.0, "error": ""}

    monkeypatch.setattr(stability, "worker_init", lambda warm_up=True: None)
    monkeypatch.setattr(stability, "run_one", fake_run)
    sweep.main(args)
    assert len(calls) == 6
    # drop two finished rows and tear the last line, as a crash mid-write would
    lines = csv_path.read_text().splitlines(keepends=True)
    csv_path.write_text("".join(lines[:-3]) + lines[-3][:10])
    calls.clear()
    sweep.main(args)
    assert len(calls) == 3  # the two dropped runs and the torn one
    rows = stability.read_rows(csv_path)
    keys = [stability.run_key(*(r[k] for k in stability.KEY_FIELDS)) for r in rows]
    assert len(keys) == len(set(keys)) == 6


def test_summary_mean_and_standard_error():
    rows = []
    modes = [8, 6, 7]
    for seed, m in enumerate(modes):
        rows.append({"method": "dual", "lr": "0.001", "seed": str(seed), "target": "ring",
                     "steps": "10", "status": "ok", "modes_covered": str(m), "num_modes": "8",
                     "high_quality_fraction": "0.5", "reverse_kl": "0.1",
                     "wall_seconds": "2.0"})
    rows.append({**rows[0], "seed": "3", "status": "nonfinite", "modes_covered": "0",
                 "high_quality_fraction": "0.0", "reverse_kl": "nan"})
    (s,) = stability.summarize(rows)
    vals = np.array(modes + [0], dtype=float)
    assert s["runs"] == 4 and s["nonfinite_runs"] == 1 and s["all_modes_runs"] == 1
    assert s["modes_covered"] == pytest.approx(vals.mean())
    assert s["modes_covered_se"] == pytest.approx(vals.std(ddof=1) / math.sqrt(4))
    assert s["reverse_kl"] == pytest.approx(0.1) and s["reverse_kl_n"] == 3


def test_run_one_reports_a_diverging_run_instead_of_raising():
    # a huge learning rate on the MLP baseline: whatever happens, a row comes back
    row = stability.run_one(stability.RunSpec("mlp-ns", 1e6, 0, steps=5, batch_size=16,
                                              hidden=(8,)))
    assert row["status"] in {"ok", "nonfinite"}
    assert set(stability.FIELDS) <= set(row)
