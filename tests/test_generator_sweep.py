"""The stability sweep: CSV rows, resume without reruns, the figure, and the summary statistics."""

import csv
import math

import numpy as np
import pytest
import torch

from generator import experiment
from generator.experiment import RunConfig

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
        (m, lr) for m in sweep.SWEEP_METHODS for lr in (1e-3, 1e-2)}
    for r in rows:
        assert r["status"] == "ok" and r["steps"] == "25" and r["target"] == "ring"
        assert 0 <= int(r["modes_covered"]) <= 8 and r["num_modes"] == "8"
        assert 0.0 <= float(r["high_quality_fraction"]) <= 1.0
        assert float(r["wall_seconds"]) > 0
    assert (tmp_path / "sweep_ring.png").stat().st_size > 0
    assert (tmp_path / "sweep_ring.json").exists()

    # a second invocation must not run anything: make any run fail loudly
    def no_run(config):
        raise AssertionError(f"rerun of {config}")

    monkeypatch.setattr(experiment, "run_one", no_run)
    result = sweep.main(["--quick", "--out", str(tmp_path), "--no-progress", "--jobs", "1"])
    assert result["runs_this_invocation"] == 0 and result["runs_skipped"] == 6
    assert _rows(csv_path) == rows


def test_partial_sweep_resumes_only_the_missing_runs(tmp_path, monkeypatch):
    sweep = _load_example()
    csv_path = tmp_path / "sweep_ring.csv"
    args = ["--quick", "--out", str(tmp_path), "--no-progress", "--jobs", "1"]
    calls = []

    def fake_run(config):  # records the call, returns a plausible row without training
        calls.append(sweep.config_key(config))
        return {**config.to_dict(), "status": "ok", "modes_covered": 8, "num_modes": 8,
                "high_quality_fraction": 0.5, "reverse_kl": 0.01, "wall_seconds": 1.0,
                "train_seconds": 1.0, "error": ""}

    monkeypatch.setattr(sweep, "worker_init", lambda warm_up=True: None)
    monkeypatch.setattr(experiment, "run_one", fake_run)
    sweep.main(args)
    assert len(calls) == 6
    # drop two finished rows and tear the last line, as a crash mid-write would
    lines = csv_path.read_text().splitlines(keepends=True)
    csv_path.write_text("".join(lines[:-3]) + lines[-3][:10])
    calls.clear()
    sweep.main(args)
    assert len(calls) == 3  # the two dropped runs and the torn one
    rows = sweep.read_rows(csv_path)
    keys = [sweep.run_key(*(r[k] for k in sweep.KEY_FIELDS)) for r in rows]
    assert len(keys) == len(set(keys)) == 6


def test_summary_mean_and_standard_error():
    sweep = _load_example()
    rows = []
    modes = [8, 6, 7]
    for seed, m in enumerate(modes):
        rows.append({"method": "dual", "lr": "0.001", "seed": str(seed), "target": "ring",
                     "steps": "10", "status": "ok", "modes_covered": str(m), "num_modes": "8",
                     "high_quality_fraction": "0.5", "reverse_kl": "0.1",
                     "wall_seconds": "2.0"})
    rows.append({**rows[0], "seed": "3", "status": "nonfinite", "modes_covered": "0",
                 "high_quality_fraction": "0.0", "reverse_kl": "nan"})
    (s,) = sweep.summarize(rows)
    vals = np.array(modes + [0], dtype=float)
    assert s["runs"] == 4 and s["nonfinite_runs"] == 1 and s["all_modes_runs"] == 1
    assert s["modes_covered"] == pytest.approx(vals.mean())
    assert s["modes_covered_se"] == pytest.approx(vals.std(ddof=1) / math.sqrt(4))
    assert s["reverse_kl"] == pytest.approx(0.1) and s["reverse_kl_n"] == 3


class _Exploding(torch.nn.Module):
    """Wraps a generator network so that its output is NaN from the given call on."""

    def __init__(self, inner, nan_from_call):
        super().__init__()
        self.inner, self.latent_dim, self.nan_from_call, self.calls = inner, 2, nan_from_call, 0

    def forward(self, z):
        self.calls += 1
        out = self.inner(z)
        return out * float("nan") if self.calls >= self.nan_from_call else out


def test_run_one_records_a_diverging_run_as_nonfinite(monkeypatch):
    real_build = experiment.build

    def exploding_build(config):
        target, method = real_build(config)
        method.g_net = _Exploding(method.g_net, nan_from_call=4)
        return target, method

    monkeypatch.setattr(experiment, "build", exploding_build)
    config = RunConfig.from_preset("mlp-ns", "ring", steps=10, batch_size=16, hidden=(8,),
                                   d_hidden=(8,))
    row = experiment.run_one(config)
    assert row["status"] == "nonfinite" and "non-finite" in row["error"]
    assert row["modes_covered"] == 0 and row["high_quality_fraction"] == 0.0
    assert math.isnan(row["reverse_kl"]) and row["num_modes"] == 8
    assert set(experiment.RESULT_FIELDS) <= set(row)


def test_run_one_records_an_error_with_its_message(monkeypatch):
    def broken_build(config):
        raise RuntimeError("no such solver here")

    monkeypatch.setattr(experiment, "build", broken_build)
    row = experiment.run_one(RunConfig.from_preset("dual", "ring", steps=2))
    assert row["status"] == "error" and row["error"] == "RuntimeError: no such solver here"
    assert row["wall_seconds"] >= 0 and row["method"] == "dual"


def test_run_one_trains_the_neural_dual_on_a_2d_target():
    config = RunConfig.from_preset("neural-dual", "ring", steps=3, batch_size=16, hidden=(8,),
                                   d_hidden=(8,))
    row = experiment.run_one(config)
    assert row["status"] == "ok", row["error"]
    assert row["num_modes"] == 8 and 0 <= row["modes_covered"] <= 8
    assert row["classes_covered"] is None and row["cpu_seconds"] > 0
    assert set(experiment.RESULT_FIELDS) <= set(row)


@pytest.mark.parametrize("method", ["neural-dual", "mlp-ns"])
def test_run_one_on_an_image_target_returns_the_image_metrics(method, digits_classifier):
    config = RunConfig.from_preset(method, "digits", steps=3, batch_size=16, hidden=(16,),
                                   d_hidden=(16,), latent_dim=4)
    row = experiment.run_one(config, cache_dir=digits_classifier["cache"])
    assert row["status"] == "ok", row["error"]
    assert row["num_classes"] == 10 and 0 <= row["classes_covered"] <= 10
    assert row["reference_frechet_classifier_distance"] == pytest.approx(
        digits_classifier["judge"].reference_distance)
    assert row["frechet_classifier_distance"] > 0 and row["modes_covered"] is None


def test_feature_methods_need_a_feature_preset():
    with pytest.raises(ValueError, match=r"method 'dual' needs a feature map, and target "
                                         r"'digits' has no preset for \['features', "
                                         r"'num_features', 'lengthscale', 'c'\]"):
        RunConfig.from_preset("dual", "digits")
