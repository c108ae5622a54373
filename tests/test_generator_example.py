"""examples/train_dual_gan.py's run (generator.cli) end to end on a tiny budget: outputs,
figures, settings on resume; on the digits and on a tiny fake Stacked MNIST."""

import dataclasses
import json
import math
import types

import numpy as np
import pytest

from dualgan import cli
from dualgan.checkpoint import load_checkpoint
from generator import cli as gan_cli
from generator.evaluation import SUITES
from generator.evaluation.stacked import expected_uniform_mode_kl

M = 1000  # the modes of Stacked MNIST
TINY = ["--steps", "12", "--batch-size", "32", "--num-features", "16", "--hidden", "16", "16",
        "--snapshots", "3", "--no-progress"]


@pytest.fixture(scope="module")
def example():
    """What examples/train_dual_gan.py's main does, from the library."""
    return types.SimpleNamespace(main=lambda argv: gan_cli.run_dual_gan(gan_cli.parse_dual(argv)))


@pytest.mark.slow
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


@pytest.mark.slow
def test_resume_with_changed_settings_is_refused_with_exit_code_2(example, tmp_path, capsys):
    assert example.main(TINY + ["--out", str(tmp_path)]) == 0
    code = cli.run(example.main, TINY + ["--out", str(tmp_path), "--c", "3", "--resume"])
    assert code == 2
    assert "run.c: checkpoint 30.0 vs now 3.0" in capsys.readouterr().err


IMAGE_TINY = ["--target", "digits", "--steps", "6", "--batch-size", "16", "--hidden", "16",
              "--d-hidden", "16", "--latent-dim", "4", "--snapshots", "2", "--no-progress"]
IMAGE_KEYS = ("classes_covered", "num_classes", "class_reverse_kl", "confident_fraction",
              "frechet_classifier_distance", "reference_frechet_classifier_distance", "steps",
              "seconds", "cpu_seconds")


@pytest.mark.slow
def test_mlp_discriminator_on_digits_writes_image_metrics_and_figures(example, tmp_path,
                                                                      digits_classifier):
    cache = str(digits_classifier["cache"])
    assert example.main(IMAGE_TINY + ["--out", str(tmp_path), "--cache-dir", cache]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in IMAGE_KEYS + ("solve_seconds", "kernel_seconds", "kernel_and_solve_share",
                             "final_gap", "final_kappa"):
        assert key in metrics, key
    assert metrics["num_classes"] == 10 and metrics["steps"] == 6
    assert sum(metrics["class_counts"]) == 10_000
    assert metrics["reference_frechet_classifier_distance"] == pytest.approx(
        digits_classifier["judge"].reference_distance)
    assert abs(metrics["final_gap"]) <= 1e-9 * max(1.0, abs(metrics["final_dual_value"]))
    assert 0 < metrics["kernel_and_solve_share"] < 1
    assert metrics["config"]["method"] == "neural-dual"
    assert metrics["config"]["generator"] == "pixels"  # the digits preset
    for name in ("samples.png", "classes.png", "curves.png", "checkpoint.pt"):
        assert (tmp_path / name).stat().st_size > 0


def test_features_on_an_image_target_is_a_usage_error(example, capsys):
    with pytest.raises(SystemExit) as stop:
        example.main(["--target", "digits", "--discriminator", "features"])
    assert stop.value.code == 2
    assert "--target digits needs --discriminator network" in capsys.readouterr().err


@pytest.mark.slow
def test_baseline_on_digits_with_the_same_networks_and_metrics(tmp_path, digits_classifier):
    baseline = types.SimpleNamespace(
        main=lambda argv: gan_cli.run_baseline_gan(gan_cli.parse_baseline(argv)))
    cache = str(digits_classifier["cache"])
    assert baseline.main(IMAGE_TINY + ["--out", str(tmp_path), "--cache-dir", cache]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in IMAGE_KEYS:
        assert key in metrics, key
    assert metrics["config"]["method"] == "mlp-ns" and metrics["config"]["d_hidden"] == [16]
    assert (tmp_path / "classes.png").stat().st_size > 0


@pytest.mark.slow
def test_a_time_budget_stops_the_run_early_and_snapshots_its_last_step(example, tmp_path,
                                                                        digits_classifier):
    cache = str(digits_classifier["cache"])
    argv = IMAGE_TINY[:]
    argv[argv.index("--steps") + 1] = "100000"
    assert example.main(argv + ["--out", str(tmp_path), "--cache-dir", cache,
                                "--max-seconds", "0.5"]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert 1 <= metrics["steps"] < 100000 and metrics["seconds"] >= 0.5
    assert metrics["seconds"] < 0.5 + 10 * metrics["seconds"] / metrics["steps"]
    snapshots = load_checkpoint(tmp_path / "checkpoint.pt")["snapshots"]
    assert sorted(snapshots) == [0, metrics["steps"]]


def test_train_dual_gan_on_tiny_stacked_mnist(fake_mnist, tmp_path, monkeypatch):
    # a protocol of 26,000 samples classifies 78,000 channels: 200 here
    monkeypatch.setitem(SUITES, "stacked", dataclasses.replace(SUITES["stacked"], eval_size=200))
    from generator import cli as gan_cli  # what examples/train_dual_gan.py runs

    out = tmp_path / "run"
    argv = ["--target", "stacked-mnist", "--data-dir", str(fake_mnist), "--steps", "3",
            "--batch-size", "8", "--hidden", "16", "32", "--d-hidden", "16", "--snapshots", "2",
            "--num-samples", "300", "--cache-dir", str(tmp_path / "cache"), "--no-progress",
            "--out", str(out)]
    assert gan_cli.run_dual_gan(gan_cli.parse_dual(argv)) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["num_modes"] == M and 1 <= metrics["modes_covered"] <= 200
    assert 0.0 <= metrics["mode_kl"] <= math.log(M)
    assert sum(metrics["mode_counts"]) == 200 and len(metrics["channel_class_kl"]) == 3
    assert metrics["mode_kl_floor"] == expected_uniform_mode_kl(200, M)
    with np.load(out / "samples.npz") as archive:
        assert archive["x"].shape == (300, 2352) and archive["x"].dtype == np.float32
    for name in ("samples.png", "modes.png", "curves.png"):
        assert (out / name).stat().st_size > 0
    assert not (out / "classes.png").exists()
