"""examples/train_dual_gan.py end to end on a tiny budget: outputs, figures, settings on resume."""

import json

import pytest

from common import cli

from conftest import load_example

TINY = ["--steps", "12", "--batch-size", "32", "--num-features", "16", "--hidden", "16", "16",
        "--snapshots", "3", "--no-progress"]


@pytest.fixture(scope="module")
def example():
    return load_example("train_dual_gan")


def test_writes_metrics_and_figures(example, tmp_path):
    assert example.main(TINY + ["--out", str(tmp_path)]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl", "steps",
                "seconds", "final_gap", "final_dual_value", "solve_seconds", "config"):
        assert key in metrics, key
    assert metrics["num_modes"] == 8 and metrics["steps"] == 12
    # the native solver stops at a certified relative gap of 1e-10 (its default tol)
    assert abs(metrics["final_gap"]) <= 1e-10 * max(1.0, abs(metrics["final_dual_value"]))
    # the preset filled what the command line left unset
    assert metrics["config"]["c"] == 30.0 and metrics["config"]["lengthscale"] == [0.1, 0.3, 1.0]
    assert json.loads((tmp_path / "config.json").read_text()) == metrics["config"]
    for name in ("samples.png", "curves.png", "weights.png", "checkpoint.pt"):
        assert (tmp_path / name).stat().st_size > 0


def test_resume_with_changed_settings_is_refused_with_exit_code_2(example, tmp_path, capsys):
    assert example.main(TINY + ["--out", str(tmp_path)]) == 0
    code = cli.run(example.main, TINY + ["--out", str(tmp_path), "--c", "3", "--resume"])
    assert code == 2
    assert "run.c: checkpoint 30.0 vs now 3.0" in capsys.readouterr().err
