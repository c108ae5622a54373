"""The linearized dual method (SPEC 7): the step δ* against the primal solved from the explicit
Jacobian, the generator's Danskin gradient against finite differences of re-solved optimal
values, the first-order form, one step's ascent, and exact resume."""

import numpy as np
import pytest
import scipy.optimize
import torch
from scipy.special import expit, log_expit

from dualgan.nn import mlp
from generator import GANTrainConfig, GANTrainer, MLPDiscriminator, MLPGenerator, make_target
from generator.methods.neural_dual import NeuralDualConfig, NeuralDualMethod
from generator.nets.generators import sample_latent
from ntk_oracle import explicit_jacobian, flat


def _method(seed=0, generator_step="exact", kappa=2.0, **kwargs):
    torch.manual_seed(seed)
    g = MLPGenerator(2, 2, hidden=(8, 8))
    d = MLPDiscriminator(2, hidden=(6, 5))
    config = NeuralDualConfig(kappa=kappa, generator_step=generator_step, **kwargs)
    return NeuralDualMethod(g, d, config)


def _batch(n=7, seed=0):
    rng = torch.Generator().manual_seed(seed)
    return make_target("ring").sample(n, rng), sample_latent(n, 2, rng)


def _score_jacobian(method, x):
    """J of s = −ℓ, (n, P), parameters in named order."""
    return -explicit_jacobian(method.discriminator, x).numpy()


def _flat(step, method):
    return flat(step, method.discriminator)


def _optimal_value(method, real, latent, c):
    """max_λ g(λ; θ) of the step's problem at the current ψ₀ and a fixed c, re-solved."""
    with torch.no_grad():
        fake = method.g_net(latent)
    sol, _, _ = method.solve(real, fake, c)
    return sol.dual_value


def test_step_equals_the_primal_minimizer_from_the_explicit_jacobian():
    method = _method()
    real, latent = _batch()
    with torch.no_grad():
        fake = method.g_net(latent)
    sol, delta, info = method.solve(real, fake)
    x = torch.cat([real, fake])
    J, a, c, n = _score_jacobian(method, x), info["offset"], info["c"], real.shape[0]
    sign = np.r_[np.ones(n), -np.ones(fake.shape[0])]  # softplus(u) for real, softplus(−u) fake

    def primal(d):  # SPEC 7: F(δ) with the explicit Jacobian, gradient by hand
        u = sign * (a + J @ d)
        value = -log_expit(-u).sum() + 0.5 * c * d @ d
        return value, J.T @ (sign * expit(u)) + c * d

    found = scipy.optimize.minimize(primal, np.zeros(J.shape[1]), jac=True, method="L-BFGS-B",
                                    options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10_000})
    step = _flat(delta, method).numpy()
    # SPEC 7: δ* = b(λ*)/c = Jᵀβ/c, here from the explicit J
    np.testing.assert_allclose(step, J.T @ sol.beta / c, rtol=0, atol=1e-12 * np.abs(step).max())
    # F is c-strongly convex: ‖δ − δ*‖ ≤ ‖∇F(δ)‖/c for the L-BFGS point
    bound = np.linalg.norm(primal(found.x)[1]) / c + np.sqrt(2 * abs(sol.gap) / c)
    assert np.linalg.norm(step - found.x) <= bound + 1e-12
    assert sol.primal_value == pytest.approx(found.fun, rel=1e-10)
    assert np.allclose(info["gram"], J @ J.T, rtol=0, atol=1e-12 * np.abs(info["gram"]).max())


def test_generator_gradient_matches_central_differences_of_the_re_solved_optimum():
    method = _method()
    real, latent = _batch()
    fake = method.g_net(latent)
    sol, delta, info = method.solve(real, fake)
    method.generator_value(fake, sol, delta).backward()  # exact Danskin gradient (SPEC 7)
    h = 1e-5
    checked = 0
    for param in method.g_net.parameters():
        for index in [(0,), (-1,)] if param.ndim == 1 else [(0, 0), (-1, -1), (1, 1)]:
            analytic = float(param.grad[index])
            with torch.no_grad():
                original = float(param[index])
                param[index] = original + h
                plus = _optimal_value(method, real, latent, info["c"])
                param[index] = original - h
                minus = _optimal_value(method, real, latent, info["c"])
                param[index] = original
            numeric = (plus - minus) / (2 * h)
            # O(h²) truncation, plus the solves' certified gaps (≤ 1e-10·|g|) over h
            assert numeric == pytest.approx(analytic, abs=1e-5 * max(1.0, abs(analytic)))
            checked += 1
    assert checked >= 10


class SmoothDiscriminator(torch.nn.Module):
    """A tanh MLP: smooth in its parameters, so that Taylor orders are clean (a LeakyReLU
    network is only piecewise smooth: a sample crossing a kink adds a first-order term)."""

    def __init__(self):
        super().__init__()
        self.net = mlp((2, 6, 5, 1), torch.nn.Tanh, dtype=torch.float64)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def test_first_order_form_agrees_with_the_exact_one_to_first_order_in_the_step():
    real, latent = _batch(n=16)
    differences = []
    for kappa in (20.0, 40.0, 80.0):
        grads = {}
        for form in ("exact", "first-order"):
            torch.manual_seed(0)
            method = NeuralDualMethod(MLPGenerator(2, 2, hidden=(8, 8)), SmoothDiscriminator(),
                                      NeuralDualConfig(kappa=kappa, generator_step=form,
                                                       lr=1e-12))
            method.step(real, latent)  # the step's gradient is in .grad (lr too small to move)
            grads[form] = torch.cat([p.grad.reshape(-1) for p in method.g_net.parameters()])
        differences.append(float((grads["exact"] - grads["first-order"]).norm()
                                 / grads["exact"].norm()))
    # ‖δ*‖ ∝ 1/κ: a difference of second order falls by about 4 when κ doubles
    for coarse, fine in zip(differences, differences[1:]):
        assert 3.5 < coarse / fine < 4.5


def test_the_non_saturating_step_weights_each_sample_by_one_minus_d_at_the_solved_weights():
    real, latent = _batch(n=16)
    method = _method(generator_step="non-saturating", lr=1e-12)  # θ does not move
    method.step(real, latent)  # ψ is now ψ₀ + δ*, the step's gradient is in .grad
    got = torch.cat([p.grad.reshape(-1) for p in method.g_net.parameters()])
    # −∇_θ (1/M) Σ_j log D(g_j) = −(1/M) Σ_j (1 − D(g_j)) ∇_θ ℓ(g_j), D = σ(ℓ), weights held
    method.g_net.zero_grad()
    logits = method.discriminator(method.g_net(latent))
    (-(1.0 - torch.sigmoid(logits)).detach() * logits).mean().backward()
    expected = torch.cat([p.grad.reshape(-1) for p in method.g_net.parameters()])
    assert torch.allclose(got, expected, rtol=1e-10, atol=1e-14 * float(expected.abs().max()))
    first_order = _method(generator_step="first-order", lr=1e-12)
    first_order.step(real, latent)
    other = torch.cat([p.grad.reshape(-1) for p in first_order.g_net.parameters()])
    assert not torch.allclose(got, other, rtol=1e-3)  # a different step, not a relabelling


@pytest.mark.parametrize("form", ["exact", "first-order"])
def test_one_step_raises_the_linearized_dual_value(form):
    method = _method(generator_step=form, lr=1e-4)
    real, latent = _batch(n=32)
    psi0 = {k: v.clone() for k, v in method.discriminator.state_dict().items()}
    theta0 = {k: v.clone() for k, v in method.g_net.state_dict().items()}
    logs = method.step(real, latent)
    assert abs(logs["gap"]) <= 1e-9 * abs(logs["dual_value"])
    # the same step's problem (ψ₀ and c), re-solved at the new θ and at the old one
    method.discriminator.load_state_dict(psi0)
    after = _optimal_value(method, real, latent, logs["c"])
    method.g_net.load_state_dict(theta0)
    before = _optimal_value(method, real, latent, logs["c"])
    assert logs["dual_value"] == pytest.approx(before, rel=1e-12)
    assert after > before


def test_discriminator_moves_to_psi0_plus_delta():
    method = _method()
    real, latent = _batch()
    with torch.no_grad():
        fake = method.g_net(latent)
    psi0 = {k: v.clone() for k, v in method.discriminator.named_parameters()}
    _, delta, _ = method.solve(real, fake)
    torch.manual_seed(0)
    method.step(real, latent)
    for name, param in method.discriminator.named_parameters():
        assert torch.allclose(param.detach(), psi0[name] + delta[name], rtol=0, atol=1e-15)


def _trainer(tmp_path, steps, method, name):
    config = GANTrainConfig(steps=steps, batch_size=16, seed=3, snapshots=0, progress=False)
    return GANTrainer(method, make_target("ring"), config, checkpoint_path=tmp_path / name)


@pytest.mark.parametrize("trust", ["scaled", "adaptive"])
def test_resume_is_bitwise_exact(tmp_path, trust):
    full = _trainer(tmp_path, 6, _method(generator_step="first-order", trust=trust), "full.pt")
    full_result = full.run()
    half = _trainer(tmp_path, 3, _method(generator_step="first-order", trust=trust), "half.pt")
    half.run()
    resumed = _trainer(tmp_path, 6, _method(seed=9, generator_step="first-order", trust=trust),
                       "half.pt")
    resumed.resume(may_change=("train.steps",))
    result = resumed.run()
    for net in ("g_net", "discriminator"):
        for (name, p), (_, q) in zip(getattr(full.method, net).named_parameters(),
                                     getattr(resumed.method, net).named_parameters()):
            assert torch.equal(p, q), (net, name)
    assert resumed.method.kappa == full.method.kappa
    for key in ("dual_value", "gap", "kappa", "rho", "d_fake"):
        assert result.logs[key] == full_result.logs[key]


def test_settings_are_checked():
    with pytest.raises(ValueError, match="trust must be one of"):
        NeuralDualConfig(trust="wide")
    with pytest.raises(ValueError, match="generator_step must be one of"):
        NeuralDualConfig(generator_step="second-order")
    with pytest.raises(ValueError, match=r"kappa must lie in \[kappa_min, kappa_max\]"):
        NeuralDualConfig(kappa=1000.0)
    with pytest.raises(TypeError, match="kappa must be a real number"):
        NeuralDualConfig(kappa="1")


@pytest.mark.parametrize("generator_step", ["exact", "first-order", "non-saturating"])
def test_the_logged_ratio_and_scores_are_those_of_a_separate_pass_at_the_new_weights(
        generator_step):
    """ρ and D's means come from the scores at ψ₀ + δ* (the fakes' reused from the generator
    step): recomputed here from one forward pass over the whole minibatch after the step."""
    method = _method(generator_step=generator_step)
    real, latent = _batch()
    with torch.no_grad():
        fake = method.g_net(latent)  # the step's fakes: θ moves only after they are scored
    sol, _, info = method.solve(real, fake)
    log = method.step(real, latent)
    with torch.no_grad():
        after = -method.discriminator(torch.cat([real, fake])).double()
    n = real.shape[0]
    offset = torch.from_numpy(info["offset"])
    predicted = offset + torch.from_numpy(info["gram"] @ sol.beta / info["c"])

    def loss(s):  # the logistic loss of scores s (SPEC 7: D = σ(−s)), written out
        return float(torch.nn.functional.softplus(s[:n]).sum()
                     + torch.nn.functional.softplus(-s[n:]).sum())

    rho = (loss(offset) - loss(after)) / (loss(offset) - loss(predicted))
    assert log["rho"] == pytest.approx(rho, rel=1e-9)
    assert log["d_real"] == pytest.approx(float(torch.sigmoid(-after[:n]).mean()), rel=1e-12)
    assert log["d_fake"] == pytest.approx(float(torch.sigmoid(-after[n:]).mean()), rel=1e-12)
