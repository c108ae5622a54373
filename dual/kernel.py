"""``dual.solve_kernel``: the discriminator problem from a precomputed Gram matrix (SPEC 7).

With features J_k (one row per sample, P columns, P possibly far larger than N + M) and offsets
a_k, the problem needs only K = J Jᵀ and a: the dual through βᵀKβ, the scores of δ = b(λ)/c
through Kβ/c. This follows scikit-learn's ``kernel="precomputed"`` convention (``SVC``,
``KernelRidge``): fit on the (N+M) × (N+M) matrix, predict from the rows of inner products of new
points with the training samples.

The native backend runs its dual Newton on K itself. Every other route (the CVXPY solvers, and
the native primal) works on a factor L with L Lᵀ = K, from a pivoted Cholesky factorization that
stops at the numerical rank, so that a rank-deficient K, positive semidefinite up to rounding,
is fine: the features L then have rank(K) columns, and the primal's w is δ in those coordinates.
"""

import numpy as np
from scipy.linalg.lapack import dpstrf
from scipy.special import expit

from . import memory
from ._frontend import project_to_box, run
from ._validation import as_gram, as_offset, check_c, check_n_real, check_scale
from .backends import NATIVE
from .backends.result import Problem
from .certificate import _certify_kernel
from .objectives import _dual_of_terms
from .solution import KernelSolution


def solve_kernel(K, n_real, c=1.0, *, offset=None, form="dual", solver="native",
                 warm_start=None, check_input=True, check_memory=True, **solver_options):
    """Solve SPEC 7 from a Gram matrix and certify the answer in float64.

    Parameters
    ----------
    K : array_like, shape (N + M, N + M)
        Gram matrix K_kl = ⟨J_k, J_l⟩ of the samples' features, the N real samples first
        (SPEC 7: the empirical neural tangent kernel for a linearized network).
    n_real : int
        N, the number of real samples (1 ≤ N ≤ N + M − 1).
    c : float, default 1.0
        L2 weight (the inverse trust-region radius in SPEC 7), finite and > 0.
    offset : array_like, shape (N + M,), optional
        Score offsets a_k (SPEC 7); zero when omitted.
    form : {"dual", "primal"}, default "dual"
        ``"dual"``: the box dual in β (native: Newton on K). ``"primal"``: δ in the coordinates
        of a factor L of K.
    solver : str, default "native"
        ``"native"`` or one of :func:`dual.available_solvers`.
    warm_start : KernelSolution, optional
        A previous solution with the same N and M: its multipliers, sample by sample, start the
        native solve if their dual value beats the cold start δ = 0 (λ = −σ(a)); with other
        sizes the cold start is used. Ignored by CVXPY solvers.
    check_input : bool, default True
        Validate K (square, finite, symmetric to 1e-8·max|K|, no eigenvalue below
        −1e-8·trace(K)/n): O(n²) plus one Cholesky factorization, about the cost of one Newton
        iteration. ``False`` skips it for a K known to be a float64 symmetric PSD matrix (as
        J Jᵀ computed by the caller is); a bad K then gives wrong answers or a SolverError.
    check_memory : bool, default True
        Predict the bytes of the checks, the factor of K or the Newton system, and of a CVXPY
        problem (:mod:`dual.memory`) and raise :class:`dual.ResourceError` before allocating
        them when they exceed the memory available; ``False`` proceeds anyway.
    **solver_options
        Passed to the backend (native: ``tol``, ``max_iter``; CVXPY: ``Problem.solve`` options).

    Returns
    -------
    KernelSolution
        ``lam_real``, ``lam_fake``, ``beta``, the certified values, gap and KKT residuals, and
        ``decision_function`` / ``discriminator`` for new points' kernel rows.

    Raises
    ------
    TypeError, ValueError
        Bad K (which check failed is named), n_real, c, offset, form, solver or warm start;
        or K too large for float64 at this c (n·trace(K)/c above ``MAX_SCALE``).
    dual.SolverError
        The backend returned no solution.
    dual.ResourceError
        Predicted to need more memory than is available (see ``check_memory``).

    Warns
    -----
    dual.InaccurateSolutionWarning, dual.ConvergenceWarning
        As :func:`dual.solve`.

    Notes
    -----
    Cost of the native dual at n = N + M: per Newton iteration one n × n Cholesky (n³/3 flops)
    and a few n² products, plus O(n²) for the certificate and the same again with
    ``check_input`` (one more Cholesky). The other routes first factor K (up to n³/3 flops).

    Examples
    --------
    With K = A Aᵀ of explicit features A, the kernel form reaches the optimum of
    :func:`dual.solve` on A, and its weights β give w = Aᵀβ/c:

    >>> import numpy as np
    >>> import dual
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(1.0, 1.0, size=(60, 3))
    >>> fake = rng.normal(-1.0, 1.0, size=(40, 3))
    >>> A = np.vstack([real, fake])                    # real samples first
    >>> ksol = dual.solve_kernel(A @ A.T, n_real=60, c=1.0)
    >>> ksol.beta.shape, bool(ksol.gap < 1e-8)
    ((100,), True)
    >>> sol = dual.solve(real, fake, c=1.0, solver="native")
    >>> bool(np.allclose(A.T @ ksol.beta / 1.0, sol.w, atol=1e-6))
    True
    >>> new = rng.normal(size=(2, 3))                  # new points: their kernel rows
    >>> bool(np.allclose(ksol.discriminator(new @ A.T), sol.discriminator(new), atol=1e-6))
    True
    """
    _check_kernel_memory(K, form, solver, check_input, check_memory)
    route = _Kernel(K, n_real, c, offset, check_input)
    return run(route, solver, form, warm_start, check_memory, solver_options)


class _Kernel:
    """The route of :func:`dual._frontend.run` on a Gram matrix (SPEC 7): the validated K and
    offsets, and the steps that depend on them."""

    solution_type = KernelSolution
    auto = False  # the cost model of form="auto" is for features

    def __init__(self, K, n_real, c, offset, check_input):
        self.gram = as_gram(K) if check_input else np.asarray(K, dtype=np.float64)
        n = self.gram.shape[0]
        self.n_real = check_n_real(n_real, n)
        self.c = check_c(c)
        check_scale(float(np.trace(self.gram)), n, self.c, "K", "trace(K)")
        self.offset = as_offset(offset, n, "offset")
        self.factor = None

    def prepare(self, solver, form, warm_start, check_memory):
        gram, n_real, c, offset = self.gram, self.n_real, self.c, self.offset
        beta0 = _previous_beta(warm_start, n_real, gram.shape[0])
        if solver == NATIVE and form == "dual":
            problem = Problem(n_real=n_real, c=c, offset=offset, gram=gram)
            return problem, {"logit0": _dual_start(gram, n_real, c, offset, beta0)}
        self.factor = factor = gram_factor(gram)
        problem = Problem(n_real=n_real, c=c, offset=offset, features=factor)
        return problem, {"w0": None if beta0 is None else factor.T @ beta0 / c}  # δ = Lᵀβ/c

    def multipliers(self, raw):
        if raw.w is not None:  # SPEC 7: λ = −σ(a + Lz), z the primal in the factor's coordinates
            return -expit(self.offset + self.factor @ raw.w), 0.0
        return project_to_box(raw.lam)

    def certify(self, lam, box):
        return _certify_kernel(lam, self.gram, self.n_real, self.c, self.offset, box)

    def fields(self):
        return {}


def _check_kernel_memory(K, form, solver, check_input, check_memory):
    """The memory guard of :func:`solve_kernel`, before K is converted or checked: the checks'
    buffers, then the symmetric K they keep and either the native dual's Newton system or the
    factor of K (of rank n at most; the backend's own guard follows on the factor's shape)."""
    shape = np.shape(K)
    if not check_memory or len(shape) != 2 or shape[0] != shape[1]:
        return  # a malformed K is refused by the checks, in its own words
    n = int(shape[0])
    converted = not (isinstance(K, np.ndarray) and K.dtype == np.float64)
    checks = memory.gram_checks(n, converted) if check_input else 0
    kept = memory.FLOAT * n * n if (check_input or converted) else 0
    native_dual = isinstance(solver, str) and solver.lower() == NATIVE and form == "dual"
    if native_dual:
        work, part = memory.native_gram_dual(n), "the dual's Newton system"
    else:
        work, part = memory.gram_factor(n), "the factor of K"
    memory.check(f"solve_kernel(form={form!r}, solver={solver!r}) on K of order N+M={n} "
                 f"({part}{' and the checks of K' if check_input else ''})",
                 max(checks, kept + work), "every route needs a few n × n arrays: use fewer "
                 "samples" + ("" if native_dual else ", or solver='native' with form='dual' "
                                                     "(no factor of K)"), check_memory)


def gram_factor(gram):
    """A factor L (n × r) with L Lᵀ = K up to the pivoted Cholesky tolerance, r = numerical rank.

    LAPACK ``dpstrf`` with its default tolerance n·ε·max(diag K) stops once every remaining
    pivot (the diagonal of the Schur complement) is below it, so a positive semidefinite K whose
    rounding made tiny eigenvalues negative is factored as if they were 0. A K of rank 0 gets one
    zero column.
    """
    n = gram.shape[0]
    packed, piv, rank, info = dpstrf(gram, lower=1)
    if info < 0:  # an argument error, not a property of K
        raise ValueError(f"dpstrf rejected its argument {-info}")
    if rank == 0:
        return np.zeros((n, 1))
    factor = np.empty((n, rank))
    factor[piv - 1] = np.tril(packed[:, :rank])  # P L Lᵀ Pᵀ = K
    return factor


def _previous_beta(warm_start, n_real, n):
    """β of a previous solution with the same N and M (samples matched by position), or None."""
    if warm_start is None:
        return None
    if warm_start.lam_real.shape[0] != n_real or warm_start.lam_fake.shape[0] != n - n_real:
        return None
    return warm_start.beta


def _dual_start(gram, n_real, c, offset, beta0):
    """Logits of μ = −λ for the native dual: the previous β when its g beats that of δ = 0."""
    cold = offset  # SPEC 7: δ = 0 gives λ = −σ(a), i.e. logit μ = a
    if beta0 is None:
        return cold
    fake_rows = np.zeros(gram.shape[0])
    fake_rows[n_real:] = 1.0
    mu0 = fake_rows - beta0  # μ = −λ = e − β
    beta_cold = fake_rows - expit(cold)
    if _dual_value(beta0, mu0, gram, c, offset) <= _dual_value(beta_cold, expit(cold), gram, c,
                                                              offset):
        return cold
    with np.errstate(divide="ignore"):  # μ = 0 or 1 gives ∓∞, clipped by the solver
        return np.log(mu0) - np.log1p(-mu0)


def _dual_value(beta, mu, gram, c, offset):
    # SPEC 7: g = −βᵀKβ/(2c) + Σ H(μ_k) − βᵀa
    return _dual_of_terms(float(beta @ gram @ beta) / (2.0 * c), float(beta @ offset), -mu)
