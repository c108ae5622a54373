"""``dual.solve``: one entry point for every backend and both forms, on sample features."""

import numpy as np
from scipy.special import expit

from . import memory
from ._frontend import GAP_WARN_RTOL, project_to_box, run
from ._validation import as_offset, as_pair, check_c, check_scale
from .backends import compiled as compiled_route
from .backends.result import Problem
from .certificate import _certify_stacked
from .objectives import _beta
from .solution import Solution

__all__ = ["GAP_WARN_RTOL", "solve"]


def solve(real, fake, c=1.0, *, offset_real=None, offset_fake=None, form="dual",
          solver="CLARABEL", warm_start=None, check_memory=True, **solver_options):
    """Solve the exact discriminator problem and certify the answer.

    The default, CVXPY with Clarabel on the box dual, is the reference: a general conic solver
    that shares no code with the project's Newton methods, so its answer checks theirs. It pays
    for that with a problem construction on every call (about 0.5 s on the first call at
    N = 300, M = 250, D = 5, most of it cvxpy's import and compilation; tens of milliseconds
    after). For repeated solves, such as one per generator step, use ``solver="native"``: exact
    Newton to the same certified gap, in a few milliseconds at that size.

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

    See Also
    --------
    solve_kernel : the same problem from a Gram matrix (SPEC 7).
    certify : the certificate of any pair (w, λ).

    Examples
    --------
    The fast route, exact Newton on the box dual:

    >>> import numpy as np
    >>> import dual
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(1.0, 1.0, size=(300, 5))      # (N, D)
    >>> fake = rng.normal(-1.0, 1.0, size=(250, 5))     # (M, D)
    >>> sol = dual.solve(real, fake, c=1.0, solver="native")
    >>> sol.w.shape, sol.lam_real.shape, sol.lam_fake.shape
    ((5,), (300,), (250,))
    >>> bool(sol.gap < 1e-8)                            # F(w) - g(λ), certified in float64
    True
    >>> print(f"F(w*) = {sol.primal_value:.6f} nats")
    F(w*) = 23.493242 nats
    >>> sol.discriminator(np.zeros(5))                  # D_w(x) = σ(−wᵀx): 1/2 at wᵀx = 0
    array([0.5])
    >>> bool(sol.discriminator(real).mean() > sol.discriminator(fake).mean())
    True

    The reference, CVXPY and Clarabel (the default), reaches the same optimum:

    >>> ref = dual.solve(real[:30], fake[:30], c=1.0)
    >>> fast = dual.solve(real[:30], fake[:30], c=1.0, solver="native")
    >>> ref.solver, bool(abs(ref.primal_value - fast.primal_value) < 1e-6)
    ('CLARABEL', True)
    """
    route = _Features(real, fake, c, offset_real, offset_fake)
    return run(route, solver, form, warm_start, check_memory, solver_options)


class _Features:
    """The route of :func:`dual._frontend.run` on sample features (SPEC 1–3, 7):
    the validated data, and the steps that depend on it."""

    solution_type = Solution
    auto = True  # form="auto" is offered (by the backends that choose a form)

    def __init__(self, real, fake, c, offset_real, offset_fake):
        self.real, self.fake, squares = as_pair(real, fake, squares=True)  # one pass over each
        self.c = check_c(c)
        self.n_real = self.real.shape[0]
        check_scale(squares, self.n_real + self.fake.shape[0], self.c, "real and fake")
        # the stacked offsets a (SPEC 7), or None when neither is given: zeros made in prepare
        self.offset = None if offset_real is None and offset_fake is None else np.concatenate([
            as_offset(offset_real, self.n_real, "offset_real"),
            as_offset(offset_fake, self.fake.shape[0], "offset_fake")])
        self.problem, self.w, self.scores, self.b, self.beta = None, None, None, None, None
        self.linked = False  # λ = −σ(scores) of these very scores (the primal form)

    def prepare(self, solver, form, warm_start, check_memory):
        # the native backend starts from w0 when F(w0) beats F(0) (another D: a cold start)
        w0 = None if warm_start is None or warm_start.w.shape != (self.real.shape[1],) else \
            warm_start.w
        (n, d), n_fake = self.real.shape, self.fake.shape[0]
        memory.check(lambda: f"stacking real and fake into one ({n + n_fake}, {d}) array",
                     memory.stacked(n + n_fake, d), "the data are held twice while solving "
                     "(yours and the stacked copy): use fewer samples", check_memory)
        self.problem = Problem(n_real=self.n_real, c=self.c,
                               offset=np.zeros(n + n_fake) if self.offset is None else self.offset,
                               features=np.concatenate([self.real, self.fake]))
        return self.problem, {"w0": w0}

    def multipliers(self, raw):
        # The scores t = a + Aw and, in the primal, ∇F(w) are reused from the native backend's
        # last Newton iteration when it hands them over (BackendResult), instead of new passes.
        features, offset = self.problem.features, self.problem.offset
        if raw.w is not None:  # primal form: SPEC 3, 7, λ = −σ(a + Aw)
            self.w, self.linked = raw.w, True
            self.scores = offset + features @ self.w if raw.scores is None else raw.scores
            if raw.grad is not None:  # SPEC 3: b(λ) = Aᵀ(e − σ(t)) = c w − ∇F(w) at λ = −σ(t)
                self.b = self.c * self.w - raw.grad
            return -expit(self.scores), 0.0
        # dual form: project onto the box (a conic solver may step just outside), w = b/c
        lam, box = project_to_box(raw.lam)
        self.beta = _beta(lam, self.n_real)
        self.b = features.T @ self.beta  # SPEC 2, 3g, 7: b(λ) = Aᵀβ
        self.w = self.b / self.c  # SPEC 3: w = b(λ)/c
        if raw.scores is not None and box == 0.0:  # λ unmoved: its scores a + Kβ/c = a + Aw
            self.scores = raw.scores
        return lam, box

    def certify(self, lam, box):
        # in the primal form on small data, F, g and the stationarity in one compiled call
        problem = self.problem
        compiled = compiled_route.module(*problem.features.shape) if self.linked else None
        return _certify_stacked(self.w, lam, problem.features, self.n_real, self.c,
                                problem.offset, box, scores=self.scores, b=self.b,
                                beta=self.beta, linked=self.linked, compiled=compiled)

    def fields(self):
        return {"w": self.w}
