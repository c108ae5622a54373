"""Agreement with an independent solver: scikit-learn's logistic regression (SPEC 1).

Label real samples 0 and fakes 1; ``LogisticRegression(C=1/c, fit_intercept=False)`` then
minimizes F/c, so its ``coef_`` is w*. The oracle is newton-cg with ``tol=1e-12`` (its gradient
test), and its own convergence is checked here with a gradient written out from SPEC 1.
"""

import functools

import numpy as np
import pytest
from dual_testdata import DATASETS, naive_primal, sigmoid, solve_certified, solver_options

import dual

sklearn_linear = pytest.importorskip("sklearn.linear_model")

SOLVERS = dual.available_solvers()
FORMS = ("primal", "dual")
C_VALUES = (1e-3, 1.0, 1e3)

# ‖w − w_sklearn‖∞ / max(1, ‖w_sklearn‖∞) and (F(w) − F(w_sklearn)) / max(1, F), per solver.
# Measured max over the grid below: w: CLARABEL 2.3e-5 (dual, overlapping, c=1e-3), ECOS 9.5e-6
# (dual, separated, c=1e-3), SCS 3.2e-6 (primal, separated, c=1e-3); F: CLARABEL 8.5e-11,
# ECOS 1.0e-10, SCS 1.3e-12; the oracle's F minus the solver's g: at most 3.6e-7 (ECOS, d50).
# ECOS flags one converged box dual 'optimal_inaccurate' (nearly_separable, c=1e3; certified
# relative gap ~1e-12): solve_certified lets that flag through and the certificate is checked.
W_TOL = {"CLARABEL": 2e-4, "ECOS": 1e-4, "SCS": 3e-5}
F_TOL = {"CLARABEL": 1e-9, "ECOS": 1e-9, "SCS": 1e-9}

# SCS on the box dual with c = 1e-3 and (nearly) separable data: the optimal λ crowd the box
# corners, where the entropy's exponential cones are badly scaled; with eps 1e-9 and 20000
# (or 100000) iterations SCS stops at relative gaps 5e-6..2e-4 and dual.solve rightly warns.
SCS_DUAL_HARD = {("separated", 1e-3), ("nearly_separable", 1e-3), ("d50", 1e-3)}


@functools.lru_cache(maxsize=None)
def oracle(name, c):
    real, fake = DATASETS[name]
    X = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]  # real 0, fake 1 (SPEC 1)
    model = sklearn_linear.LogisticRegression(
        C=1.0 / c, fit_intercept=False, tol=1e-12, max_iter=10000, solver="newton-cg"
    ).fit(X, y)
    return model.coef_.ravel().copy()


def spec1_gradient(w, real, fake, c):
    # ∇F(w) = Σ σ(wᵀx_i) x_i − Σ σ(−wᵀg_j) g_j + c w (SPEC 1, differentiated by hand)
    return real.T @ sigmoid(real @ w) - fake.T @ sigmoid(-(fake @ w)) + c * w


@pytest.mark.parametrize("c", C_VALUES)
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_oracle_itself_is_converged(name, c):
    real, fake = DATASETS[name]
    w = oracle(name, c)
    assert np.abs(spec1_gradient(w, real, fake, c)).max() <= 1e-9 * max(1.0, c)


@pytest.mark.parametrize("c", C_VALUES)
@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_matches_sklearn(solver, form, name, c):
    if solver == "SCS" and form == "dual" and (name, c) in SCS_DUAL_HARD:
        pytest.skip("SCS does not reach a 1e-6 relative gap on this box dual (measured)")
    real, fake = DATASETS[name]
    w_ref = oracle(name, c)
    sol = solve_certified(real, fake, c, form=form, solver=solver, **solver_options(solver))
    w_tol, f_tol = W_TOL.get(solver, 2e-4), F_TOL.get(solver, 1e-9)

    assert np.abs(sol.w - w_ref).max() <= w_tol * max(1.0, np.abs(w_ref).max())
    f_ref = naive_primal(w_ref, real, fake, c)  # |wᵀx| < 60 here: log1p(exp(.)) is exact enough
    scale = max(1.0, abs(f_ref))
    # F(w*) is the minimum: the solver's w cannot beat the oracle by more than rounding ...
    assert sol.primal_value >= f_ref - 1e-12 * scale
    assert sol.primal_value - f_ref <= f_tol * scale
    # ... and its dual value is a lower bound on the oracle's objective (weak duality, SPEC 3).
    assert sol.dual_value <= f_ref + 1e-12 * scale
    assert f_ref - sol.dual_value <= 1e-6 * scale
