"""Danskin gradients of the optimal value (``dual.autograd``) against central finite differences
of the re-solved optimum (SPEC 4, 7)."""

import numpy as np
import pytest

import dual
from dual_testdata import blobs, gap_bound, w_radius

torch = pytest.importorskip("torch")
autograd = pytest.importorskip("dual.autograd")

TIGHT = {"solver": "native", "tol": 1e-13}  # the value is then exact to about 1e-13·|V|


def _problem(seed):
    real, fake = blobs(30, 25, 3, 1.5, seed=seed)
    rng = np.random.default_rng(seed + 1)
    return real, fake, 0.5 * rng.normal(size=30), 0.5 * rng.normal(size=25)


def _value(real, fake, offset_real, offset_fake, c=0.7):
    sol = dual.solve(real, fake, c, offset_real=offset_real, offset_fake=offset_fake,
                     form="auto", **TIGHT)
    return sol.dual_value, gap_bound(sol)


def _central_difference(f, x, v, h):
    """(f(x + hv) − f(x − hv)) / 2h, and the bound (gap₊ + gap₋)/2h on what the values' own
    errors (g(λ) ∈ [V − gap, V]) can add to it."""
    (up, gap_up), (down, gap_down) = f(x + h * v), f(x - h * v)
    return (up - down) / (2 * h), (gap_up + gap_down) / (2 * h)


def _check_directional(gradient, f, x, rng, h=1e-4, directions=4):
    for _ in range(directions):
        v = rng.normal(size=x.shape)
        v /= np.linalg.norm(v)
        fd, value_error = _central_difference(f, x, v, h)
        fd2, _ = _central_difference(f, x, v, 2 * h)
        # truncation is O(h²): at 2h it is four times that at h, so |fd(h) − fd(2h)| ≈ 3× the
        # truncation error of fd(h) (a Richardson estimate), plus the values' own errors
        assert abs(np.sum(gradient * v) - fd) <= abs(fd - fd2) + value_error + 1e-12


@pytest.mark.parametrize("wrt", ["fake", "real", "offset_fake", "offset_real"])
def test_danskin_gradient_matches_finite_differences(wrt):
    real, fake, a_real, a_fake = _problem(80)
    data = {"real": real, "fake": fake, "offset_real": a_real, "offset_fake": a_fake}
    tensors = {k: torch.tensor(v, requires_grad=(k == wrt)) for k, v in data.items()}
    value, sol = autograd.optimal_value(tensors["real"], tensors["fake"], 0.7,
                                        offset_real=tensors["offset_real"],
                                        offset_fake=tensors["offset_fake"], form="auto", **TIGHT)
    value.backward()
    assert value.item() == sol.dual_value
    gradient = tensors[wrt].grad.numpy()

    def resolved(x):
        return _value(**{**data, wrt: x})

    _check_directional(gradient, resolved, data[wrt], np.random.default_rng(81))
    for name, tensor in tensors.items():
        assert (tensor.grad is None) == (name != wrt)


def test_fake_gradient_is_minus_the_discriminator_times_w():
    # SPEC 4, 7: ∂V/∂g_j = −D_{w*}(g_j)·w*, D = σ(−(a + wᵀg)) the probability of "real"
    real, fake, a_real, a_fake = _problem(82)
    t_fake = torch.tensor(fake, requires_grad=True)
    value, sol = autograd.optimal_value(torch.tensor(real), t_fake, 0.7,
                                        offset_real=torch.tensor(a_real),
                                        offset_fake=torch.tensor(a_fake), **TIGHT)
    value.backward()
    expected = -sol.discriminator(fake, a_fake)[:, None] * sol.w
    # 1 + λ_j and D(g_j) differ by the link residual only
    np.testing.assert_allclose(t_fake.grad.numpy(), expected,
                               atol=sol.kkt.link * np.abs(sol.w).max() + 1e-15)


def test_kernel_value_gradient_reaches_the_features_through_k():
    # SPEC 7: K = J Jᵀ built in torch; ∂V/∂J through ∂V/∂K = −ββᵀ/(2c)
    real, fake, a_real, a_fake = _problem(83)
    j = np.vstack([real, fake])
    offset = np.r_[a_real, a_fake]
    t_j, t_a = torch.tensor(j, requires_grad=True), torch.tensor(offset, requires_grad=True)
    value, sol = autograd.optimal_value_kernel(t_j @ t_j.T, 30, 0.7, offset=t_a, tol=1e-13)
    value.backward()

    def resolved(x):
        ksol = dual.solve_kernel(x @ x.T, 30, 0.7, offset=offset, tol=1e-13)
        return ksol.dual_value, gap_bound(ksol)

    _check_directional(t_j.grad.numpy(), resolved, j, np.random.default_rng(84))
    # and through the features directly: the same gradient, each side within its certificate
    t_real, t_fake = torch.tensor(real, requires_grad=True), torch.tensor(fake, requires_grad=True)
    v2, fsol = autograd.optimal_value(t_real, t_fake, 0.7, offset_real=torch.tensor(a_real),
                                      offset_fake=torch.tensor(a_fake), **TIGHT)
    v2.backward()
    both = np.vstack([t_real.grad.numpy(), t_fake.grad.numpy()])
    # −β_k w: |β_k| ≤ 1 and ‖δ − w‖ ≤ r(kernel) + r(features), λ likewise
    scale = np.linalg.norm(sol.beta) * (w_radius(sol) + w_radius(fsol)) + np.linalg.norm(
        fsol.w) * np.linalg.norm(sol.lam - fsol.lam)
    assert np.linalg.norm(t_j.grad.numpy() - both) <= scale + 1e-12
    np.testing.assert_allclose(t_a.grad.numpy(), -sol.beta, rtol=0, atol=0)


def test_float32_inputs_give_float32_value_and_gradients():
    real, fake, _, _ = _problem(85)
    t_fake = torch.tensor(fake, dtype=torch.float32, requires_grad=True)
    value, sol = autograd.optimal_value(torch.tensor(real, dtype=torch.float32), t_fake,
                                        solver="native")
    value.backward()
    assert value.dtype == torch.float32 and t_fake.grad.dtype == torch.float32
    assert isinstance(sol, dual.Solution)


def test_warm_start_and_options_pass_through():
    real, fake, _, _ = _problem(86)
    _, first = autograd.optimal_value(torch.tensor(real), torch.tensor(fake), solver="native",
                                      form="dual")
    _, again = autograd.optimal_value(torch.tensor(real), torch.tensor(fake), solver="native",
                                      form="dual", warm_start=first)
    assert again.iterations < first.iterations  # started next to the optimum
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['eps'\]"):
        autograd.optimal_value(torch.tensor(real), torch.tensor(fake), solver="native", eps=1)
