"""Per-sample score offsets a_k (SPEC 7: wᵀx_k → a_k + wᵀx_k) in every backend and both forms.

Oracles: the offset primal minimized from scratch by ``scipy.optimize.minimize`` with its gradient
written out here, and (when installed) statsmodels' binomial GLM with ``offset=``; zero offsets
must reproduce the plain problem bit for bit.
"""

import functools
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

import dual
from dual_testdata import (
    DATASETS,
    gap_bound,
    lam_radius,
    moderate,
    naive_dual,
    oracle_radius,
    rounding,
    sigmoid,
    solver_options,
    spec_gradient,
    w_radius,
)

SOLVERS = ["native"] + dual.available_solvers()
FORMS = ("primal", "dual")
NATIVE_TOL = 1e-10  # the native backend's default tol on the relative gap


def _offsets(name, scale, seed):
    real, fake = DATASETS[name]
    rng = np.random.default_rng(seed)
    return scale * rng.normal(size=len(real)), scale * rng.normal(size=len(fake))


# name -> (real, fake, offset_real, offset_fake, c); offsets of the size of the scores
CASES = {
    "overlapping": (*DATASETS["overlapping"], *_offsets("overlapping", 1.0, 50), 1.0),
    "separated-large-offsets": (*DATASETS["separated"], *_offsets("separated", 3.0, 51), 0.5),
    "d50": (*DATASETS["d50"], *_offsets("d50", 0.5, 52), 2.0),
}


def spec7_primal(w, real, fake, a_real, a_fake, c):
    """F(w) = Σ softplus(a_i + wᵀx_i) + Σ softplus(−a_j − wᵀg_j) + (c/2)‖w‖² (SPEC 7)."""
    return (np.logaddexp(0.0, a_real + real @ w).sum()
            + np.logaddexp(0.0, -(a_fake + fake @ w)).sum() + 0.5 * c * (w @ w))


@functools.lru_cache(maxsize=None)
def scipy_oracle(name):
    real, fake, a_real, a_fake, c = CASES[name]
    result = minimize(spec7_primal, np.zeros(real.shape[1]), args=(real, fake, a_real, a_fake, c),
                      jac=lambda w, *args: spec_gradient(w, real, fake, c, a_real, a_fake),
                      method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 10000})
    return result.x


# SCS's box dual with offsets this large stops at 20000 iterations above dual's relative-gap
# threshold (a few seconds, and dual.solve warns); its answer is held to its own certificate.
SCS_HARD = ("SCS", "dual", "separated-large-offsets")


@functools.lru_cache(maxsize=None)
def solved(solver, form, name):
    real, fake, a_real, a_fake, c = CASES[name]
    with warnings.catch_warnings():
        if (solver, form, name) == SCS_HARD:
            warnings.simplefilter("ignore", dual.InaccurateSolutionWarning)
        return dual.solve(real, fake, c, offset_real=a_real, offset_fake=a_fake, form=form,
                          solver=solver, **solver_options(solver))


GRID = [pytest.param(solver, form, name, id=f"{solver}-{form}-{name}",
                     marks=[pytest.mark.slow] if (solver, form, name) == SCS_HARD else [])
        for solver in SOLVERS for form in FORMS for name in sorted(CASES)]


@pytest.mark.parametrize("solver, form, name", GRID)
def test_offsets_match_scipy_minimize(solver, form, name):
    real, fake, a_real, a_fake, c = CASES[name]
    w_ref = scipy_oracle(name)
    sol = solved(solver, form, name)
    # ‖w − w*‖ ≤ √(2·gap/c) for the solution and ‖w_ref − w*‖ ≤ ‖∇F(w_ref)‖/c for the oracle
    r_ref = oracle_radius(w_ref, real, fake, c, a_real, a_fake)
    assert np.linalg.norm(sol.w - w_ref) <= w_radius(sol) + r_ref
    # F(w_ref) ≥ F* ≥ F(w) − gap, and F(w_ref) ≤ F* + ‖∇F(w_ref)‖²/(2c)
    f_ref = spec7_primal(w_ref, real, fake, a_real, a_fake, c)
    assert sol.primal_value - gap_bound(sol) <= f_ref + rounding(sol)
    assert f_ref - c * r_ref**2 / 2.0 <= sol.primal_value + rounding(sol)


@pytest.mark.parametrize("solver, form, name", GRID)
def test_strong_duality_and_maps_with_offsets(solver, form, name):
    real, fake, a_real, a_fake, c = CASES[name]
    sol = solved(solver, form, name)
    assert sol.gap >= -rounding(sol)  # weak duality, SPEC 3
    if (solver, form, name) != SCS_HARD:  # there dual.solve warned about the loose gap
        limit = NATIVE_TOL if solver == "native" else dual.GAP_WARN_RTOL
        assert sol.relative_gap <= limit + rounding(sol) / max(1.0, abs(sol.primal_value))
    # the certificate is F and g of SPEC 7, written out independently
    assert sol.primal_value == pytest.approx(
        spec7_primal(sol.w, real, fake, a_real, a_fake, c), rel=1e-12)
    assert sol.dual_value == pytest.approx(
        naive_dual(sol.lam_real, sol.lam_fake, real, fake, c)
        - sol.lam_real @ a_real - (1.0 + sol.lam_fake) @ a_fake, rel=1e-10, abs=1e-10)
    # SPEC 7 maps at the optimum: λ* = −σ(a + Aw*); the link residual is bounded by the gap
    # (σ is 1/4-Lipschitz, see test_dual_solvers)
    norm_a = np.linalg.norm(np.vstack([real, fake]), 2)
    link = np.abs(sol.lam + sigmoid(np.r_[a_real + real @ sol.w, a_fake + fake @ sol.w])).max()
    assert link == pytest.approx(sol.kkt.link, rel=1e-9, abs=1e-12)
    assert link <= lam_radius(sol) + norm_a * w_radius(sol) / 4.0


@pytest.mark.parametrize("solver, form", [("native", "auto")] + [
    (solver, form) for solver in SOLVERS for form in FORMS])
def test_zero_offsets_reproduce_the_plain_problem_bitwise(solver, form):
    real, fake = DATASETS["overlapping"]
    options = solver_options(solver)
    plain = dual.solve(real, fake, 1.0, form=form, solver=solver, **options)
    zero = dual.solve(real, fake, 1.0, offset_real=np.zeros(len(real)),
                      offset_fake=np.zeros(len(fake)), form=form, solver=solver, **options)
    for name in ("w", "lam_real", "lam_fake"):
        np.testing.assert_array_equal(getattr(zero, name), getattr(plain, name))
    assert (zero.primal_value, zero.dual_value, zero.kkt) == (
        plain.primal_value, plain.dual_value, plain.kkt)


def test_objectives_and_maps_with_offsets_match_spec7(moderate_with_offsets):
    real, fake, w, lam_real, lam_fake, a_real, a_fake = moderate_with_offsets
    c = 0.6
    kwargs = {"offset_real": a_real, "offset_fake": a_fake}
    assert dual.primal_objective(w, real, fake, c, **kwargs) == pytest.approx(
        spec7_primal(w, real, fake, a_real, a_fake, c), rel=1e-13)
    # SPEC 7: the linear term −Σ λ_i a_i − Σ (1 + λ_j) a_j joins SPEC 2's dual
    assert dual.dual_objective(lam_real, lam_fake, real, fake, c, **kwargs) == pytest.approx(
        naive_dual(lam_real, lam_fake, real, fake, c) - lam_real @ a_real
        - (1 + lam_fake) @ a_fake, rel=1e-12)
    lr, lf = dual.lambdas_from_w(w, real, fake, **kwargs)
    np.testing.assert_allclose(lr, -sigmoid(a_real + real @ w), rtol=1e-14)
    np.testing.assert_allclose(lf, -sigmoid(a_fake + fake @ w), rtol=1e-14)
    # D(x) = σ(−(a + wᵀx)), the probability that x is real
    np.testing.assert_allclose(dual.discriminator(w, real, a_real),
                               1 / (1 + np.exp(a_real + real @ w)), rtol=1e-13)
    # zero offsets are the plain objectives, bit for bit
    zeros = {"offset_real": np.zeros(len(real)), "offset_fake": np.zeros(len(fake))}
    assert dual.primal_objective(w, real, fake, c, **zeros) == dual.primal_objective(
        w, real, fake, c)
    assert dual.dual_objective(lam_real, lam_fake, real, fake, c, **zeros) == dual.dual_objective(
        lam_real, lam_fake, real, fake, c)


def test_weak_duality_with_offsets_for_random_pairs(moderate_with_offsets):
    # SPEC 3, 7: F(w) − g(λ) ≥ 0 for every w and every λ in the box
    real, fake, _, _, _, a_real, a_fake = moderate_with_offsets
    rng = np.random.default_rng(53)
    for _ in range(200):
        w = rng.normal(scale=2.0, size=real.shape[1])
        lam_real, lam_fake = -rng.uniform(size=len(real)), -rng.uniform(size=len(fake))
        cert = dual.certify(w, lam_real, lam_fake, real, fake, 0.3, offset_real=a_real,
                            offset_fake=a_fake)
        assert cert.gap >= -1e-12 * max(1.0, abs(cert.primal_value))


def test_solution_discriminator_takes_the_new_points_offsets():
    real, fake, a_real, a_fake, c = CASES["overlapping"]
    sol = solved("native", "dual", "overlapping")
    x = np.random.default_rng(54).normal(size=(7, real.shape[1]))
    a = np.linspace(-2, 2, 7)
    np.testing.assert_allclose(sol.discriminator(x, a), 1 / (1 + np.exp(a + x @ sol.w)),
                               rtol=1e-13)
    np.testing.assert_allclose(sol.discriminator(x), 1 / (1 + np.exp(x @ sol.w)), rtol=1e-13)
    # at the training samples, D = 1 + λ (SPEC 3, 7) up to the link residual
    np.testing.assert_allclose(sol.discriminator(real, a_real), 1 + sol.lam_real,
                               atol=sol.kkt.link * 1.000001)
    with pytest.raises(ValueError, match=r"offset must have shape \(7,\), one per new point"):
        sol.discriminator(x, a[:3])


def test_offsets_match_statsmodels_glm():
    sm = pytest.importorskip("statsmodels.api")
    real, fake, a_real, a_fake, c = CASES["overlapping"]
    # SPEC 7 as a binomial GLM: y = 1 for fakes, P(y = 1) = σ(a + wᵀx) = 1 − D(x), with the
    # penalty (c/2)‖w‖² as statsmodels' alpha/2·‖w‖² on the mean log-likelihood: alpha = c/n
    x, y, a = np.vstack([real, fake]), np.r_[np.zeros(len(real)), np.ones(len(fake))], np.r_[
        a_real, a_fake]
    glm = sm.GLM(y, x, family=sm.families.Binomial(), offset=a).fit_regularized(
        alpha=c / len(y), L1_wt=0.0, cnvrg_tol=1e-12, maxiter=1000)
    w_ref = np.asarray(glm.params)
    sol = solved("native", "dual", "overlapping")
    # statsmodels' coordinate descent stops loosely: its own gradient bounds its error
    r_ref = oracle_radius(w_ref, real, fake, c, a_real, a_fake)
    assert np.linalg.norm(sol.w - w_ref) <= w_radius(sol) + r_ref


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"offset_real": np.zeros(3)}, ValueError, r"offset_real must have shape \(30,\), got "
                                               r"shape \(3,\)"),
    ({"offset_fake": np.zeros((25, 1))}, ValueError, r"offset_fake must have shape \(25,\), got "
                                                     r"shape \(25, 1\)"),
    ({"offset_fake": np.r_[np.nan, np.zeros(24)]}, ValueError,
     r"offset_fake must be finite; entry \(0,\) is nan"),
    ({"offset_real": ["a"] * 30}, TypeError, r"offset_real must hold real numbers, got dtype <U1"),
])
@pytest.mark.parametrize("solver", ["native", "CLARABEL"])
def test_bad_offsets_are_named(solver, kwargs, error, pattern):
    real, fake = DATASETS["overlapping"]
    with pytest.raises(error, match=pattern):
        dual.solve(real, fake, solver=solver, **kwargs)
    with pytest.raises(error, match=pattern):
        dual.primal_objective(np.zeros(2), real, fake, **kwargs)


@pytest.fixture
def moderate_with_offsets():
    *data, rng = moderate(55)
    return (*data, rng.normal(size=7), rng.normal(size=5))
