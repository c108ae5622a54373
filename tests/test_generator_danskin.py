"""The dual method's generator gradient (SPEC 4): Danskin through the fixed feature map.

The gradient the method backpropagates, ∂/∂θ max_λ g(λ; θ), must equal central finite
differences of the optimal value re-solved from scratch at θ ± h·e. The tolerance comes from the
two errors of a finite difference, each estimated from the data rather than from a past run:
truncation, estimated by Richardson's comparison of steps h and 2h (for a smooth value their
difference is 3/4 of the h-error's leading term, within a factor 4/3 of it), and the solves'
own inaccuracy, at most the certified gap of each re-solved value divided by h.
"""

import numpy as np
import pytest
import torch

import dual
from generator import (
    AffineGenerator,
    DualConfig,
    DualMethod,
    make_features,
    make_target,
    sample_latent,
)

TOL = 1e-13  # the re-solves' certified relative gap


def _problem(features="rff", seed=0):
    torch.manual_seed(seed)
    g_net = AffineGenerator(2, 2)
    phi = make_features(features, 2, num_features=12, lengthscale=0.8, seed=seed)
    method = DualMethod(g_net, phi, DualConfig(c=0.5, solver_options={"tol": TOL}))
    real = make_target("gaussian").sample(10, torch.Generator().manual_seed(seed + 1))
    latent = sample_latent(6, 2, torch.Generator().manual_seed(seed + 2))
    return method, real, latent


def _optimal_value(method, real, latent):
    """max_λ g at the generator's current θ, re-solved from scratch; (value, certified gap)."""
    with torch.no_grad():
        real_f, fake_f = method.features(real), method.features(method.g_net(latent))
    sol = dual.solve(real_f, fake_f, method.config.c, solver="native", tol=TOL)
    return sol.dual_value, sol.gap


def _finite_difference(method, real, latent, param, index, h):
    values, gaps = [], []
    original = param.data[index].item()
    for step in (h, -h):
        param.data[index] = original + step
        value, gap = _optimal_value(method, real, latent)
        values.append(value)
        gaps.append(abs(gap))
    param.data[index] = original
    return (values[0] - values[1]) / (2 * h), max(gaps)


@pytest.mark.parametrize("features", ["rff", "quadratic"])
def test_generator_gradient_equals_finite_differences_of_the_re_solved_optimum(features):
    method, real, latent = _problem(features)
    value, _, _, _ = method.objective(real, latent)
    params = dict(method.g_net.named_parameters())
    grads = torch.autograd.grad(value, list(params.values()))
    h = 1e-3
    for (name, param), grad in zip(params.items(), grads):
        for index in np.ndindex(*param.shape):
            fd_h, gap_h = _finite_difference(method, real, latent, param, index, h)
            fd_2h, gap_2h = _finite_difference(method, real, latent, param, index, 2 * h)
            truncation = 4.0 / 3.0 * abs(fd_h - fd_2h)
            solve_error = (gap_h + gap_2h) / h
            tolerance = truncation + solve_error + 1e-12 * abs(fd_h)
            assert abs(grad[index].item() - fd_h) <= tolerance, (name, index)


def test_the_logged_value_is_the_certified_optimum():
    method, real, latent = _problem()
    logs = method.step(real, latent)
    sol = method.last_solution
    assert logs["dual_value"] == sol.dual_value
    assert abs(sol.gap) <= TOL * max(1.0, abs(sol.primal_value))  # negative only by rounding
