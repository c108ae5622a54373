"""generator.study.summary: a study's rows of Stacked MNIST summarized by modes covered, mode KL
and confidence, and the stability sweep's table of them."""

import math

import pytest

from conftest import run_script
from generator.data.targets import make_target
from generator.evaluation import suite

M = 1000  # the modes of Stacked MNIST


def _stacked_rows():
    runs = [(1000, 0.1, 0.3), (990, 0.3, 0.1)]  # modes covered, mode KL, confident, per seed
    return [{"method": "neural-dual", "target": "stacked-mnist", "lr": "0.001", "seed": str(seed),
             "steps": "10", "status": "ok", "modes_covered": str(c), "num_modes": "1000",
             "mode_kl": str(k), "confident_fraction": str(f), "cpu_seconds": "2.0",
             "wall_seconds": "1.0"} for seed, (c, k, f) in enumerate(runs)]


def test_a_study_summarizes_stacked_runs_by_modes_kl_and_confidence(fake_mnist, tmp_path):
    from generator.study import run as study_run
    from generator.study import summarize

    (entry,) = summarize(_stacked_rows())
    assert entry["kind"] == "stacked" and entry["total"] == M and entry["complete_runs"] == 1
    assert entry["mode_kl"] == pytest.approx(0.2, rel=1e-12) and entry["mode_kl_worst"] == 0.3
    assert entry["modes_covered_worst"] == 990 and entry["confident_fraction_worst"] == 0.1
    failed = suite("stacked-mnist").failed(make_target("stacked-mnist", fake_mnist))
    assert failed["modes_covered"] == 0 and failed["num_modes"] == M
    assert math.isnan(failed["mode_kl"]) and failed["confident_fraction"] == 0.0
    assert set(failed) <= set(study_run.RESULT_FIELDS)
    assert len(set(study_run.RESULT_FIELDS)) == len(study_run.RESULT_FIELDS)

    # the sweep's table and figure: its script on a finished study of stacked-mnist (no run left)
    from generator.study import StudyTable, markdown_table, stability_grid

    text = markdown_table([entry])
    assert "mode KL (nats)" in text and "| all modes |" in text
    grid = ["--methods", "neural-dual", "--lrs", "0.001", "--num-seeds", "2", "--steps", "10"]
    configs = stability_grid("stacked-mnist", ["neural-dual"], [1e-3], 0, 2, 10,
                             data_dir=str(fake_mnist))
    StudyTable(tmp_path / "sweep_stacked-mnist.csv").append(
        [{**row, **config.to_dict()} for row, config in zip(_stacked_rows(), configs)])
    done = run_script("stability_sweep", ["--target", "stacked-mnist", "--data-dir", fake_mnist,
                                          "--out", tmp_path, "--no-progress"] + grid)
    assert done.returncode == 0, done.stderr
    assert "0 run(s) done, 2 already in" in done.stdout
    assert "mode KL (nats)" in done.stdout and "| all modes |" in done.stdout
    assert (tmp_path / "sweep_stacked-mnist.png").stat().st_size > 0
