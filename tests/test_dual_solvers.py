"""Every available CVXPY solver, both forms: strong duality, SPEC 3 maps, KKT, closed forms.

The cvxpy solver-test pattern: each check is parametrized over ``dual.available_solvers()`` and
over the primal (SPEC 1) and box-dual (SPEC 2) forms. The agreement with an independent solver,
scikit-learn's logistic regression, is in ``test_dual_sklearn.py``.
"""

import functools

import numpy as np
import pytest
from dual_testdata import (
    DATASETS,
    naive_dual,
    naive_primal,
    sigmoid,
    solve_certified,
    solver_options,
)
from scipy.optimize import brentq

import dual

SOLVERS = dual.available_solvers()
FORMS = ("primal", "dual")

# Tolerances each solver holds on CASES below (SCS with dual_testdata.SCS_OPTIONS), about 3-10x
# the worst value measured here:
#   rgap: |F − g| / max(1, |F|). Measured max: CLARABEL 2.9e-7 (primal, overlapping, c=1e-3),
#         ECOS 1.3e-11, SCS 2.3e-16. dual.solve itself warns above GAP_WARN_RTOL = 1e-6.
#   kkt:  stationarity ‖c·w − b(λ)‖∞ / max(1, c‖w‖∞) and link max|λ + σ(Aw)|.
#         Measured max: CLARABEL 1.3e-4, ECOS 9.6e-6, SCS 3.7e-10.
#   w:    ‖w_primal − w_dual‖∞ / max(1, ‖w‖∞) and ‖λ_primal − λ_dual‖∞.
#         Measured max: CLARABEL 2.9e-5, ECOS 9.2e-6, SCS 1.7e-10.
# With its default options SCS is much looser on the box dual (relative gaps 1e-5..2e-4 and an
# InaccurateSolutionWarning on the separable sets), hence its options.
TOL = {
    "CLARABEL": {"rgap": 1e-6, "kkt": 5e-4, "w": 2e-4},
    "ECOS": {"rgap": 1e-9, "kkt": 1e-4, "w": 1e-4},
    "SCS": {"rgap": 1e-9, "kkt": 1e-8, "w": 1e-8},
}
LOOSEST = {"rgap": 1e-6, "kkt": 5e-4, "w": 2e-4}  # for a solver installed elsewhere

CASES = [
    ("overlapping", 1.0),
    ("nearly_separable", 1.0),
    ("separated", 1.0),
    ("separated", 1e3),
    ("d50", 1.0),
    ("overlapping", 1e-3),
]
CASE_IDS = [f"{name}-c{c:g}" for name, c in CASES]


def tol(solver, key):
    return TOL.get(solver, LOOSEST)[key]


@functools.lru_cache(maxsize=None)
def solved(solver, form, name, c):
    real, fake = DATASETS[name]
    return solve_certified(real, fake, c, form=form, solver=solver, **solver_options(solver))


def test_the_three_reference_solvers_are_available():
    # The environment of this project installs all three (requirements.txt); the registry must
    # find them, CLARABEL (the default) first.
    assert SOLVERS[0] == "CLARABEL"
    assert {"CLARABEL", "ECOS", "SCS"} <= set(SOLVERS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_strong_duality_at_the_optimum(solver, form, case):
    sol = solved(solver, form, *case)
    real, fake = DATASETS[case[0]]
    # SPEC 2: max g = min F; weak duality (F ≥ g) up to float64 rounding of sums of ~100 terms.
    scale = max(1.0, abs(sol.primal_value))
    assert sol.gap >= -1e-12 * scale
    assert abs(sol.gap) <= tol(solver, "rgap") * scale
    assert sol.relative_gap <= tol(solver, "rgap")
    # The reported values are F(w) and g(λ) of the reported point, evaluated independently.
    assert sol.primal_value == pytest.approx(naive_primal(sol.w, real, fake, case[1]), rel=1e-12)
    inside = (sol.lam > -1.0).all() and (sol.lam < 0.0).all()
    if inside:
        assert sol.dual_value == pytest.approx(
            naive_dual(sol.lam_real, sol.lam_fake, real, fake, case[1]), rel=1e-10, abs=1e-10
        )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_kkt_residuals_are_small(solver, form, case):
    sol = solved(solver, form, *case)
    real, fake = DATASETS[case[0]]
    c = case[1]
    assert sol.form == form and sol.solver == solver and sol.c == c
    assert sol.w.shape == (real.shape[1],)
    assert sol.lam_real.shape == (real.shape[0],) and sol.lam_fake.shape == (fake.shape[0],)
    # SPEC 2: every multiplier in the box [−1, 0]
    assert sol.lam.min() >= -1.0 and sol.lam.max() <= 0.0
    # Residuals recomputed here from SPEC 3, not read from the solution.
    b = real.T @ sol.lam_real + fake.T @ (1.0 + sol.lam_fake)
    stationarity = np.max(np.abs(c * sol.w - b))
    link = max(np.max(np.abs(sol.lam_real + sigmoid(real @ sol.w))),
               np.max(np.abs(sol.lam_fake + sigmoid(fake @ sol.w))))
    assert sol.kkt.stationarity == pytest.approx(stationarity, rel=1e-9, abs=1e-12)
    assert sol.kkt.link == pytest.approx(link, rel=1e-9, abs=1e-12)
    assert stationarity <= tol(solver, "kkt") * max(1.0, c * np.abs(sol.w).max())
    assert link <= tol(solver, "kkt")
    assert sol.kkt.box <= 1e-6
    assert sol.kkt.max == max(sol.kkt.stationarity, sol.kkt.link, sol.kkt.box)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_primal_and_dual_forms_agree(solver, case):
    primal, dual_form = solved(solver, "primal", *case), solved(solver, "dual", *case)
    scale = max(1.0, np.abs(primal.w).max())
    # SPEC 3: w from the primal form ≈ w = b(λ)/c from the dual form; λ likewise.
    assert np.abs(primal.w - dual_form.w).max() <= tol(solver, "w") * scale
    assert np.abs(primal.lam - dual_form.lam).max() <= tol(solver, "w")
    assert primal.primal_value == pytest.approx(dual_form.primal_value, rel=tol(solver, "rgap"))
    assert primal.dual_value == pytest.approx(dual_form.dual_value, rel=tol(solver, "rgap"))


# The λ → w map divides by c: at c = 1e-3 a residual of 1e-7 in λ moves w by ~1e-4·‖A‖, so the
# round trip is checked where c ≥ 1 (the scaled stationarity above covers c = 1e-3).
ROUND_TRIP_CASES = [case for case in CASES if case[1] >= 1.0]


@pytest.mark.parametrize("case", ROUND_TRIP_CASES,
                         ids=[f"{n}-c{c:g}" for n, c in ROUND_TRIP_CASES])
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_maps_round_trip_at_the_optimum(solver, form, case):
    sol = solved(solver, form, *case)
    real, fake = DATASETS[case[0]]
    c = case[1]
    w_again = dual.w_from_lambdas(*dual.lambdas_from_w(sol.w, real, fake), real, fake, c)
    assert np.abs(w_again - sol.w).max() <= tol(solver, "w") * max(1.0, np.abs(sol.w).max())
    lam_again = np.concatenate(
        dual.lambdas_from_w(dual.w_from_lambdas(sol.lam_real, sol.lam_fake, real, fake, c),
                            real, fake))
    assert np.abs(lam_again - sol.lam).max() <= tol(solver, "w")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_closed_form_symmetric_pair_in_one_dimension(solver, form):
    r"""D = 1, one real point x = a and one fake point g = −a (a > 0), weight c.

    By the symmetry x ↔ −g the dual optimum has λ_real = −p and 1 + λ_fake = p for one
    p ∈ (0, 1) (SPEC 3: −λ_i and 1 + λ_j are the two misclassification probabilities, equal by
    symmetry). Then b = λ_real·a + (1 + λ_fake)·(−a) = −2ap and (SPEC 2, 3i)

        g(p) = −(2ap)²/(2c) + 2 H(p),   g'(p) = −4a²p/c + 2 log((1 − p)/p) = 0,

    i.e. p solves 2a²p/c = log((1 − p)/p): the left side grows from 0, the right side falls from
    +∞ to 0 at p = 1/2, so the root lies in (0, 1/2) and brentq finds it. Then w* = b/c = −2ap/c,
    and F* = g* = −2a²p²/c + 2H(p). SPEC 3 also requires σ(w*·a) = p.
    """
    a, c = 1.5, 0.7
    p = brentq(lambda q: 2 * a * a * q / c - np.log((1 - q) / q), 1e-12, 0.5, xtol=1e-15)
    entropy = -p * np.log(p) - (1 - p) * np.log(1 - p)
    w_star, value = -2 * a * p / c, -2 * a * a * p * p / c + 2 * entropy
    assert sigmoid(w_star * a) == pytest.approx(p, rel=1e-12)  # the derivation is consistent

    sol = solve_certified([[a]], [[-a]], c, form=form, solver=solver, **solver_options(solver))
    assert sol.w[0] == pytest.approx(w_star, rel=tol(solver, "w"))
    assert sol.lam_real[0] == pytest.approx(-p, abs=tol(solver, "w"))
    assert sol.lam_fake[0] == pytest.approx(p - 1, abs=tol(solver, "w"))
    assert sol.primal_value == pytest.approx(value, rel=tol(solver, "rgap"))
    assert sol.dual_value == pytest.approx(value, rel=tol(solver, "rgap"))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_closed_form_identical_real_and_fake_sets(solver, form):
    r"""real = fake = X (N = M rows): F(w) = Σ_i [softplus(wᵀx_i) + softplus(−wᵀx_i)] + (c/2)‖w‖²
    is even in w and strictly convex, so w* = 0. SPEC 3: λ = −σ(0) = −1/2 for every sample, and
    F(0) = (N + M) log 2 = g(−1/2) since b(−1/2) = Σ(−1/2)x_i + Σ(1/2)x_i = 0 and H(1/2) = log 2.
    """
    X = np.random.default_rng(11).normal(size=(12, 3))
    sol = solve_certified(X, X, 0.5, form=form, solver=solver, **solver_options(solver))
    assert np.abs(sol.w).max() <= tol(solver, "w")
    assert np.abs(sol.lam + 0.5).max() <= tol(solver, "w")
    assert sol.primal_value == pytest.approx(24 * np.log(2), rel=tol(solver, "rgap"))
    assert sol.dual_value == pytest.approx(24 * np.log(2), rel=tol(solver, "rgap"))


@pytest.mark.parametrize("solver", SOLVERS)
def test_duplicating_every_point_halves_c(solver):
    r"""Each point twice: F_dup(w; c) = 2·F(w; c/2) (SPEC 1), so w*_dup(c) = w*(c/2)."""
    real, fake = DATASETS["overlapping"]
    opts = solver_options(solver)
    doubled = solve_certified(np.vstack([real, real]), np.vstack([fake, fake]), 2.0,
                              form="primal", solver=solver, **opts)
    single = solve_certified(real, fake, 1.0, form="primal", solver=solver, **opts)
    assert np.abs(doubled.w - single.w).max() <= tol(solver, "w") * max(1, np.abs(single.w).max())
    assert doubled.primal_value == pytest.approx(2 * single.primal_value, rel=tol(solver, "rgap"))
