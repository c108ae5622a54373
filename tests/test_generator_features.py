"""Feature maps: the RFF kernel (SPEC 4), fixed buffers, seeding, shapes, gradients."""

import math

import numpy as np
import pytest
import torch

from generator.nets.features import (
    Concat,
    Identity,
    IdentityBias,
    Quadratic,
    RandomFourier,
    make_features,
)


def test_rff_approximates_the_gaussian_kernel():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(15, 2)))
    y = torch.from_numpy(rng.normal(size=(12, 2)))
    ell = 0.7
    phi = RandomFourier(2, 40_000, ell, seed=3)
    approx = (phi(x) @ phi(y).T).numpy()
    # exp(−‖x − y‖²/(2ℓ²)) computed independently with numpy
    sq = ((x.numpy()[:, None, :] - y.numpy()[None, :, :]) ** 2).sum(-1)
    exact = np.exp(-sq / (2 * ell**2))
    # each entry averages F cosines of variance ≤ 1: standard error ≤ √(2/F) ≈ 0.007
    assert np.max(np.abs(approx - exact)) < 0.03


def test_rff_diagonal_is_one_on_average():
    phi = RandomFourier(3, 20_000, 1.3, seed=0)
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    norms = (phi(x) ** 2).sum(1)  # k(x, x) = 1
    assert torch.allclose(norms, torch.ones(5, dtype=torch.float64), atol=0.03)


def test_rff_matches_its_formula_and_is_seeded():
    phi = RandomFourier(2, 7, 0.5, seed=11)
    x = torch.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=torch.float64)
    manual = math.sqrt(2 / 7) * torch.cos(x @ phi.omega.T + phi.beta)
    assert torch.equal(phi(x), manual)
    assert torch.equal(RandomFourier(2, 7, 0.5, seed=11).omega, phi.omega)
    assert not torch.equal(RandomFourier(2, 7, 0.5, seed=12).omega, phi.omega)
    assert phi.beta.min() >= 0 and phi.beta.max() <= 2 * math.pi


def test_rff_frequency_scale_follows_the_lengthscale():
    phi = RandomFourier(2, 50_000, 0.25, seed=0)
    # Ω ~ N(0, ℓ⁻² I): every entry has standard deviation 1/ℓ = 4
    assert abs(phi.omega.std().item() - 4.0) < 0.05


@pytest.mark.parametrize("name", ["identity", "bias", "quadratic", "quadratic+bias", "rff",
                                  "rff+bias", "rff+quadratic"])
def test_maps_are_fixed_and_differentiable(name):
    phi = make_features(name, 2, num_features=8, lengthscale=(0.5, 2.0), seed=0)
    assert list(phi.parameters()) == []
    x = torch.randn(4, 2, dtype=torch.float64, requires_grad=True,
                    generator=torch.Generator().manual_seed(0))
    out = phi(x)
    assert out.shape == (4, phi.out_dim)
    assert torch.autograd.gradcheck(lambda t: phi(t), (x,))


def test_simple_maps_by_hand():
    x = torch.tensor([[1.0, 2.0], [-3.0, 0.5]], dtype=torch.float64)
    assert torch.equal(Identity(2)(x), x)
    assert torch.equal(IdentityBias(2)(x), torch.tensor([[1.0, 2.0, 1.0], [-3.0, 0.5, 1.0]],
                                                        dtype=torch.float64))
    quad = Quadratic(2)(x)
    expected = torch.tensor([[1.0, 2.0, 1.0, 2.0, 4.0], [-3.0, 0.5, 9.0, -1.5, 0.25]],
                            dtype=torch.float64)
    assert torch.equal(quad, expected)
    both = Concat(Identity(2), IdentityBias(2))
    assert both.out_dim == 5 and torch.equal(both(x)[:, 2:], IdentityBias(2)(x))


def test_several_lengthscales_concatenate_one_seeded_block_each():
    scales = (0.1, 1.0, 3.0)
    phi = make_features("rff", 2, num_features=10, lengthscale=scales, seed=5)
    x = torch.randn(6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    # block k is the RFF map at lengthscale scales[k] drawn with seed 5 + k
    blocks = [RandomFourier(2, 10, ell, seed=5 + k)(x) for k, ell in enumerate(scales)]
    assert phi.out_dim == 30
    assert torch.equal(phi(x), torch.cat(blocks, dim=1))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="features must be one of"):
        make_features("gaussian", 2)
    with pytest.raises(ValueError, match="lengthscale must be a finite number > 0, got 0.0"):
        RandomFourier(2, 8, 0.0, seed=0)
    with pytest.raises(TypeError, match="lengthscale must be a real number > 0, got '1'"):
        RandomFourier(2, 8, "1", seed=0)
    with pytest.raises(ValueError, match="num_features must be an integer >= 1, got 0"):
        RandomFourier(2, 0, 1.0, seed=0)
    with pytest.raises(ValueError, match="share in_dim"):
        Concat(Identity(2), Identity(3))
