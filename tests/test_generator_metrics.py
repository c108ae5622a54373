"""Mode-collapse metrics on hand-made point sets, against closed forms."""

import math

import numpy as np
import pytest
import torch

from generator.data.targets import make_target
from generator.evaluation.points import mode_metrics, moment_errors, sample_covariance, sample_mean


def test_all_points_on_one_mode():
    t = make_target("ring")
    points = t.modes[3].repeat(2500, 1)
    m = mode_metrics(points, t)
    assert m["modes_covered"] == 1
    assert m["high_quality_fraction"] == 1.0
    assert m["reverse_kl"] == pytest.approx(math.log(8))


def test_two_modes_equally():
    t = make_target("grid")
    points = torch.cat([t.modes[0].repeat(100, 1), t.modes[7].repeat(100, 1)])
    m = mode_metrics(points, t)
    assert m["modes_covered"] == 2
    assert m["reverse_kl"] == pytest.approx(math.log(25 / 2))  # Σ ½ log(25·½)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_exact_mixture_samples(name):
    t = make_target(name)
    rng = np.random.default_rng(0)
    n = 50_000
    modes = t.modes.numpy()
    points = modes[rng.integers(len(modes), size=n)] + t.std * rng.normal(size=(n, 2))
    m = mode_metrics(points, t)
    assert m["modes_covered"] == t.num_modes
    # a 2-D isotropic Gaussian lies within 3σ with probability P(χ²₂ ≤ 9) = 1 − e^{−9/2}
    p = 1 - math.exp(-4.5)
    assert m["high_quality_fraction"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    assert 0 <= m["reverse_kl"] < 0.005


def test_far_points_are_not_high_quality():
    t = make_target("ring")
    points = torch.full((50, 2), 10.0, dtype=torch.float64)
    m = mode_metrics(points, t)
    assert m["modes_covered"] == 0 and m["high_quality_fraction"] == 0.0
    assert math.isnan(m["reverse_kl"])


def test_high_quality_radius_is_three_std():
    t = make_target("ring")
    mode = t.modes[0].numpy()
    inside = mode + np.array([[0.0, 2.99 * t.std]])
    outside = mode + np.array([[0.0, 3.01 * t.std]])
    assert mode_metrics(inside, t)["high_quality_fraction"] == 1.0
    assert mode_metrics(outside, t)["high_quality_fraction"] == 0.0


def test_moment_helpers_agree_with_numpy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(500, 2)) @ np.array([[1.0, 0.3], [0.0, 0.7]])
    np.testing.assert_allclose(sample_mean(x).numpy(), x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(sample_covariance(x).numpy(), np.cov(x.T), rtol=1e-12)
    t = make_target("gaussian")
    exact = t.sample(200_000, torch.Generator().manual_seed(0))
    err = moment_errors(exact, t)
    assert err["mean_error"] < 0.01 and err["cov_error"] < 0.01
