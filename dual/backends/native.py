"""The project's own exact backend: damped Newton in the primal (w) or the dual (λ) space.

numpy/scipy, not torch, inside: the data arrive as float64 numpy arrays, the heavy steps are one
BLAS ``syrk`` (the Hessian or the Gram matrix) and one LAPACK Cholesky per iteration, and ``dual``
stays importable without torch. Memory: the stacked data A = [X; G] (linear in the data) plus one
Hessian of the chosen space (D × D in the primal, (N+M) × (N+M) in the dual).

Notation (SPEC 1–3): A stacks the real rows x_i and the fake rows g_j (n = N + M rows); e is the
indicator of the fake rows; t = A w; μ = −λ ∈ (0, 1)ⁿ. Then

    F(w)   = Σ_real softplus(t_i) + Σ_fake softplus(−t_j) + (c/2)‖w‖²
    ∇F(w)  = Aᵀ(σ(t) − e) + c w,        ∇²F(w) = Aᵀ diag(σ(t)(1 − σ(t))) A + c I
    b(μ)   = Aᵀ(e − μ)                  (SPEC 2: b = Σ λ_i x_i + Σ (1 + λ_j) g_j)
    g(μ)   = −‖b(μ)‖²/(2c) + Σ H(μ_k)
    ∇g(μ)  = A b(μ)/c + log((1 − μ)/μ), ∇²g(μ) = −A Aᵀ/c − diag(1/(μ(1 − μ)))

The certified gap has two cancellation-free forms that the stopping rule uses:

    primal iterate w, λ = −σ(Aw):   F(w) − g(λ) = ‖∇F(w)‖² / (2c)
    dual iterate μ,   w = b(μ)/c:   F(w) − g(λ) = Σ_k KL(Bernoulli(μ_k) ‖ Bernoulli(σ(t_k)))

(both follow from softplus(t) + λt − H(−λ) = KL(Bern(−λ) ‖ Bern(σ(t))) ≥ 0, summed over samples,
plus ‖c w − b(λ)‖²/(2c)). Iteration stops when gap ≤ tol · max(1, |F|).
"""

import warnings

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.linalg.blas import dsyrk
from scipy.special import entr, expit

from ..exceptions import ConvergenceWarning, SolverError
from .result import BackendResult

FORMS = ("primal", "dual", "auto")
OPTIONS = ("tol", "max_iter")

_ARMIJO = 1e-4  # sufficient-increase constant of the backtracking line search
_LOGIT_MAX = 700.0  # |logit μ| cap in the dual: μ(1 − μ) ≥ e^−700 stays a normal float


def choose_form(n, d):
    """The cheaper Newton space by SPEC 3's per-step costs: primal n·D² + D³, dual n²·D + n³."""
    return "primal" if n * d * d + d**3 <= n * n * d + n**3 else "dual"


def solve(real, fake, c, form, solver="native", warm_start=None, **options):
    """Solve SPEC 1 (``form="primal"``) or SPEC 2 (``form="dual"``) by damped Newton.

    Parameters
    ----------
    real, fake : ndarray, shapes (N, D) and (M, D), float64 (validated by ``dual.solve``)
    c : float
    form : {"primal", "dual", "auto"}
    warm_start : dual.Solution, optional
        Starts from its ``w`` when the number of features matches (the sample counts may differ:
        the dual start is then λ = −σ(A w) on the new data); otherwise a cold start from w = 0.
    tol : float, default 1e-10
        Stop when the certified gap ≤ tol · max(1, |F|).
    max_iter : int, default 100
        Newton iterations before giving up with a :class:`dual.ConvergenceWarning`.
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)} for solver 'native'; "
                        f"allowed: {list(OPTIONS)}")
    tol, max_iter = _check_options(options.get("tol", 1e-10), options.get("max_iter", 100))
    a = np.concatenate([real, fake])  # (n, D)
    fake_rows = np.zeros(a.shape[0])
    fake_rows[real.shape[0]:] = 1.0
    if form == "auto":
        form = choose_form(*a.shape)
    w0 = None
    if warm_start is not None and warm_start.w.shape == (a.shape[1],):
        w0 = np.asarray(warm_start.w, dtype=np.float64)

    if form == "primal":
        w, iterations, converged, stalled = _newton_primal(a, fake_rows, c, w0, tol, max_iter)
        result = BackendResult(form="primal", status="", iterations=iterations, w=w)
    else:
        logit0 = None if w0 is None else a @ w0  # SPEC 3: μ = −λ = σ(A w)
        mu, iterations, converged, stalled = _newton_dual(a, fake_rows, c, logit0, tol, max_iter)
        n_real = real.shape[0]
        result = BackendResult(form="dual", status="", iterations=iterations,
                               lam_real=-mu[:n_real], lam_fake=-mu[n_real:])
    result.status = "optimal" if converged else ("stalled" if stalled else "max_iter")
    result.inaccurate = not converged
    if not converged:
        warnings.warn(
            f"native/{form}: {'the line search stalled' if stalled else 'max_iter reached'} after "
            f"{iterations} Newton iterations before the relative gap reached tol={tol:g}; "
            f"raise max_iter, loosen tol, or try the other form",
            ConvergenceWarning,
            stacklevel=4,
        )
    return result


def _check_options(tol, max_iter):
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise ValueError(f"tol must be a number in (0, 1), got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise ValueError(f"max_iter must be an integer >= 0, got {max_iter!r}")
    return float(tol), int(max_iter)


def _softplus_loss(t, fake_rows):
    # SPEC 1: softplus(t) for real rows, softplus(−t) = softplus(t) − t for fake rows
    return float(np.logaddexp(0.0, t).sum() - t @ fake_rows)


_SMALL = 32  # below this size numpy's solver has less call overhead than scipy's Cholesky


def _spd_solve(matrix, rhs, solver_form):
    """Solve matrix·x = rhs for a symmetric positive definite matrix given by its upper triangle."""
    try:
        if matrix.shape[0] < _SMALL:
            full = np.triu(matrix) + np.triu(matrix, 1).T
            return np.linalg.solve(full, rhs)
        factor = cho_factor(matrix, lower=False, overwrite_a=True, check_finite=False)
        return cho_solve(factor, rhs, check_finite=False)
    except (LinAlgError, np.linalg.LinAlgError) as err:
        raise SolverError("native", f"{solver_form}: Newton system not positive definite",
                          str(err)) from err


# ---------------------------------------------------------------------------------------------
# Primal: Newton in w (D unknowns)
# ---------------------------------------------------------------------------------------------

def _newton_primal(a, fake_rows, c, w0, tol, max_iter):
    """Damped Newton on F(w); returns (w, iterations, converged, stalled)."""
    d = a.shape[1]
    w = np.zeros(d) if w0 is None else w0.copy()
    t = a @ w
    f = _softplus_loss(t, fake_rows) + 0.5 * c * (w @ w)
    for iteration in range(max_iter + 1):
        sig = expit(t)
        grad = a.T @ (sig - fake_rows) + c * w  # ∇F(w)
        gap = (grad @ grad) / (2.0 * c)  # = F(w) − g(λ(w)), certified
        if gap <= tol * max(1.0, abs(f)):
            return w, iteration, True, False
        if iteration == max_iter:
            break
        # ∇²F = Aᵀ diag(σ(1−σ)) A + c I, formed by one syrk on √(σ(1−σ))·A (upper triangle)
        scaled = a * np.sqrt(sig * (1.0 - sig))[:, None]
        hessian = dsyrk(1.0, scaled.T, trans=0)
        hessian[np.diag_indices(d)] += c
        step = -_spd_solve(hessian, grad, "primal")
        a_step = a @ step
        slope = grad @ step  # < 0: a descent direction
        alpha = 1.0
        while True:
            w_new = w + alpha * step
            t_new = t + alpha * a_step
            f_new = _softplus_loss(t_new, fake_rows) + 0.5 * c * (w_new @ w_new)
            if f_new <= f + _ARMIJO * alpha * slope:
                break
            alpha *= 0.5
            if alpha < 1e-12:  # no decrease representable in float64: the gap is at rounding level
                return w, iteration, False, True
        w, t, f = w_new, t_new, f_new
    return w, max_iter, False, False


# ---------------------------------------------------------------------------------------------
# Dual: Newton in μ = −λ ∈ (0, 1)ⁿ, iterates strictly inside the box
# ---------------------------------------------------------------------------------------------

def _entropy(mu):
    return entr(mu) + entr(1.0 - mu)


def _bernoulli_kl(p, q_logit):
    """Σ KL(Bern(p) ‖ Bern(σ(q_logit))) = Σ [softplus(t) − p t − H(p)], each term ≥ 0."""
    terms = np.logaddexp(0.0, q_logit) - p * q_logit - _entropy(p)
    return float(np.maximum(terms, 0.0).sum())


def _newton_dual(a, fake_rows, c, logit0, tol, max_iter):
    """Damped Newton on g(μ), μ = σ(u) kept strictly inside (0, 1); returns (μ, it, conv, stalled).

    The state is the logit u (μ = σ(u), 1 − μ = σ(−u), log((1−μ)/μ) = −u: no rounding near the
    box's faces), clipped to ±``_LOGIT_MAX`` so that μ(1 − μ) stays a normal float. The Newton
    system (A Aᵀ/c + diag(h)) Δ = ∇g, h = 1/(μ(1−μ)), is solved through the Gram matrix A Aᵀ
    (n × n, formed once) when n ≤ D, and through the Woodbury identity,
    (diag(h) + A Aᵀ/c)⁻¹ = H⁻¹ − H⁻¹A (c I + Aᵀ H⁻¹ A)⁻¹ Aᵀ H⁻¹, when D < n, so that a dual
    step never costs more than a primal one.
    """
    n, d = a.shape
    logit = np.zeros(n) if logit0 is None else np.clip(logit0, -_LOGIT_MAX, _LOGIT_MAX)
    mu = expit(logit)
    gram = dsyrk(1.0, a, trans=0) if n <= d else None  # upper triangle of A Aᵀ
    if gram is not None:
        gram = np.triu(gram) + np.triu(gram, 1).T

    def gram_times(v):  # A Aᵀ v, shape (n,)
        if gram is not None:
            return gram @ v
        return a @ (a.T @ v)

    def entropy(logit):  # Σ H(σ(u)), with 1 − σ(u) taken as σ(−u)
        return float((entr(expit(logit)) + entr(expit(-logit))).sum())

    ab = gram_times(fake_rows - mu)  # A b(μ)
    g = -((fake_rows - mu) @ ab) / (2.0 * c) + entropy(logit)
    for iteration in range(max_iter + 1):
        t = ab / c  # t = A w with w = b(μ)/c
        gap = _bernoulli_kl(mu, t)
        if gap <= tol * max(1.0, abs(g) + gap):
            return mu, iteration, True, False
        if iteration == max_iter:
            break
        grad = t - logit  # ∇g(μ) = A b/c + log((1−μ)/μ)
        var = mu * expit(-logit)  # μ(1 − μ), the diagonal of H⁻¹
        if gram is not None:
            system = gram / c
            system[np.diag_indices(n)] += 1.0 / var
            step = _spd_solve(system, grad, "dual")
        else:
            scaled = a * np.sqrt(var)[:, None]
            inner = dsyrk(1.0, scaled.T, trans=0)
            inner[np.diag_indices(d)] += c
            hg = var * grad
            step = hg - var * (a @ _spd_solve(inner, a.T @ hg, "dual"))
        # Move along the curve μ(α) = σ(u + α Δ/(μ(1−μ))): it stays strictly inside (0, 1),
        # agrees with the Newton step to first order (so the local quadratic rate is kept) and
        # lets a multiplier shrink by many orders of magnitude in one step, as multipliers of
        # well-classified samples must on nearly separable data.
        logit_step = step / var
        slope = grad @ step  # > 0: an ascent direction
        alpha = 1.0
        while True:
            logit_new = np.clip(logit + alpha * logit_step, -_LOGIT_MAX, _LOGIT_MAX)
            mu_new = expit(logit_new)
            ab_new = gram_times(fake_rows - mu_new)
            g_new = -((fake_rows - mu_new) @ ab_new) / (2.0 * c) + entropy(logit_new)
            if g_new >= g + _ARMIJO * alpha * slope:
                break
            alpha *= 0.5
            if alpha < 1e-12:
                return mu, iteration, False, True
        logit, mu, ab, g = logit_new, mu_new, ab_new, g_new
    return mu, max_iter, False, False


__all__ = ["FORMS", "OPTIONS", "choose_form", "solve"]
