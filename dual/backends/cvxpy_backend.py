"""The reference backend: SPEC 1 and SPEC 2 written in CVXPY and handed to a conic solver.

Primal (SPEC 1)::

    minimize  Σ logistic(X w) + Σ logistic(−G w) + (c/2)‖w‖²

Box dual (SPEC 2, 3i), with H(−λ) = entr(−λ) + entr(1 + λ)::

    maximize  −‖Xᵀλ_r + Gᵀ(1 + λ_f)‖² / (2c) + Σ entr(−λ) + Σ entr(1 + λ)
    s.t.      −1 ≤ λ ≤ 0

Both are exponential-cone programs. Statuses are handled in one place (:func:`_check_status`).

The problems are rebuilt on every call. Reusing one compiled problem through ``cp.Parameter``
data (DPP) was measured and not kept: at N = M = 200, D = 50 with CLARABEL the first
parametrized solve took 6.2 s (primal) and 1.1 s (dual) to compile, against 0.09 s for a fresh
build and solve, and later solves were no faster (0.06–0.08 s either way): the conic solve, not
the canonicalization, dominates.
"""

import cvxpy as cp
import numpy as np

from ..exceptions import SolverError
from .result import BackendResult

FORMS = ("primal", "dual")

_SOLVED = {cp.OPTIMAL}
_INACCURATE = {cp.OPTIMAL_INACCURATE}


def primal_problem(real, fake, c):
    """The SPEC 1 problem as a ``cvxpy.Problem``; returns ``(problem, w)``."""
    w = cp.Variable(real.shape[1], name="w")
    # SPEC 1: log(1 + e^{wᵀx_i}) and log(1 + e^{−wᵀg_j}); cp.logistic(t) = log(1 + e^t)
    loss = cp.sum(cp.logistic(real @ w)) + cp.sum(cp.logistic(-(fake @ w)))
    return cp.Problem(cp.Minimize(loss + (c / 2.0) * cp.sum_squares(w))), w


def dual_problem(real, fake, c):
    """The SPEC 2 box dual as a ``cvxpy.Problem``; returns ``(problem, lam_real, lam_fake)``."""
    lam_real = cp.Variable(real.shape[0], name="lam_real")
    lam_fake = cp.Variable(fake.shape[0], name="lam_fake")
    # SPEC 2, 3g: b(λ) = Σ λ_i x_i + Σ (1 + λ_j) g_j
    b = real.T @ lam_real + fake.T @ (1.0 + lam_fake)
    # SPEC 2, 3h: H(−λ) = entr(−λ) + entr(1 + λ)
    entropy = sum(cp.sum(cp.entr(-lam) + cp.entr(1.0 + lam)) for lam in (lam_real, lam_fake))
    box = [lam_real >= -1, lam_real <= 0, lam_fake >= -1, lam_fake <= 0]
    objective = cp.Maximize(-cp.sum_squares(b) / (2.0 * c) + entropy)
    return cp.Problem(objective, box), lam_real, lam_fake


def _check_status(problem, solver):
    status = problem.status
    if status in _SOLVED:
        return False
    if status in _INACCURATE:
        return True
    raise SolverError(solver, status)


def solve(real, fake, c, form, solver, warm_start=None, **options):
    """Solve one form with the named CVXPY solver; ``warm_start`` is accepted and ignored.

    Raises
    ------
    dual.SolverError
        When the solver raises or reports a status without a solution.
    """
    if form == "primal":
        problem, w = primal_problem(real, fake, c)
    else:
        problem, lam_real, lam_fake = dual_problem(real, fake, c)
    try:
        problem.solve(solver=solver, **options)
    except cp.error.SolverError as err:
        raise SolverError(solver, "solver_error", str(err)) from err
    inaccurate = _check_status(problem, solver)
    iterations = getattr(problem.solver_stats, "num_iters", None)
    result = BackendResult(form=form, status=problem.status, iterations=iterations,
                           inaccurate=inaccurate)
    if form == "primal":
        result.w = np.asarray(w.value, dtype=np.float64)
    else:
        result.lam_real = np.asarray(lam_real.value, dtype=np.float64)
        result.lam_fake = np.asarray(lam_fake.value, dtype=np.float64)
    return result
