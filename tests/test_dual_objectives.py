"""F, g, H, the SPEC 3 maps and the discriminator against formulas written out by hand."""

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import entropy as scipy_entropy

import dual
from dual_testdata import DATASETS, naive_dual, naive_primal, sigmoid
from dual_testdata import moderate as moderate_problem


@pytest.fixture(name="moderate")
def moderate_fixture():
    """Real (7, 3) and fake (5, 3) data, w (3,) and λ strictly inside the box."""
    return moderate_problem(20)[:5]


@pytest.mark.parametrize("c", [1e-3, 0.5, 1.0, 1e3])
def test_primal_objective_matches_the_naive_sum(moderate, c):
    real, fake, w, _, _ = moderate
    assert dual.primal_objective(w, real, fake, c) == pytest.approx(
        naive_primal(w, real, fake, c), rel=1e-13)


@pytest.mark.parametrize("c", [1e-3, 0.5, 1.0, 1e3])
def test_dual_objective_matches_the_naive_formula(moderate, c):
    real, fake, _, lam_real, lam_fake = moderate
    assert dual.dual_objective(lam_real, lam_fake, real, fake, c) == pytest.approx(
        naive_dual(lam_real, lam_fake, real, fake, c), rel=1e-12)


def test_dual_objective_at_the_box_corners_has_no_entropy(moderate):
    # SPEC 2: H(0) = H(1) = 0, so at λ ∈ {−1, 0} only −‖b‖²/(2c) remains.
    real, fake, _, _, _ = moderate
    lam_real, lam_fake = np.array([0, -1, 0, -1, -1, 0, 0.0]), np.array([-1, 0, 0, -1, 0.0])
    b = sum(lam * x for lam, x in zip(lam_real, real)) + sum((1 + lam) * g for lam, g in
                                                            zip(lam_fake, fake))
    assert dual.dual_objective(lam_real, lam_fake, real, fake, 2.0) == pytest.approx(
        -(b @ b) / 4.0, rel=1e-13)


def test_primal_objective_is_stable_for_huge_margins():
    # softplus(t) = t + log1p(e^{−t}) ≈ t for t = 800, where exp(t) overflows.
    real, fake, w = np.array([[800.0]]), np.array([[-800.0]]), np.array([1.0])
    value = dual.primal_objective(w, real, fake, c=1.0)
    assert np.isfinite(value)
    assert value == pytest.approx(800 + 800 + 0.5, rel=1e-15)


def test_binary_entropy_edge_values():
    assert dual.binary_entropy(0.0) == 0.0
    assert dual.binary_entropy(1.0) == 0.0
    assert dual.binary_entropy(0.5) == pytest.approx(np.log(2), rel=1e-15)


def test_binary_entropy_matches_scipy_and_is_symmetric():
    p = np.linspace(0.0, 1.0, 41)
    expected = np.array([scipy_entropy([q, 1 - q]) for q in p])  # nats
    h = dual.binary_entropy(p)
    assert h.shape == p.shape
    np.testing.assert_allclose(h, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dual.binary_entropy(1 - p), h, rtol=1e-12, atol=1e-15)
    assert h.max() <= np.log(2) + 1e-15


def test_lambdas_from_w_and_w_from_lambdas_match_spec3(moderate):
    real, fake, w, lam_real, lam_fake = moderate
    lr, lf = dual.lambdas_from_w(w, real, fake)
    np.testing.assert_allclose(lr, -sigmoid(real @ w), rtol=1e-14)  # λ_i = −σ(wᵀx_i)
    np.testing.assert_allclose(lf, -sigmoid(fake @ w), rtol=1e-14)  # λ_j = −σ(wᵀg_j)
    # SPEC 3: λ_i = D_w(x_i) − 1 with D_w(x) = 1/(1 + e^{wᵀx})
    np.testing.assert_allclose(lr, 1 / (1 + np.exp(real @ w)) - 1, rtol=1e-12)
    c = 0.3
    b = np.zeros(3)
    for lam, x in zip(lam_real, real):
        b += lam * x
    for lam, g in zip(lam_fake, fake):
        b += (1 + lam) * g
    np.testing.assert_allclose(dual.w_from_lambdas(lam_real, lam_fake, real, fake, c), b / c,
                               rtol=1e-13)


def test_discriminator_function(moderate):
    real, _, w, _, _ = moderate
    d = dual.discriminator(w, real)
    np.testing.assert_allclose(d, 1 / (1 + np.exp(real @ w)), rtol=1e-13)
    assert ((d > 0) & (d < 1)).all()


def test_relative_gap_definition():
    assert dual.relative_gap(10.0, 9.0) == pytest.approx(0.1)
    assert dual.relative_gap(0.5, 0.25) == pytest.approx(0.25)  # scaled by max(1, |F|) = 1


@st.composite
def problems(draw):
    n, m, d = (draw(st.integers(1, 6)) for _ in range(3))
    values = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
    real = draw(arrays(np.float64, (n, d), elements=values))
    fake = draw(arrays(np.float64, (m, d), elements=values))
    w = draw(arrays(np.float64, (d,), elements=values))
    box = st.floats(-1.0, 0.0, allow_nan=False)
    lam_real = draw(arrays(np.float64, (n,), elements=box))
    lam_fake = draw(arrays(np.float64, (m,), elements=box))
    c = draw(st.floats(1e-2, 1e2))
    return real, fake, w, lam_real, lam_fake, c


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_weak_duality_for_any_w_and_any_lambda_in_the_box(problem):
    # SPEC 3: F(w) ≥ g(λ) for every w and every λ ∈ [−1, 0]^{N+M}.
    real, fake, w, lam_real, lam_fake, c = problem
    f = dual.primal_objective(w, real, fake, c)
    g = dual.dual_objective(lam_real, lam_fake, real, fake, c)
    # F − g is a sum of nonnegative KL terms and ‖cw − b‖²/(2c) (see dual.backends.native);
    # it can only come out negative through rounding, far below 1e-9·max(1, |F|) at n ≤ 12
    assert f >= g - 1e-9 * max(1.0, abs(f))


@pytest.fixture(scope="module")
def solution():
    real, fake = DATASETS["overlapping"]
    return dual.solve(real, fake, 1.0, form="dual", solver="CLARABEL")


def test_solution_discriminator_is_sigma_of_minus_w_x(solution):
    x = np.random.default_rng(21).normal(scale=3.0, size=(50, 2))
    d = solution.discriminator(x)
    assert d.shape == (50,)
    np.testing.assert_allclose(d, 1 / (1 + np.exp(x @ solution.w)), rtol=1e-13)
    assert ((d > 0) & (d < 1)).all()
    # a single sample given as a 1-D vector is one row
    np.testing.assert_allclose(solution.discriminator(x[0]), d[:1], rtol=1e-15)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\)"):
        solution.discriminator(np.ones((4, 3)))


def test_solution_arrays_are_read_only(solution):
    for name in ("w", "lam_real", "lam_fake"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(solution, name)[0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        solution.gap = 0.0


def test_solution_summary_and_lam(solution):
    np.testing.assert_array_equal(solution.lam,
                                  np.concatenate([solution.lam_real, solution.lam_fake]))
    text = solution.summary()
    assert text.startswith("CLARABEL/dual: F=") and "gap=" in text and "kkt=" in text
    assert solution.iterations is not None and solution.iterations > 0
    assert solution.solve_time > 0
