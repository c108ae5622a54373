"""The cvxpylayers route (``dual.layers``, the optional ``[layers]`` extra) against Danskin."""

import sys

import numpy as np
import pytest

import dual
from dual_testdata import blobs, gap_bound

torch = pytest.importorskip("torch")

# cvxpylayers 1.2 hands torch tensors to np.array(copy=False): numpy 2 deprecates that; not ours
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def test_missing_cvxpylayers_says_how_to_install(monkeypatch):
    layers = pytest.importorskip("dual.layers")
    monkeypatch.setitem(sys.modules, "cvxpylayers", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "cvxpylayers.torch", None)
    with pytest.raises(ImportError, match=r"cvxpylayers is not installed: install the \[layers\] "
                                          r"extra, e\.g\. pip install 'cvxpylayers==1\.2\.0'"):
        layers.BoxDualLayer(3, 3, 2, 1.0)


@pytest.fixture(scope="module")
def problem():
    pytest.importorskip("cvxpylayers")
    real, fake = blobs(40, 30, 3, 1.5, seed=90)
    rng = np.random.default_rng(91)
    return real, fake, 0.5 * rng.normal(size=40), 0.5 * rng.normal(size=30), 0.8


# Clarabel inside the layer runs at tol_gap_abs = tol_gap_rel = tol_feas = 1e-12
# (dual.layers.SOLVER_ARGS): its value t* is within about 1e-12·(1 + |V|) of the optimum per
# unit of residual, allowed ten times over.
STATED = 1e-12

# The layer's gradient comes from the derivative of the conic program's optimality conditions,
# evaluated at Clarabel's solution and solved by LSMR to atol = btol = 1e-10; the condition number
# of that system, which amplifies both, is not bounded here. Allowed: 1e-5 relative. Measured
# worst: 2.5e-8 in this test (N = 40, M = 30, D = 3; value 1.6e-12 from the native one), and
# 4.2e-6 over examples/compare_gradients.py's grid (N = M = 50, D = 50).
GRADIENT_RTOL = 1e-5


def test_layer_value_and_gradients_match_danskin(problem):
    from dual import autograd
    from dual.layers import BoxDualLayer

    real, fake, a_real, a_fake, c = problem
    inputs = [torch.tensor(x, requires_grad=True) for x in (real, fake, a_real, a_fake)]
    value, sol = autograd.optimal_value(*inputs[:2], c, offset_real=inputs[2],
                                        offset_fake=inputs[3], solver="native", tol=1e-13)
    value.backward()
    danskin = [x.grad.clone() for x in inputs]
    for x in inputs:
        x.grad = None

    layer = BoxDualLayer(40, 30, 3, c)
    t_star, lam_real, lam_fake = layer(*inputs)
    t_star.backward()
    assert abs(t_star.item() - sol.dual_value) <= gap_bound(sol) + 10 * STATED * (
        1 + abs(sol.dual_value))
    for x, reference in zip(inputs, danskin):
        assert (x.grad - reference).norm() <= GRADIENT_RTOL * reference.norm()
    # the layer's multipliers, certified by the project, are the optimum's
    cert = dual.certify_kernel(np.clip(lam_real.detach().numpy(), -1, 0),
                               np.clip(lam_fake.detach().numpy(), -1, 0),
                               np.vstack([real, fake]) @ np.vstack([real, fake]).T, c,
                               offset=np.r_[a_real, a_fake])
    assert cert.relative_gap <= dual.GAP_WARN_RTOL


def test_layer_without_offsets_equals_zero_offsets(problem):
    from dual.layers import BoxDualLayer

    real, fake, _, _, c = problem
    layer = BoxDualLayer(40, 30, 3, c)
    plain, _, _ = layer(torch.tensor(real), torch.tensor(fake))
    zero, _, _ = layer(torch.tensor(real), torch.tensor(fake), torch.zeros(40), torch.zeros(30))
    assert plain.item() == zero.item()
