"""The stability sweep: CSV rows, resume without reruns, the figure, and the summary statistics."""

import csv
import dataclasses
import functools
import json
import math
import os
import sys
import time

import numpy as np
import pytest
import torch

from conftest import run_script
from dualgan.files import ResultsFileError
from generator.evaluation import SUITES
from generator.runs.config import RunConfig
from generator.study import (
    STUDY_METHODS,
    StudyTable,
    config_key,
    row_key,
    stability_grid,
    summarize,
)
from generator.study import engine as sweep_runner
from generator.study import run as study_run

M = 1000  # the modes of Stacked MNIST
QUICK = ["--quick", "--no-progress"]


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_quick_sweep_writes_csv_resumes_and_plots(tmp_path):
    done = run_script("stability_sweep", QUICK + ["--out", tmp_path])
    assert done.returncode == 0, done.stderr
    csv_path = tmp_path / "sweep_ring.csv"
    rows = _rows(csv_path)
    # 2 lrs x 1 seed x 4 methods, one row each, every field present
    assert len(rows) == 8
    assert {(r["method"], float(r["lr"])) for r in rows} == {
        (m, lr) for m in STUDY_METHODS for lr in (1e-3, 1e-2)}
    for r in rows:
        assert r["status"] == "ok" and r["steps"] == "25" and r["target"] == "ring"
        assert 0 <= int(r["modes_covered"]) <= 8 and r["num_modes"] == "8"
        assert 0.0 <= float(r["high_quality_fraction"]) <= 1.0
        assert float(r["wall_seconds"]) > 0
    assert (tmp_path / "sweep_ring.png").stat().st_size > 0
    assert (tmp_path / "sweep_ring.json").exists()

    # a second invocation must not run anything
    done = run_script("stability_sweep", QUICK + ["--out", tmp_path])
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "sweep_ring.json").read_text())
    assert result["runs_this_invocation"] == 0 and result["runs_skipped"] == 8
    assert _rows(csv_path) == rows


@pytest.mark.slow
def test_partial_sweep_resumes_only_the_missing_runs(tmp_path, monkeypatch):
    csv_path = tmp_path / "sweep_ring.csv"
    configs = stability_grid("ring", STUDY_METHODS, (1e-3, 1e-2), 0, 1, 25, batch_size=64)
    calls = []

    def fake_run(config):  # records the call, returns a plausible row without training
        calls.append(config_key(config))
        return {**config.to_dict(), "status": "ok", "modes_covered": 8, "num_modes": 8,
                "high_quality_fraction": 0.5, "reverse_kl": 0.01, "wall_seconds": 1.0,
                "train_seconds": 1.0, "error": ""}

    monkeypatch.setattr(sweep_runner, "worker_init", lambda warm_up=True: None)
    sweep_runner.run_in_process(configs, csv_path, progress=False, run=fake_run)
    assert len(calls) == 8
    # drop two finished rows and tear the last line, as a truncated copy would
    lines = csv_path.read_text().splitlines(keepends=True)
    csv_path.write_text("".join(lines[:-3]) + lines[-3][:10])
    calls.clear()
    sweep_runner.run_in_process(configs, csv_path, progress=False, run=fake_run)
    assert len(calls) == 3  # the two dropped runs and the torn one
    rows = StudyTable(csv_path).rows()
    keys = [row_key(r) for r in rows]
    assert len(keys) == len(set(keys)) == 8


def _plausible_row(config):
    return {**config.to_dict(), "status": "ok", "modes_covered": 8, "num_modes": 8,
            "high_quality_fraction": 0.5, "reverse_kl": 0.01, "wall_seconds": 1.0,
            "train_seconds": 1.0, "error": ""}


def test_a_grid_over_any_setting_resumes_run_by_run(tmp_path, monkeypatch):
    """Runs that differ only in a setting outside method, lr, seed, target and steps are
    different runs: each is run once, and a rerun skips both."""
    monkeypatch.setattr(sweep_runner, "worker_init", lambda warm_up=True: None)
    base = RunConfig.from_preset("neural-dual", "ring", steps=2, batch_size=8)
    configs = [base.replace(kappa=kappa) for kappa in (1.0, 3.0)] + [
        base.replace(d_hidden=(8,)), base.replace(lr_final=None)]
    csv_path = tmp_path / "sweep.csv"
    calls = []
    run = lambda config: calls.append(config) or _plausible_row(config)  # noqa: E731
    assert sweep_runner.run_in_process(configs, csv_path, progress=False, run=run) == (4, 0)
    assert sweep_runner.run_in_process(configs, csv_path, progress=False, run=run) == (0, 4)
    assert calls == configs
    assert StudyTable(csv_path).finished() == {config_key(c) for c in configs}
    summary = summarize(StudyTable(csv_path).rows())
    assert len(summary) == 4 and {s["kappa"] for s in summary} == {1.0, 3.0}


def test_run_study_runs_in_process_unless_a_cluster_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_runner, "worker_init", lambda warm_up=True: None)
    configs = [RunConfig.from_preset("neural-dual", "ring", steps=2, seed=s) for s in (0, 1)]
    run = lambda config: _plausible_row(config)  # noqa: E731
    assert sweep_runner.run_study(configs, tmp_path / "a.csv", progress=False, run=run) == (
        2, 0, "in process")
    with pytest.raises(ValueError, match="give one of them"):
        sweep_runner.run_study(configs, tmp_path / "b.csv", scheduler="tcp://x:1", jobs=2)
    assert not (tmp_path / "b.csv").exists()


def test_a_csv_of_the_older_format_is_refused_in_one_line(tmp_path):
    path = tmp_path / "sweep_ring.csv"
    path.write_text("method,lr,seed,target,steps,status,wall_seconds\n"
                    "dual,0.001,0,ring,25,ok,1.0\n")
    with pytest.raises(ResultsFileError, match="older format") as refused:
        StudyTable(path).check()
    message = str(refused.value)
    assert str(path) in message and "\n" not in message and "start afresh" in message
    assert "'batch_size'" in message and "'kappa'" in message and "'lr'" not in message


def test_a_csv_lacking_a_newer_setting_is_refused_naming_it(tmp_path):
    from generator.study.store import FIELDS
    path = tmp_path / "sweep_ring.csv"
    path.write_text(",".join(f for f in FIELDS if f != "kappa_min") + "\n")
    with pytest.raises(ResultsFileError, match=r"written before the settings \['kappa_min'\]"):
        StudyTable(path).check()


def test_a_table_written_before_a_result_column_resumes_and_reads_it_empty(tmp_path):
    """A study table from before ``trained_steps`` and ``channel_dependence`` were recorded: its
    runs stay finished, its rows read those columns empty, and the next row writes them."""
    from generator.study.store import FIELDS
    old = [f for f in FIELDS if f not in study_run.ADDED_RESULTS]
    config = RunConfig.from_preset("neural-dual", "ring", steps=2, batch_size=8)
    path = tmp_path / "sweep_ring.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=old, extrasaction="ignore")
        writer.writeheader()
        writer.writerow({**_plausible_row(config), "trained_steps": 2})
    table = StudyTable(path)
    assert table.finished() == {config_key(config)}
    assert [(r["trained_steps"], r["channel_dependence"]) for r in table.rows()] == [("", "")]
    other = config.replace(seed=1)
    table.append({**_plausible_row(other), "trained_steps": 2})
    assert [r["trained_steps"] for r in _rows(path)] == ["", "2"]


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
    (s,) = summarize(rows)
    vals = np.array(modes + [0], dtype=float)
    assert s["runs"] == 4 and s["nonfinite_runs"] == 1 and s["complete_runs"] == 1
    assert s["kind"] == "points" and s["total"] == 8 and s["modes_covered_worst"] == 0
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
    real_build = study_run.build

    def exploding_build(config):
        target, method = real_build(config)
        method.g_net = _Exploding(method.g_net, nan_from_call=4)
        return target, method

    monkeypatch.setattr(study_run, "build", exploding_build)
    config = RunConfig.from_preset("mlp-ns", "ring", steps=10, batch_size=16, hidden=(8,),
                                   d_hidden=(8,))
    row = study_run.run_one(config)
    assert row["status"] == "nonfinite" and "non-finite" in row["error"]
    assert row["modes_covered"] == 0 and row["high_quality_fraction"] == 0.0
    assert math.isnan(row["reverse_kl"]) and row["num_modes"] == 8
    assert set(study_run.RESULT_FIELDS) <= set(row)


def test_run_one_records_an_error_with_its_message(monkeypatch):
    def broken_build(config):
        raise RuntimeError("no such solver here")

    monkeypatch.setattr(study_run, "build", broken_build)
    row = study_run.run_one(RunConfig.from_preset("dual", "ring", steps=2))
    assert row["status"] == "error" and row["error"] == "RuntimeError: no such solver here"
    assert row["wall_seconds"] >= 0 and row["method"] == "dual"


def test_run_one_trains_the_neural_dual_on_a_2d_target():
    config = RunConfig.from_preset("neural-dual", "ring", steps=3, batch_size=16, hidden=(8,),
                                   d_hidden=(8,))
    row = study_run.run_one(config)
    assert row["status"] == "ok", row["error"]
    assert row["num_modes"] == 8 and 0 <= row["modes_covered"] <= 8
    assert row["classes_covered"] is None and row["cpu_seconds"] > 0
    assert set(study_run.RESULT_FIELDS) <= set(row) and row["trained_steps"] == 3


@pytest.mark.parametrize("method", ["neural-dual", "mlp-ns"])
def test_run_one_on_an_image_target_returns_the_image_metrics(method, digits_classifier):
    config = RunConfig.from_preset(method, "digits", steps=3, batch_size=16, hidden=(16,),
                                   d_hidden=(16,), latent_dim=4)
    row = study_run.run_one(config, cache_dir=digits_classifier["cache"])
    assert row["status"] == "ok", row["error"]
    assert row["num_classes"] == 10 and 0 <= row["classes_covered"] <= 10
    assert row["reference_frechet_classifier_distance"] == pytest.approx(
        digits_classifier["judge"].reference_distance)
    assert row["frechet_classifier_distance"] > 0 and row["modes_covered"] is None


def test_a_study_run_on_stacked_mnist_records_its_metrics(fake_mnist, tmp_path, monkeypatch):
    from generator.study import run as study_run

    monkeypatch.setitem(SUITES, "stacked", dataclasses.replace(SUITES["stacked"], eval_size=200))
    # (not 78,000 channels to judge)
    config = RunConfig.from_preset("mlp-ns", "stacked-mnist", steps=2, batch_size=8,
                                   hidden=(16,), d_hidden=(16,), data_dir=str(fake_mnist))
    row = study_run.run_one(config, cache_dir=tmp_path)
    assert row["status"] == "ok", row["error"]
    assert row["num_modes"] == M and 1 <= row["modes_covered"] <= 200
    assert 0.0 <= row["mode_kl"] <= math.log(M) and 0.0 <= row["confident_fraction"] <= 1.0
    assert 0.0 <= row["channel_dependence"] <= row["mode_kl"] + 1e-12  # a part of the KL
    assert row["classes_covered"] is None and row["reverse_kl"] is None  # other kinds' fields


def test_feature_methods_need_a_feature_preset():
    with pytest.raises(ValueError, match=r"method 'dual' needs a feature map, and target "
                                         r"'digits' has no preset for \['features', "
                                         r"'num_features', 'lengthscale', 'c'\]") as err:
        RunConfig.from_preset("dual", "digits")
    # the alternatives it offers are every registered method that needs no features
    from generator.methods import METHODS as SPECS
    offered = str(err.value).split("without features: ")[1]
    assert offered.split(", ") == [repr(n) for n, s in SPECS.items() if not s.needs_features]


# --------------------------------------------------------------------------- on a Dask cluster


def _rows_without_timings(path):
    rows = [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in _rows(path)]
    return sorted(rows, key=lambda r: (r["method"], float(r["lr"]), r["seed"]))


@pytest.mark.slow
def test_a_local_cluster_writes_the_rows_of_the_in_process_path(tmp_path):
    pytest.importorskip("distributed")
    for out, engine in (("here", []), ("dask", ["--jobs", "2"])):
        done = run_script("stability_sweep", QUICK + ["--out", tmp_path / out] + engine)
        assert done.returncode == 0, done.stderr
    here = _rows_without_timings(tmp_path / "here" / "sweep_ring.csv")
    assert len(here) == 8 and all(r["status"] == "ok" for r in here)
    assert _rows_without_timings(tmp_path / "dask" / "sweep_ring.csv") == here


def _dies_once(config, marker_dir):
    """Kills the worker process the first time it runs the dual method at lr 1e-2."""
    marker = os.path.join(marker_dir, "died")
    if config.method == "dual" and config.training.lr == 1e-2 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return study_run.run_one(config)


def _configs(steps=3):
    return [RunConfig.from_preset(m, "ring", lr=lr, steps=steps, batch_size=16,
                                  num_features=8, hidden=(8,), d_hidden=(8,))
            for lr in (1e-3, 1e-2) for m in ("dual", "mlp-ns")]


@pytest.mark.slow
def test_a_run_whose_worker_dies_is_recorded_and_retried_and_the_sweep_finishes(tmp_path):
    pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/
    csv_path = tmp_path / "sweep.csv"
    run = functools.partial(_dies_once, marker_dir=str(tmp_path))
    with sweep_runner.dask_client(jobs=2) as client:
        ran, skipped = sweep_runner.run_on_cluster(_configs(), csv_path, client, progress=False,
                                                   run=run, warm_up=False)
    assert (ran, skipped) == (4, 0)
    rows = _rows(csv_path)
    failed = [r for r in rows if r["status"] == "error"]
    assert failed and all("KilledWorker" in r["error"] for r in failed)
    assert {(r["method"], float(r["lr"])) for r in failed} >= {("dual", 1e-2)}
    # every run ends with a good row, written after its failed one
    assert StudyTable(csv_path).finished() == {config_key(c) for c in _configs()}


def _records_calls(config, marker_dir):
    open(os.path.join(marker_dir, f"{config.method}-{config.training.lr}"), "w").close()
    return study_run.run_one(config)


@pytest.mark.slow
def test_an_interrupted_cluster_sweep_resumes_without_redoing_finished_runs(tmp_path):
    pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    csv_path = tmp_path / "sweep.csv"
    configs = _configs()
    sweep_runner.run_in_process(configs[:3], csv_path, progress=False)  # three finished runs
    calls = tmp_path / "calls"
    calls.mkdir()
    with sweep_runner.dask_client(jobs=2) as client:
        ran, skipped = sweep_runner.run_on_cluster(
            configs, csv_path, client, progress=False, warm_up=False,
            run=functools.partial(_records_calls, marker_dir=str(calls)))
    assert (ran, skipped) == (1, 3)
    assert os.listdir(calls) == [f"{configs[3].method}-{configs[3].training.lr}"]
    assert len(_rows(csv_path)) == 4


@pytest.mark.slow
def test_a_scheduler_that_does_not_answer_is_a_clear_error_within_seconds(tmp_path):
    pytest.importorskip("distributed")
    start = time.perf_counter()
    done = run_script("stability_sweep", QUICK + ["--out", tmp_path, "--scheduler",
                                                  "tcp://127.0.0.1:9", "--connect-timeout", "2"])
    assert done.returncode == 2 and time.perf_counter() - start < 15
    assert "no Dask scheduler answered at 'tcp://127.0.0.1:9'" in done.stderr


# --------------------------------------------------------------------------- image targets


def test_sweep_on_digits_writes_image_metric_rows_and_a_figure(tmp_path, digits_classifier):
    # the preset's networks, the judge of the session's cache
    args = ["--target", "digits", "--lrs", "1e-3", "--num-seeds", "1", "--steps", "3",
            "--batch-size", "16", "--out", tmp_path, "--no-progress"]
    done = run_script("stability_sweep", args, DUALGAN_CACHE=digits_classifier["cache"])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for method in ("dual", "linear-gd"):  # no feature preset for images: left out, said why
        assert f"left out of digits: {method} (method '{method}' needs a feature map" in out
    rows = _rows(tmp_path / "sweep_digits.csv")
    assert {(r["method"], float(r["lr"])) for r in rows} == {
        (m, 1e-3) for m in ("neural-dual", "mlp-ns")}
    for r in rows:
        assert r["status"] == "ok", r["error"]
        assert r["num_classes"] == "10" and 0 <= int(r["classes_covered"]) <= 10
        assert 0.0 <= float(r["class_reverse_kl"]) <= math.log(10) + 1e-12
        assert float(r["frechet_classifier_distance"]) > 0 and float(r["cpu_seconds"]) > 0
        assert r["modes_covered"] == ""  # no point metrics on images
    assert (tmp_path / "sweep_digits.png").stat().st_size > 0
    result = json.loads((tmp_path / "sweep_digits.json").read_text())
    assert result["methods"] == ["neural-dual", "mlp-ns"]
    assert sorted(result["left_out"]) == ["dual", "linear-gd"]
    assert {s["kind"] for s in result["summary"]} == {"images"}


def test_summary_of_image_metrics_matches_numpy():
    from generator.study import summarize

    rng = np.random.default_rng(3)
    classes = np.array([10, 9, 10, 7, 10])
    kl, fcd = rng.uniform(0.0, 0.3, 5), rng.uniform(1.0, 40.0, 5)
    cpu = rng.uniform(5.0, 9.0, 6)
    rows = [{"method": "neural-dual", "lr": "0.001", "seed": str(s), "target": "digits",
             "steps": "50", "status": "ok", "classes_covered": str(classes[s]),
             "num_classes": "10", "class_reverse_kl": str(float(kl[s])),
             "confident_fraction": "0.5", "frechet_classifier_distance": str(float(fcd[s])),
             "cpu_seconds": str(float(cpu[s])), "wall_seconds": "9.0"} for s in range(5)]
    # a diverged seed counts as nothing covered, with no KL or distance
    rows.append({**rows[0], "seed": "5", "status": "nonfinite", "classes_covered": "0",
                 "class_reverse_kl": "nan", "confident_fraction": "0.0",
                 "frechet_classifier_distance": "nan", "cpu_seconds": str(float(cpu[5]))})
    # a failed attempt replaced by its retry, and an error that stays out
    rows.insert(0, {**rows[1], "status": "error", "classes_covered": ""})
    rows.append({**rows[0], "seed": "6", "status": "error"})
    (s,) = summarize(rows)
    covered = np.append(classes, 0).astype(float)
    assert s["kind"] == "images" and s["runs"] == 6 and s["nonfinite_runs"] == 1
    assert s["total"] == 10 and s["complete_runs"] == 3
    assert s["classes_covered"] == pytest.approx(covered.mean())
    assert s["classes_covered_se"] == pytest.approx(covered.std(ddof=1) / math.sqrt(6))
    assert s["classes_covered_worst"] == 0
    assert s["class_reverse_kl"] == pytest.approx(kl.mean()) and s["class_reverse_kl_n"] == 5
    assert s["class_reverse_kl_se"] == pytest.approx(kl.std(ddof=1) / math.sqrt(5))
    assert s["frechet_classifier_distance"] == pytest.approx(fcd.mean())
    assert s["frechet_classifier_distance_worst"] == pytest.approx(fcd.max())
    assert s["cpu_seconds"] == pytest.approx(cpu.mean())
    assert s["cpu_seconds_se"] == pytest.approx(cpu.std(ddof=1) / math.sqrt(6))


def test_available_methods_leave_out_the_feature_methods_on_images():
    from generator.study import available_methods

    usable, left_out = available_methods(["dual", "neural-dual", "linear-gd", "mlp-ns"],
                                         "digits")
    assert usable == ["neural-dual", "mlp-ns"] and sorted(left_out) == ["dual", "linear-gd"]
    assert "has no preset for ['features'" in left_out["dual"]
    assert available_methods(["dual", "mlp-ns"], "ring") == (["dual", "mlp-ns"], {})
