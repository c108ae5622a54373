"""``dual.solve``: one entry point for every backend and both forms, on sample features."""

import time
import warnings

import numpy as np
from scipy.special import expit

from ._validation import as_offset, as_pair, check_c, check_form, check_scale, sum_of_squares
from .backends import resolve_backend
from .backends.result import Problem
from .certificate import _certify, relative_gap
from .exceptions import InaccurateSolutionWarning
from .objectives import _b_of_lambdas, _loss_of_scores, _primal_of_scores, _scores
from .solution import Solution

#: A solution whose relative gap exceeds this draws an :class:`InaccurateSolutionWarning`.
GAP_WARN_RTOL = 1e-6


def solve(real, fake, c=1.0, *, offset_real=None, offset_fake=None, form="dual",
          solver="CLARABEL", warm_start=None, check_memory=True, **solver_options):
    """Solve the exact discriminator problem and certify the answer.

    Parameters
    ----------
    real : array_like, shape (N, D)
        Real samples (numpy array, nested list or CPU torch tensor; any real dtype, computed
        with in float64).
    fake : array_like, shape (M, D)
        Generated samples.
    c : float, default 1.0
        L2 weight, finite and > 0 (SPEC 1).
    offset_real, offset_fake : array_like, shapes (N,) and (M,), optional
        Fixed per-sample score offsets a (SPEC 7): the score of x_k is a_k + wᵀx_k in the
        primal, the dual (linear term −βᵀa), the maps and the certificate. Zero when omitted,
        which is SPEC 1–3.
    form : {"dual", "primal"} (and ``"auto"`` for the native backend)
        Which problem the backend solves: SPEC 1 (primal, D unknowns) or SPEC 2 (box dual,
        N + M unknowns). The other side is filled by the SPEC 3 maps. ``"auto"``: the native
        method predicted to be cheapest on this machine (Newton in the primal or the dual with a
        Cholesky factorization, or Newton-CG in the primal), recorded with its reason in
        ``Solution.choice``; the first such call of a process loads or measures the machine's
        constants (:mod:`dual.calibration`).
    solver : str, default "CLARABEL"
        ``"native"`` or one of :func:`dual.available_solvers`.
    warm_start : Solution, optional
        A previous solution to start from, used by the native backend when it has the same D
        and its F(w) beats the cold start w = 0 (ignored by CVXPY).
    check_memory : bool, default True
        Before the large allocations (the native Hessian or Gram matrix, a CVXPY problem),
        predict their bytes (:mod:`dual.memory`) and raise :class:`dual.ResourceError` when
        they exceed the memory available; with ``form="auto"`` the native backend moves to a
        method that fits instead. ``False`` proceeds anyway.
    **solver_options
        Passed to the backend. Native: ``tol`` (default 1e-10, on the certified relative gap),
        ``max_iter``, ``linear_solver`` (``"cholesky"`` or, in the primal, ``"cg"``); CVXPY:
        ``Problem.solve`` options (``max_iters``, ``eps``, ...).

    Returns
    -------
    Solution
        With F(w) and g(λ) evaluated by the project in float64, the gap and the KKT residuals.

    Raises
    ------
    TypeError, ValueError
        Bad data, offsets, c, form or solver name (the message names the bad value and what
        is allowed), or data too large for float64 at this c
        (:func:`dual._validation.check_scale`).
    dual.SolverError
        The backend returned no solution.
    dual.ResourceError
        The solve is predicted to need more memory than is available (see ``check_memory``).

    Warns
    -----
    dual.InaccurateSolutionWarning
        The certified relative gap exceeds ``GAP_WARN_RTOL`` (the message adds the backend's
        status when the backend flagged it too). A status flagged inaccurate by the backend
        while the certificate is tight is kept in ``Solution.status`` without a warning.
    dual.ConvergenceWarning
        The native backend stopped early (iteration limit or stalled line search).
    """
    real, fake = as_pair(real, fake)
    c = check_c(c)
    n_real = real.shape[0]
    check_scale(sum_of_squares(real, fake), n_real + fake.shape[0], c, "real and fake")
    offset_real = as_offset(offset_real, n_real, "offset_real")
    offset_fake = as_offset(offset_fake, fake.shape[0], "offset_fake")
    backend, name = resolve_backend(solver)
    check_form(form, backend.FORMS)
    if warm_start is not None and not isinstance(warm_start, Solution):
        raise TypeError(
            f"warm_start must be a dual.Solution or None, got {type(warm_start).__name__}"
        )
    w0 = _warm_w(warm_start, real, fake, c, offset_real, offset_fake)

    start = time.perf_counter()
    problem = Problem(n_real=n_real, c=c, offset=np.concatenate([offset_real, offset_fake]),
                      features=np.concatenate([real, fake]))
    raw = backend.solve(problem, form, name, w0=w0, check_memory=check_memory, **solver_options)
    box, scores, b = 0.0, None, None
    if raw.w is not None:  # primal form: SPEC 3, 7, λ = −σ(a + Aw)
        w = raw.w
        scores = _scores(w, real, fake, offset_real, offset_fake)
        lam_real, lam_fake = -expit(scores[0]), -expit(scores[1])
    else:  # dual form: project onto the box (a conic solver may step just outside), w = b/c
        lam, box = project_to_box(raw.lam)
        lam_real, lam_fake = lam[:n_real], lam[n_real:]
        b = _b_of_lambdas(lam_real, lam_fake, real, fake)
        w = b / c  # SPEC 3: w = b(λ)/c
    cert = _certify(w, lam_real, lam_fake, real, fake, c, offset_real, offset_fake, box,
                    scores=scores, b=b)
    elapsed = time.perf_counter() - start

    solution = Solution(
        w=w, lam_real=lam_real, lam_fake=lam_fake, primal_value=cert.primal_value,
        dual_value=cert.dual_value, gap=cert.gap, kkt=cert.kkt, status=raw.status, solver=name,
        form=raw.form, c=c, solve_time=elapsed, iterations=raw.iterations,
        choice=raw.choice,
    )
    warn_if_inaccurate(solution, raw.inaccurate)
    return solution


def _warm_w(warm_start, real, fake, c, offset_real, offset_fake):
    """The previous solution's w when it has this D and F(w) beats the cold start F(0), else
    None (as :func:`dual.solve_kernel` does with β): a w from another problem can be far worse
    than 0, as far as overflowing float64 (c‖w‖²/2 at a much larger c)."""
    if warm_start is None or warm_start.w.shape != (real.shape[1],):
        return None  # another D: a cold start
    w0 = np.asarray(warm_start.w, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        warm = _primal_of_scores(*_scores(w0, real, fake, offset_real, offset_fake), w0, c)
    cold = _loss_of_scores(offset_real, offset_fake)  # SPEC 1, 7: F(0)
    return w0 if warm < cold else None


def project_to_box(lam):
    """Clip multipliers onto [−1, 0]; return them and how far they lay outside (SPEC 2)."""
    box = float(max(0.0, -1.0 - lam.min(), lam.max()))
    return np.clip(lam, -1.0, 0.0), box


def warn_if_inaccurate(solution, flagged, stacklevel=3):
    """Warn with advice when the certified relative gap exceeds :data:`GAP_WARN_RTOL`."""
    # The certificate decides: a backend may flag a status as inaccurate (ECOS does so on some
    # converged duals) while the gap proves the answer; that status stays in solution.status.
    rgap = relative_gap(solution.primal_value, solution.dual_value)
    if abs(rgap) <= GAP_WARN_RTOL:
        return
    reason = f"the certified relative gap is {rgap:.2e} > {GAP_WARN_RTOL:g}"
    if flagged:
        reason += f" and the backend reported status {solution.status!r}"
    warnings.warn(
        f"{solution.solver}/{solution.form}: {reason} (max KKT residual {solution.kkt.max:.2e}). "
        f"Try another solver (solver='native' or 'CLARABEL'), the other form, or tighter "
        f"tolerances (e.g. SCS: eps_abs=1e-9, eps_rel=1e-9, max_iters=100000).",
        InaccurateSolutionWarning,
        stacklevel=stacklevel,
    )
