"""Danskin's theorem (SPEC 4): the torch dual value with λ* detached has the gradient of the
optimal value, which is also the primal gradient −D_{w*}(g_j)·w* (SPEC 1), and matches central
finite differences of the re-solved optimal value."""

import numpy as np
import pytest
import torch
from scipy.special import expit

import dual
from generator.methods.feature_dual import dual_value
from generator.features import RandomFourier

TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


def _assert_gradients_close(got, expected, rtol):
    """Entrywise within rtol of the largest entry: λ* carries the solver's KKT error (~1e-7)."""
    got, expected = np.asarray(got), np.asarray(expected)
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(got, expected, rtol=0, atol=rtol * scale)


def _optimal_value(real, fake, c):
    """min_w F(w) = max_λ g(λ), re-solved from scratch at tight tolerance."""
    sol = dual.solve(real, fake, c, form="primal", solver="CLARABEL", **TIGHT)
    return sol.primal_value, sol


def _danskin_gradient(real, fake, c):
    """∂/∂fake of g(λ*; fake) in torch with λ* detached."""
    _, sol = _optimal_value(real, fake, c)
    fake_t = torch.tensor(fake, requires_grad=True)
    value = dual_value(torch.tensor(sol.lam_real), torch.tensor(sol.lam_fake),
                       torch.tensor(real), fake_t, c)
    value.backward()
    return fake_t.grad.numpy(), sol, value.item()


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(12, 3))
    fake = rng.normal(size=(10, 3)) + 0.4
    return real, fake, 0.8


def test_torch_dual_value_equals_the_certified_optimum(problem):
    real, fake, c = problem
    _, sol, value = _danskin_gradient(real, fake, c)
    assert value == pytest.approx(sol.dual_value, rel=1e-12)
    assert value == pytest.approx(sol.primal_value, rel=1e-8)


def test_gradient_equals_the_primal_gradient_at_the_optimum(problem):
    real, fake, c = problem
    grad, sol, _ = _danskin_gradient(real, fake, c)
    # SPEC 1: ∂F(w; g)/∂g_j = −σ(−wᵀg_j)·w = −D_w(g_j)·w, evaluated at w* (numpy, not the solver)
    w = sol.w
    primal = -expit(-(fake @ w))[:, None] * w[None, :]
    _assert_gradients_close(grad, primal, 1e-5)


def test_gradient_matches_finite_differences_in_feature_space(problem):
    real, fake, c = problem
    grad, _, _ = _danskin_gradient(real, fake, c)
    h = 1e-4
    for j, k in [(0, 0), (3, 1), (9, 2), (5, 0)]:
        plus, minus = fake.copy(), fake.copy()
        plus[j, k] += h
        minus[j, k] -= h
        fd = (_optimal_value(real, plus, c)[0] - _optimal_value(real, minus, c)[0]) / (2 * h)
        assert abs(fd - grad[j, k]) <= 1e-5 * np.max(np.abs(grad))


def test_gradient_through_random_fourier_features():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(10, 2))
    fake = rng.normal(size=(5, 2)) * 0.5 + 1.0
    c = 0.5
    phi = RandomFourier(2, 12, 0.8, seed=0)

    def features(x):
        with torch.no_grad():
            return phi(torch.tensor(x)).numpy()

    _, sol = _optimal_value(features(real), features(fake), c)
    fake_t = torch.tensor(fake, requires_grad=True)
    value = dual_value(torch.tensor(sol.lam_real), torch.tensor(sol.lam_fake),
                       phi(torch.tensor(real)), phi(fake_t), c)
    value.backward()
    grad = fake_t.grad.numpy()
    h = 1e-4
    fd = np.zeros_like(fake)
    for j in range(fake.shape[0]):
        for k in range(2):
            plus, minus = fake.copy(), fake.copy()
            plus[j, k] += h
            minus[j, k] -= h
            fd[j, k] = (_optimal_value(features(real), features(plus), c)[0]
                        - _optimal_value(features(real), features(minus), c)[0]) / (2 * h)
    _assert_gradients_close(grad, fd, 1e-5)


def test_native_solution_gives_the_same_gradient(problem):
    real, fake, c = problem
    grad, _, _ = _danskin_gradient(real, fake, c)
    try:
        sol = dual.solve(real, fake, c, solver="native", form="auto")
    except (ImportError, ValueError) as err:
        pytest.skip(f"native backend not available: {err}")
    fake_t = torch.tensor(fake, requires_grad=True)
    dual_value(torch.tensor(sol.lam_real), torch.tensor(sol.lam_fake), torch.tensor(real),
               fake_t, c).backward()
    _assert_gradients_close(fake_t.grad.numpy(), grad, 1e-4)
