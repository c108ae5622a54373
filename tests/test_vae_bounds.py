"""Decoder likelihoods (SPEC 6, 2d–2e), the Monte Carlo ELBO (2c) and the IWAE bound.

The linear-Gaussian model used here has everything in closed form. With
p(z) = N(0, I_L), p(x|z) = N(Wz + b, σ² I_D) and q(z|x) = N(m, diag s²):

    E_q[−log p(x|z)] = (‖x − Wm − b‖² + Σ_j s_j² ‖W_{:,j}‖²) / (2σ²) + (D/2) log(2πσ²)

because E_q‖x − Wz − b‖² = ‖x − Wm − b‖² + tr(W diag(s²) Wᵀ); the KL term is
−½ Σ_j (1 + log s_j² − m_j² − s_j²) (SPEC 6, 1d), and −ELBO is their sum. The evidence is
log p(x) = log N(x; b, WWᵀ + σ²I), and the exact posterior is N(Σ* Wᵀ(x − b)/σ², Σ*) with
Σ* = (I + WᵀW/σ²)⁻¹; when W has orthogonal columns Σ* is diagonal, q can equal it, and the
ELBO equals log p(x).
"""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Bernoulli, MultivariateNormal, Normal

from vae import (
    VAE,
    bernoulli_log_likelihood,
    evaluate_iwae,
    gaussian_log_likelihood,
    iwae_log_likelihood,
    negative_elbo,
)


class LinearGaussian(nn.Module):
    """Decoder x = Wz + b + σ·noise, encoder q = N(m, diag s²) with fixed m, s (one image)."""

    reparameterize = VAE.reparameterize

    def __init__(self, W, b, sigma, m, s):
        super().__init__()
        self.W, self.b, self.sigma, self.m, self.s = W, b, sigma, m, s

    def encode(self, x):
        n = x.shape[0]
        return self.m.expand(n, -1), (2 * torch.log(self.s)).expand(n, -1)

    def decode(self, z):
        return z @ self.W.T + self.b

    def log_likelihood(self, decoded, x):
        return gaussian_log_likelihood(decoded, x, self.sigma)


def _closed_form_nelbo(W, b, sigma, m, s, x):
    d = x.shape[-1]
    rec = ((x - W @ m - b).pow(2).sum() + (s.pow(2) * W.pow(2).sum(0)).sum()) / (2 * sigma**2)
    rec = rec + 0.5 * d * math.log(2 * math.pi * sigma**2)
    kl = -0.5 * (1 + torch.log(s**2) - m**2 - s**2).sum()
    return (rec + kl).item()


def _log_evidence(W, b, sigma, x):
    cov = W @ W.T + sigma**2 * torch.eye(len(b), dtype=W.dtype)
    return MultivariateNormal(b, cov).log_prob(x).item()


def _posterior(W, b, sigma, x):
    prec = torch.eye(W.shape[1], dtype=W.dtype) + W.T @ W / sigma**2
    cov = torch.linalg.inv(prec)
    return cov @ W.T @ (x - b) / sigma**2, cov


@pytest.fixture
def linear_model():
    rng = np.random.default_rng(0)
    W = torch.from_numpy(rng.normal(size=(5, 2)))
    b = torch.from_numpy(rng.normal(size=5))
    x = torch.from_numpy(rng.normal(size=5))
    return W, b, 0.8, x


def test_bernoulli_log_likelihood_matches_torch_distributions():
    rng = np.random.default_rng(1)
    logits = torch.from_numpy(rng.normal(scale=4, size=(6, 10)))
    x = torch.from_numpy(rng.integers(0, 2, size=(6, 10)).astype(np.float64))
    ref = Bernoulli(logits=logits).log_prob(x).sum(-1)
    torch.testing.assert_close(bernoulli_log_likelihood(logits, x), ref, rtol=1e-12, atol=1e-12)
    # extreme logits stay finite (no clipped sigmoid)
    big = torch.tensor([[60.0, -60.0]], dtype=torch.float64)
    val = bernoulli_log_likelihood(big, torch.tensor([[0.0, 1.0]], dtype=torch.float64))
    assert val.item() == pytest.approx(-120.0, rel=1e-12)


def test_bernoulli_on_grayscale_is_negated_cross_entropy():
    rng = np.random.default_rng(2)
    logits = torch.from_numpy(rng.normal(size=(3, 8)))
    x = torch.from_numpy(rng.uniform(size=(3, 8)))
    g = torch.sigmoid(logits)
    ref = (x * torch.log(g) + (1 - x) * torch.log1p(-g)).sum(-1)
    torch.testing.assert_close(bernoulli_log_likelihood(logits, x), ref, rtol=1e-10, atol=1e-10)


def test_gaussian_log_likelihood_matches_torch_distributions():
    rng = np.random.default_rng(3)
    mean = torch.from_numpy(rng.normal(size=(4, 7)))
    x = torch.from_numpy(rng.normal(size=(4, 7)))
    ref = Normal(mean, 0.3).log_prob(x).sum(-1)
    torch.testing.assert_close(gaussian_log_likelihood(mean, x, 0.3), ref, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="sigma must be positive"):
        gaussian_log_likelihood(mean, x, -1.0)


def test_closed_form_elbo_equals_evidence_at_the_exact_posterior():
    # checks the docstring's derivation: orthogonal columns -> diagonal posterior, zero gap
    rng = np.random.default_rng(4)
    W = torch.from_numpy(np.linalg.qr(rng.normal(size=(5, 2)))[0] * [1.5, 0.7])
    b, x, sigma = torch.from_numpy(rng.normal(size=5)), torch.from_numpy(rng.normal(size=5)), 0.6
    m, cov = _posterior(W, b, sigma, x)
    assert torch.allclose(cov, torch.diag(torch.diag(cov)), atol=1e-12)
    nelbo = _closed_form_nelbo(W, b, sigma, m, torch.sqrt(torch.diag(cov)), x)
    assert -nelbo == pytest.approx(_log_evidence(W, b, sigma, x), rel=1e-10)


@pytest.mark.parametrize("mc_samples", [1, 4])
def test_monte_carlo_elbo_is_unbiased(linear_model, mc_samples):
    W, b, sigma, x = linear_model
    m = torch.tensor([0.3, -0.5], dtype=torch.float64)
    s = torch.tensor([0.6, 1.1], dtype=torch.float64)
    model = LinearGaussian(W, b, sigma, m, s)
    n = 20_000  # independent estimates, one per row
    est = negative_elbo(model, x.expand(n, -1), mc_samples, torch.Generator().manual_seed(5))
    assert est.shape == (n,)
    expected = _closed_form_nelbo(W, b, sigma, m, s, x)
    se = est.std().item() / n**0.5
    assert abs(est.mean().item() - expected) < 4 * se
    assert -expected <= _log_evidence(W, b, sigma, x)  # the ELBO is a lower bound


def test_iwae_grows_with_k_and_approaches_log_evidence(linear_model):
    W, b, sigma, x = linear_model
    m_star, cov = _posterior(W, b, sigma, x)
    m, s = m_star + 0.3, torch.sqrt(torch.diag(cov)) * 1.2  # a deliberately imperfect q
    model = LinearGaussian(W, b, sigma, m, s)
    log_px = _log_evidence(W, b, sigma, x)
    elbo = -_closed_form_nelbo(W, b, sigma, m, s, x)
    gen = torch.Generator().manual_seed(6)
    reps = 400
    xs = x.expand(reps, -1)  # independent repetitions of L_K
    means = {}
    for k in (1, 10, 100, 2000):
        lk = iwae_log_likelihood(model, xs, k, chunk_size=300 if k > 300 else k, rng=gen)
        means[k] = (lk.mean().item(), lk.std().item() / reps**0.5)
    assert abs(means[1][0] - elbo) < 4 * means[1][1]  # L_1 is the ELBO
    ks = sorted(means)
    for k_lo, k_hi in zip(ks[:-1], ks[1:]):
        assert means[k_hi][0] > means[k_lo][0]
    assert means[2000][0] <= log_px + 4 * means[2000][1] + 1e-9
    assert log_px - means[2000][0] < 0.05 * (log_px - elbo)


def _log_moment_of_ratio(n, a, A, c, C):
    """log E_q[(p(z)/q(z))ⁿ] = log ∫ pⁿ q¹⁻ⁿ for p = N(a, A), q = N(c, C).

    n log p + (1 − n) log q is a quadratic −½ zᵀPz + hᵀz + const with P = nA⁻¹ + (1 − n)C⁻¹
    (finite iff P ≻ 0), integrated in closed form.
    """
    d = len(a)
    A_inv, C_inv = np.linalg.inv(A), np.linalg.inv(C)
    P, h = n * A_inv + (1 - n) * C_inv, n * A_inv @ a + (1 - n) * C_inv @ c
    assert np.all(np.linalg.eigvalsh(P) > 0), f"the moment of order {n} is infinite for this q"
    const = (-0.5 * d * math.log(2 * math.pi) - 0.5 * n * np.linalg.slogdet(A)[1]
             - 0.5 * (1 - n) * np.linalg.slogdet(C)[1] - 0.5 * n * a @ A_inv @ a
             - 0.5 * (1 - n) * c @ C_inv @ c)
    return (const + 0.5 * h @ np.linalg.solve(P, h) + 0.5 * d * math.log(2 * math.pi)
            - 0.5 * np.linalg.slogdet(P)[1])


def test_iwae_gap_to_log_evidence_follows_the_delta_method(linear_model):
    # v = p(x, z)/(q(z|x) p(x)) = p(z|x)/q(z|x) has E_q v = 1, Var v = χ² and third central
    # moment μ₃ (closed forms above). With v̄ the mean of K draws, E[−log v̄] expanded to
    # second order: log p(x) − E[L_K] = χ²/(2K) + (3χ⁴/4 − μ₃/3)/K² + O(1/K³).
    W, b, sigma, x = linear_model
    m_star, cov = _posterior(W, b, sigma, x)
    m, s = m_star + 0.3, torch.sqrt(torch.diag(cov)) * 1.2  # a deliberately imperfect q
    p_q = (m_star.numpy(), cov.numpy(), m.numpy(), np.diag(s.numpy() ** 2))
    m1, m2, m3 = (math.exp(_log_moment_of_ratio(n, *p_q)) for n in (1, 2, 3))
    assert m1 == pytest.approx(1.0, rel=1e-12)  # the formula integrates p to 1
    _log_moment_of_ratio(4, *p_q)  # the expansion needs a finite fourth moment
    chi2, mu3 = m2 - 1, m3 - 3 * m2 + 2
    model = LinearGaussian(W, b, sigma, m, s)
    log_px = _log_evidence(W, b, sigma, x)
    k, reps = 30, 16_000  # the O(1/K³) remainder is ~1e-4, a tenth of the Monte Carlo error
    lk = iwae_log_likelihood(model, x.expand(reps, -1), k, chunk_size=k,
                             rng=torch.Generator().manual_seed(8))
    gap, se = log_px - lk.mean().item(), lk.std().item() / reps**0.5
    assert abs(gap - (chi2 / (2 * k) + (0.75 * chi2**2 - mu3 / 3) / k**2)) < 4 * se
    assert gap > 4 * se  # the check tells the gap from zero


def test_evaluate_iwae_reports_progress_in_batches():
    torch.manual_seed(0)
    model = VAE(input_dim=6, hidden=(5,), latent_dim=2)
    x = torch.rand(23, 6, generator=torch.Generator().manual_seed(1))
    done = []
    evaluate_iwae(model, x, 7, batch_size=10, chunk_size=3, progress=done.append)
    assert done == [10, 10, 3]


def test_iwae_is_at_least_the_elbo_on_a_vae():
    torch.manual_seed(0)
    model = VAE(input_dim=20, hidden=(16,), latent_dim=3)
    x = torch.rand(64, 20, generator=torch.Generator().manual_seed(1))
    elbo = -negative_elbo(model, x.repeat(200, 1), 1, torch.Generator().manual_seed(2))
    elbo = elbo.reshape(200, 64).mean(0)  # per-image ELBO, averaged over 200 draws
    gen = torch.Generator().manual_seed(3)
    iw = iwae_log_likelihood(model, x, 200, chunk_size=64, rng=gen)
    assert iw.shape == (64,)
    assert torch.all(iw > elbo - 0.05)
    assert iw.mean() > elbo.mean()
    nll = evaluate_iwae(model, x, 200, batch_size=10, chunk_size=64,
                        rng=torch.Generator().manual_seed(3))
    assert nll == pytest.approx(-iw.mean().item(), abs=0.5)


def test_bound_arguments_are_validated():
    model = VAE(input_dim=4, hidden=(3,), latent_dim=2)
    x = torch.rand(2, 4)
    with pytest.raises(ValueError, match="mc_samples must be an integer >= 1, got 0"):
        negative_elbo(model, x, 0)
    with pytest.raises(ValueError, match="k must be an integer >= 1, got -3"):
        iwae_log_likelihood(model, x, -3)
