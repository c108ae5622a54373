"""The reference backend: SPEC 1 and SPEC 2 (with SPEC 7's offsets) in CVXPY, handed to a
conic solver.

Primal (SPEC 1, 7), scores a + Aw::

    minimize  Σ logistic(a_r + X w) + Σ logistic(−a_f − G w) + (c/2)‖w‖²

Box dual (SPEC 2, 3i, 7), with H(−λ) = entr(−λ) + entr(1 + λ) and β = (λ_r, 1 + λ_f)::

    maximize  −‖Xᵀλ_r + Gᵀ(1 + λ_f)‖² / (2c) + Σ entr(−λ) + Σ entr(1 + λ) − βᵀa
    s.t.      −1 ≤ λ ≤ 0

Both are exponential-cone programs. For a Gram matrix K the front end passes the rows of a factor
L (L Lᵀ = K) as the features: then ‖b‖² = ‖Lᵀβ‖² = βᵀKβ, and the primal's w is δ in the
factor's coordinates. Statuses are handled in one place (:func:`_check_status`); cvxpy's own
warning about an inaccurate status is caught where the solve runs, since the status is read here.

The problems are rebuilt on every call. Reusing one compiled problem through ``cp.Parameter``
data (DPP) was measured and not kept: at N = M = 200, D = 50 with CLARABEL the first
parametrized solve took 6.2 s (primal) and 1.1 s (dual) to compile, against 0.09 s for a fresh
build and solve, and later solves were no faster (0.06–0.08 s either way): the conic solve, not
the canonicalization, dominates.
"""

import warnings

import cvxpy as cp
import numpy as np

from .. import memory
from ..exceptions import SolverError
from .result import BackendResult

#: No form="auto": the caller names the problem CVXPY builds (dual.backends.result.FORMS).
CHOOSES_FORM = False

_SOLVED = {cp.OPTIMAL}
_INACCURATE = {cp.OPTIMAL_INACCURATE}
# Statuses that cvxpy also announces with a plain UserWarning of its own (Problem.unpack_results).
_ANNOUNCED = set(cp.settings.INACCURATE) | {cp.settings.INFEASIBLE_OR_UNBOUNDED}


def primal_problem(real, fake, c, offset_real=None, offset_fake=None):
    """The SPEC 1 (SPEC 7 with offsets) problem as a ``cvxpy.Problem``; returns ``(problem, w)``."""
    w = cp.Variable(real.shape[1], name="w")
    t_real, t_fake = real @ w, fake @ w
    if offset_real is not None:  # SPEC 7: scores a + wᵀx; zero offsets build SPEC 1 exactly
        t_real, t_fake = offset_real + t_real, offset_fake + t_fake
    # SPEC 1: log(1 + e^{t_i}) and log(1 + e^{−t_j}); cp.logistic(t) = log(1 + e^t)
    loss = cp.sum(cp.logistic(t_real)) + cp.sum(cp.logistic(-t_fake))
    return cp.Problem(cp.Minimize(loss + (c / 2.0) * cp.sum_squares(w))), w


def dual_problem(real, fake, c, offset_real=None, offset_fake=None):
    """The SPEC 2 box dual (SPEC 7 with offsets); returns ``(problem, lam_real, lam_fake)``."""
    lam_real = cp.Variable(real.shape[0], name="lam_real")
    lam_fake = cp.Variable(fake.shape[0], name="lam_fake")
    # SPEC 2, 3g: b(λ) = Σ λ_i x_i + Σ (1 + λ_j) g_j
    b = real.T @ lam_real + fake.T @ (1.0 + lam_fake)
    # SPEC 2, 3h: H(−λ) = entr(−λ) + entr(1 + λ)
    entropy = sum(cp.sum(cp.entr(-lam) + cp.entr(1.0 + lam)) for lam in (lam_real, lam_fake))
    value = -cp.sum_squares(b) / (2.0 * c) + entropy
    if offset_real is not None:  # SPEC 7: − βᵀa = − Σ λ_i a_i − Σ (1 + λ_j) a_j
        value = value - (offset_real @ lam_real + offset_fake @ (1.0 + lam_fake))
    box = [lam_real >= -1, lam_real <= 0, lam_fake >= -1, lam_fake <= 0]
    return cp.Problem(cp.Maximize(value), box), lam_real, lam_fake


def _check_status(problem, solver):
    status = problem.status
    if status in _SOLVED:
        return False
    if status in _INACCURATE:
        return True
    raise SolverError(solver, status)


def _solve_quietly(problem, solver, options):
    """``problem.solve``, with cvxpy's warning about the status it reports kept back (the status
    is interpreted by :func:`_check_status`); every other warning is passed on unchanged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            problem.solve(solver=solver, **options)
        except cp.error.SolverError as err:
            raise SolverError(solver, "solver_error", str(err)) from err
    for item in caught:
        if item.category is UserWarning and problem.status in _ANNOUNCED:
            continue  # cvxpy's echo of the status, read by _check_status
        warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def solve(problem, form, solver, w0=None, logit0=None, check_memory=True, **options):
    """Solve one form of ``problem`` (a :class:`~dual.backends.result.Problem` with features)
    with the named CVXPY solver; the starting points ``w0`` and ``logit0`` are ignored.

    Raises
    ------
    dual.SolverError
        When the solver raises or reports a status without a solution.
    dual.ResourceError
        With ``check_memory``, when the build and solve are predicted (:func:`dual.memory.
        cvxpy_bytes`) to need more memory than is available.
    """
    a, n_real = problem.features, problem.n_real
    memory.check(f"CVXPY/{solver} {form} on N+M={a.shape[0]} samples of D={a.shape[1]} "
                 f"features", memory.cvxpy_bytes(*a.shape),
                 "CVXPY keeps several copies of the data: use solver='native' (any form), or "
                 "fewer samples", check_memory)
    offsets = (None, None)
    if np.any(problem.offset):
        offsets = (problem.offset[:n_real], problem.offset[n_real:])
    if form == "primal":
        cvx, w = primal_problem(a[:n_real], a[n_real:], problem.c, *offsets)
    else:
        cvx, lam_real, lam_fake = dual_problem(a[:n_real], a[n_real:], problem.c, *offsets)
    _solve_quietly(cvx, solver, options)
    inaccurate = _check_status(cvx, solver)
    iterations = getattr(cvx.solver_stats, "num_iters", None)
    result = BackendResult(form=form, status=cvx.status, iterations=iterations,
                           inaccurate=inaccurate)
    if form == "primal":
        result.w = np.asarray(w.value, dtype=np.float64)
    else:
        result.lam = np.concatenate([lam_real.value, lam_fake.value]).astype(np.float64)
    return result
