"""Closed-form KL divergences (SPEC 6, 1b–1d) and the reparameterization trick (SPEC 6, 1g)."""

import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from vae import VAE, kl_diag_gaussians, kl_equal_variance, kl_standard_normal, log_normal


def _params(rng, shape):
    mu = torch.from_numpy(rng.normal(size=shape))
    logvar = torch.from_numpy(rng.normal(scale=0.7, size=shape))
    return mu, logvar


def test_kl_diag_matches_torch_distributions():
    rng = np.random.default_rng(0)
    mu_q, lv_q = _params(rng, (7, 5))
    mu_p, lv_p = _params(rng, (7, 5))
    ours = kl_diag_gaussians(mu_q, lv_q, mu_p, lv_p)
    q, p = Normal(mu_q, lv_q.mul(0.5).exp()), Normal(mu_p, lv_p.mul(0.5).exp())
    ref = kl_divergence(q, p).sum(-1)
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)


def test_kl_standard_normal_matches_torch_distributions_and_general_form():
    rng = np.random.default_rng(1)
    mu, lv = _params(rng, (6, 4))
    ref = kl_divergence(Normal(mu, lv.mul(0.5).exp()), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(kl_standard_normal(mu, lv), ref, rtol=1e-12, atol=1e-12)
    zeros = torch.zeros_like(mu)
    torch.testing.assert_close(kl_diag_gaussians(mu, lv, zeros, zeros), ref, rtol=1e-12, atol=1e-12)


def test_kl_matches_monte_carlo():
    rng = np.random.default_rng(2)
    mu_q, lv_q = _params(rng, (3,))
    mu_p, lv_p = _params(rng, (3,))
    gen = torch.Generator().manual_seed(0)
    n = 400_000
    z = mu_q + lv_q.mul(0.5).exp() * torch.randn((n, 3), generator=gen, dtype=torch.float64)
    # independent log densities from torch.distributions
    log_ratio = (Normal(mu_q, lv_q.mul(0.5).exp()).log_prob(z)
                 - Normal(mu_p, lv_p.mul(0.5).exp()).log_prob(z)).sum(-1)
    mc, se = log_ratio.mean(), log_ratio.std() / n**0.5
    assert abs(kl_diag_gaussians(mu_q, lv_q, mu_p, lv_p) - mc) < 4 * se


def test_kl_equal_variance_case():
    # SPEC 6, 1d: same σ -> (μq − μp)² / (2σ²), from the general formula and torch.distributions
    for mu_q, mu_p, sigma in [(0.3, -1.2, 0.5), (2.0, 2.0, 3.0), (-4.0, 1.0, 1.7)]:
        expected = (mu_q - mu_p) ** 2 / (2 * sigma**2)
        assert kl_equal_variance(mu_q, mu_p, sigma) == pytest.approx(expected, rel=1e-14)
        lv = torch.tensor([2 * np.log(sigma)], dtype=torch.float64)
        general = kl_diag_gaussians(torch.tensor([mu_q], dtype=torch.float64), lv,
                                    torch.tensor([mu_p], dtype=torch.float64), lv)
        assert general.item() == pytest.approx(expected, rel=1e-12, abs=1e-15)
        def t(v):
            return torch.tensor(v, dtype=torch.float64)

        ref = kl_divergence(Normal(t(mu_q), t(sigma)), Normal(t(mu_p), t(sigma))).item()
        assert general.item() == pytest.approx(ref, rel=1e-12, abs=1e-15)
    with pytest.raises(ValueError, match="sigma must be positive"):
        kl_equal_variance(0.0, 1.0, 0.0)


def test_kl_self_is_zero_and_positive_otherwise():
    rng = np.random.default_rng(3)
    mu, lv = _params(rng, (10, 3))
    assert torch.all(kl_diag_gaussians(mu, lv, mu, lv).abs() < 1e-12)  # SPEC 6, 1c
    mu2, lv2 = _params(rng, (10, 3))
    assert torch.all(kl_diag_gaussians(mu, lv, mu2, lv2) > 0)  # SPEC 6, 1b


def test_log_normal_matches_torch_distributions():
    rng = np.random.default_rng(4)
    mu, lv = _params(rng, (5, 3))
    x = torch.from_numpy(rng.normal(size=(5, 3)))
    ref = Normal(mu, lv.mul(0.5).exp()).log_prob(x).sum(-1)
    torch.testing.assert_close(log_normal(x, mu, lv), ref, rtol=1e-12, atol=1e-12)


def test_reparameterized_samples_have_the_right_moments():
    model = VAE(input_dim=4, hidden=(3,), latent_dim=2)
    mu = torch.tensor([[0.5, -2.0]], dtype=torch.float64)
    logvar = torch.tensor([[np.log(0.25), np.log(4.0)]], dtype=torch.float64)
    gen = torch.Generator().manual_seed(1)
    z = model.reparameterize(mu, logvar, n_samples=200_000, rng=gen)
    assert z.shape == (200_000, 1, 2)
    torch.testing.assert_close(z.mean(0), mu, atol=0.02, rtol=0)
    torch.testing.assert_close(z.var(0), logvar.exp(), atol=0, rtol=0.02)


def test_reparameterized_gradient_of_known_expectation():
    # E[z²] = μ² + σ² for z ~ N(μ, σ²): d/dμ = 2μ, d/dσ = 2σ; the pathwise estimate must agree
    model = VAE(input_dim=4, hidden=(3,), latent_dim=1)
    mu0, sigma0 = 0.7, 1.3
    mu = torch.tensor([[mu0]], dtype=torch.float64, requires_grad=True)
    sigma = torch.tensor([[sigma0]], dtype=torch.float64, requires_grad=True)
    n = 400_000
    z = model.reparameterize(mu, 2 * torch.log(sigma), n_samples=n,
                             rng=torch.Generator().manual_seed(2))
    per_sample = z.pow(2).reshape(n)
    per_sample.mean().backward()
    # per-sample pathwise gradients are 2z and 2zε; their standard errors bound the error
    eps = ((z.detach() - mu0) / sigma0).reshape(n)
    se_mu = (2 * z.detach().reshape(n)).std() / n**0.5
    se_sigma = (2 * z.detach().reshape(n) * eps).std() / n**0.5
    assert abs(mu.grad.item() - 2 * mu0) < 4 * se_mu
    assert abs(sigma.grad.item() - 2 * sigma0) < 4 * se_sigma
