"""Every available CVXPY solver, both forms: strong duality, SPEC 3 maps, KKT, closed forms.

The cvxpy solver-test pattern: each check is parametrized over ``dual.available_solvers()`` and
over the primal (SPEC 1) and box-dual (SPEC 2) forms. The agreement with an independent solver,
scikit-learn's logistic regression, is in ``test_dual_sklearn.py``.
"""

import functools
import importlib.util

import numpy as np
import pytest
from scipy.optimize import brentq

import dual
from dual_testdata import (
    DATASETS,
    gap_bound,
    lam_radius,
    naive_dual,
    naive_primal,
    rounding,
    sigmoid,
    solve_certified,
    solver_options,
    w_radius,
)

SOLVERS = dual.available_solvers()
FORMS = ("primal", "dual")

# Every answer below is held to its own certificate (dual_testdata: ‖w − w*‖ ≤ √(2·gap/c),
# ‖λ − λ*‖ ≤ √(gap/2)), and the certificate to dual's contract: a relative gap above
# dual.GAP_WARN_RTOL warns, which setup.cfg turns into a test error. SCS runs with
# dual_testdata.SCS_OPTIONS (without them it is much looser on the box dual).

# The stated feasibility tolerance of each conic solver as run here: CLARABEL tol_feas and ECOS
# feastol (their defaults, 1e-8), SCS eps_abs = eps_rel (SCS_OPTIONS). A returned multiplier can
# leave the box [−1, 0] by at most this times the size of the canonical problem's variables, the
# largest of which are the objective's epigraph variables, of the order of |F|.
STATED_FEASIBILITY = {"CLARABEL": 1e-8, "ECOS": 1e-8, "SCS": 1e-9}

CASES = [
    ("overlapping", 1.0),
    ("nearly_separable", 1.0),
    ("separated", 1.0),
    ("separated", 1e3),
    ("d50", 1.0),
    ("overlapping", 1e-3),
]
CASE_IDS = [f"{name}-c{c:g}" for name, c in CASES]


@functools.lru_cache(maxsize=None)
def solved(solver, form, name, c):
    real, fake = DATASETS[name]
    return solve_certified(real, fake, c, form=form, solver=solver, **solver_options(solver))


def spectral_norm(name):
    """‖A‖₂ of the stacked samples: the Lipschitz constant of λ ↦ b(λ) and of w ↦ Aw."""
    return float(np.linalg.norm(np.vstack(DATASETS[name]), 2))


def test_the_registry_finds_the_installed_reference_solvers():
    # CLARABEL and SCS come with cvxpy itself; ECOS is the optional [ecos] extra. The registry
    # lists what runs here, CLARABEL (the default) first.
    assert SOLVERS[0] == "CLARABEL"
    assert {"CLARABEL", "SCS"} <= set(SOLVERS)
    assert ("ECOS" in SOLVERS) == (importlib.util.find_spec("ecos") is not None)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_strong_duality_at_the_optimum(solver, form, case):
    sol = solved(solver, form, *case)
    real, fake = DATASETS[case[0]]
    # SPEC 3, weak duality: F(w) ≥ g(λ) for every pair, up to the rounding of their evaluation
    assert sol.gap >= -rounding(sol)
    # SPEC 2, strong duality to dual's accuracy contract (a looser gap would have warned)
    assert sol.relative_gap <= dual.GAP_WARN_RTOL
    # The reported values are F(w) and g(λ) of the reported point, evaluated independently;
    # the two evaluations differ by float64 rounding only.
    assert sol.primal_value == pytest.approx(naive_primal(sol.w, real, fake, case[1]), rel=1e-12)
    inside = (sol.lam > -1.0).all() and (sol.lam < 0.0).all()
    if inside:
        assert sol.dual_value == pytest.approx(
            naive_dual(sol.lam_real, sol.lam_fake, real, fake, case[1]), rel=1e-10, abs=1e-10
        )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_kkt_residuals_are_bounded_by_the_certified_gap(solver, form, case):
    sol = solved(solver, form, *case)
    real, fake = DATASETS[case[0]]
    c = case[1]
    assert sol.form == form and sol.solver == solver and sol.c == c
    assert sol.w.shape == (real.shape[1],)
    assert sol.lam_real.shape == (real.shape[0],) and sol.lam_fake.shape == (fake.shape[0],)
    # SPEC 2: every multiplier in the box [−1, 0]
    assert sol.lam.min() >= -1.0 and sol.lam.max() <= 0.0
    # Residuals recomputed here from SPEC 3, not read from the solution (same formulas: the two
    # evaluations differ by rounding only).
    b = real.T @ sol.lam_real + fake.T @ (1.0 + sol.lam_fake)
    stationarity = np.max(np.abs(c * sol.w - b))
    link = max(np.max(np.abs(sol.lam_real + sigmoid(real @ sol.w))),
               np.max(np.abs(sol.lam_fake + sigmoid(fake @ sol.w))))
    assert sol.kkt.stationarity == pytest.approx(stationarity, rel=1e-9, abs=1e-12)
    assert sol.kkt.link == pytest.approx(link, rel=1e-9, abs=1e-12)
    # At the optimum c·w* = b(λ*) and λ* = −σ(Aw*), so with ‖b(λ) − b(λ*)‖ ≤ ‖A‖₂‖λ − λ*‖ and σ
    # 1/4-Lipschitz:  stationarity ≤ c·r_w + ‖A‖₂·r_λ  and  link ≤ r_λ + ‖A‖₂·r_w / 4.
    norm_a, r_w, r_lam = spectral_norm(case[0]), w_radius(sol), lam_radius(sol)
    assert stationarity <= c * r_w + norm_a * r_lam
    assert link <= r_lam + norm_a * r_w / 4.0
    if solver in STATED_FEASIBILITY:
        assert sol.kkt.box <= STATED_FEASIBILITY[solver] * max(1.0, abs(sol.primal_value))
    assert sol.kkt.max == max(sol.kkt.stationarity, sol.kkt.link, sol.kkt.box)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_primal_and_dual_forms_agree_within_their_certificates(solver, case):
    primal, dual_form = solved(solver, "primal", *case), solved(solver, "dual", *case)
    # SPEC 3: both forms approximate the same (w*, λ*); each is within its own radius of it.
    assert np.linalg.norm(primal.w - dual_form.w) <= w_radius(primal) + w_radius(dual_form)
    assert np.linalg.norm(primal.lam - dual_form.lam) <= lam_radius(primal) + lam_radius(
        dual_form)
    # F* ≤ F(w) ≤ F* + gap and g* − gap ≤ g(λ) ≤ g* = F*, for each solution
    assert abs(primal.primal_value - dual_form.primal_value) <= max(gap_bound(primal),
                                                                    gap_bound(dual_form))
    assert abs(primal.dual_value - dual_form.dual_value) <= max(gap_bound(primal),
                                                                gap_bound(dual_form))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_maps_round_trip_at_the_optimum(solver, form, case):
    sol = solved(solver, form, *case)
    real, fake = DATASETS[case[0]]
    c = case[1]
    # SPEC 3: (w*, λ*) is a fixed point of both round trips. Away from it, w ↦ b(λ(w))/c moves w
    # by ‖∇F(w)‖/c ≤ (L/c)·‖w − w*‖ with L = c + ‖A‖₂²/4 the Lipschitz constant of ∇F, and
    # λ ↦ λ(b(λ)/c) moves λ by at most (1 + ‖A‖₂²/(4c))·‖λ − λ*‖ (σ is 1/4-Lipschitz).
    lipschitz_over_c = 1.0 + spectral_norm(case[0]) ** 2 / (4.0 * c)
    w_again = dual.w_from_lambdas(*dual.lambdas_from_w(sol.w, real, fake), real, fake, c)
    assert np.linalg.norm(w_again - sol.w) <= lipschitz_over_c * w_radius(sol)
    lam_again = np.concatenate(
        dual.lambdas_from_w(dual.w_from_lambdas(sol.lam_real, sol.lam_fake, real, fake, c),
                            real, fake))
    assert np.linalg.norm(lam_again - sol.lam) <= lipschitz_over_c * lam_radius(sol)


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
    # within the solution's own certificate of the closed form (dual_testdata's radii)
    assert abs(sol.w[0] - w_star) <= w_radius(sol)
    assert np.hypot(sol.lam_real[0] + p, sol.lam_fake[0] - (p - 1)) <= lam_radius(sol)
    # F(w) ∈ [F*, F* + gap] and g(λ) ∈ [g* − gap, g*], up to the rounding of F(w), g(λ) and
    # the closed form: one rounding on the lower side, two on the upper side (where gap_bound
    # holds the gap's own)
    assert 0.0 <= sol.primal_value - value + rounding(sol) <= gap_bound(sol) + rounding(sol)
    assert 0.0 <= value - sol.dual_value + rounding(sol) <= gap_bound(sol) + rounding(sol)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_closed_form_identical_real_and_fake_sets(solver, form):
    r"""real = fake = X (N = M rows): F(w) = Σ_i [softplus(wᵀx_i) + softplus(−wᵀx_i)] + (c/2)‖w‖²
    is even in w and strictly convex, so w* = 0. SPEC 3: λ = −σ(0) = −1/2 for every sample, and
    F(0) = (N + M) log 2 = g(−1/2) since b(−1/2) = Σ(−1/2)x_i + Σ(1/2)x_i = 0 and H(1/2) = log 2.
    """
    X = np.random.default_rng(11).normal(size=(12, 3))
    sol = solve_certified(X, X, 0.5, form=form, solver=solver, **solver_options(solver))
    value = 24 * np.log(2)
    # within the solution's own certificate of the closed form (dual_testdata's radii)
    assert np.linalg.norm(sol.w) <= w_radius(sol)
    assert np.linalg.norm(sol.lam + 0.5) <= lam_radius(sol)
    assert 0.0 <= sol.primal_value - value + rounding(sol) <= gap_bound(sol) + rounding(sol)
    assert 0.0 <= value - sol.dual_value + rounding(sol) <= gap_bound(sol) + rounding(sol)


@pytest.mark.parametrize("solver", SOLVERS)
def test_duplicating_every_point_halves_c(solver):
    r"""Each point twice: F_dup(w; c) = 2·F(w; c/2) (SPEC 1), so w*_dup(c) = w*(c/2)."""
    real, fake = DATASETS["overlapping"]
    opts = solver_options(solver)
    doubled = solve_certified(np.vstack([real, real]), np.vstack([fake, fake]), 2.0,
                              form="primal", solver=solver, **opts)
    single = solve_certified(real, fake, 1.0, form="primal", solver=solver, **opts)
    # both approximate the same w*, each within its own certified radius
    assert np.linalg.norm(doubled.w - single.w) <= w_radius(doubled) + w_radius(single)
    # F_dup* = 2 F*: F_dup(w) ∈ [2F*, 2F* + gap_dup] and 2 F(w) ∈ [2F*, 2F* + 2 gap]
    assert abs(doubled.primal_value - 2 * single.primal_value) <= max(gap_bound(doubled),
                                                                      2 * gap_bound(single))
