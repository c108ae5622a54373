"""Targets: distinct modes where they should be, the right spread, seeded sampling."""

import itertools
import math

import numpy as np
import pytest
import torch

from generator.targets import make_target


def test_ring_has_eight_distinct_evenly_spaced_modes():
    t = make_target("ring")
    modes = t.modes.numpy()
    assert modes.shape == (8, 2)
    np.testing.assert_allclose(np.hypot(modes[:, 0], modes[:, 1]), 2.0, rtol=1e-12)
    angles = np.sort(np.mod(np.arctan2(modes[:, 1], modes[:, 0]), 2 * np.pi))
    # eight distinct angles, consecutive ones (cyclically) 2π/8 apart: no repeated mode
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    np.testing.assert_allclose(gaps, 2 * np.pi / 8, atol=1e-12)
    assert t.std == pytest.approx(0.02)


def test_grid_modes_are_the_product_set():
    t = make_target("grid")
    expected = set(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
    got = {tuple(float(v) for v in row) for row in t.modes}
    assert got == expected and t.num_modes == 25
    assert t.std == pytest.approx(0.05)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mixture_samples_have_the_stated_spread_and_weights(name):
    t = make_target(name)
    x = t.sample(40_000, torch.Generator().manual_seed(0)).numpy()
    modes = t.modes.numpy()
    nearest = np.argmin(((x[:, None, :] - modes[None]) ** 2).sum(-1), axis=1)
    resid = x - modes[nearest]
    assert resid.std(axis=0) == pytest.approx([t.std, t.std], rel=0.03)
    counts = np.bincount(nearest, minlength=t.num_modes) / len(x)
    # equal weights: multinomial standard error √(p(1−p)/n)
    p = 1 / t.num_modes
    assert np.max(np.abs(counts - p)) < 5 * math.sqrt(p * (1 - p) / len(x))


def test_gaussian_target_is_anisotropic_and_matches_its_moments():
    t = make_target("gaussian")
    cov = t.covariance.numpy()
    assert cov[0, 1] != 0
    x = t.sample(100_000, torch.Generator().manual_seed(1)).numpy()
    np.testing.assert_allclose(x.mean(0), t.mean.numpy(), atol=0.015)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.02)
    assert t.std == pytest.approx(math.sqrt(np.linalg.eigvalsh(cov).max()))


def test_sampling_is_seeded():
    t = make_target("ring")
    a = t.sample(10, torch.Generator().manual_seed(4))
    b = t.sample(10, torch.Generator().manual_seed(4))
    c = t.sample(10, torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_unknown_target_names_the_choices():
    with pytest.raises(ValueError, match=r"target must be one of \['ring', 'grid', 'gaussian', "
                                         r"'digits', 'mnist', 'stacked-mnist'\]"):
        make_target("spiral")
