"""The native backend's damped Newton method in the primal: w ∈ R^D, one D × D Hessian (one BLAS
``syrk``) and one Cholesky factorization a step, from a warm start when it beats w = 0; on small
data the same method runs compiled (:mod:`dual.backends.compiled`). The notation and the
certified gap ‖∇F(w)‖²/(2c) are :mod:`dual.backends.native`'s."""

import numpy as np
from scipy.linalg.blas import dsyrk
from scipy.special import expit

from ._cholesky import not_positive_definite, spd_solve
from ._linesearch import primal_line_search, softplus_loss
from .result import PRIMAL, NewtonRun


def warm_start(a, offset, fake_rows, c, w0):
    """``(w0, t, F(w0))`` with the scores t = a + A w0 when F(w0) beats the cold start's
    F(0) = Σ softplus(±a), else None: a w from another problem can be far worse than 0, as far
    as overflowing float64 (c‖w‖²/2 at a much larger c)."""
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow makes F(w0) inf or NaN
        t = offset + a @ w0  # SPEC 7: scores a + Aw
        f = softplus_loss(t, fake_rows) + 0.5 * c * float(w0 @ w0)
    return (np.array(w0, dtype=np.float64), t, f) if f < _cold_loss(offset, fake_rows) else None


_COLD_LOSS = {}  # n → F(0) = Σ softplus(0) without offsets, as softplus_loss computes it


def _cold_loss(offset, fake_rows):
    """F(0) = softplus_loss(a, e); without offsets (a = 0, the common case) it depends on n
    only (0ᵀe = 0), and the value softplus_loss gave for that n is reused."""
    if np.count_nonzero(offset):  # (cheaper than offset.any())
        return softplus_loss(offset, fake_rows)
    n = offset.shape[0]
    if n not in _COLD_LOSS:
        _COLD_LOSS[n] = softplus_loss(np.zeros(n), fake_rows)
    return _COLD_LOSS[n]


def newton_primal(a, offset, fake_rows, c, warm, tol, max_iter):
    """Damped Newton on F(w) from ``warm`` (:func:`warm_start`) or w = 0; returns a
    :class:`~dual.backends.result.NewtonRun` with ``w``."""
    if warm is None:  # SPEC 1, 7: w = 0, scores t = a
        w, t = np.zeros(a.shape[1]), offset.copy()
        f = softplus_loss(t, fake_rows)
    else:
        w, t, f = warm
    for iteration in range(max_iter + 1):
        sig = expit(t)
        grad = a.T @ (sig - fake_rows) + c * w  # ∇F(w)
        gap = (grad @ grad) / (2.0 * c)  # = F(w) − g(λ(w)), certified
        if gap <= tol * max(1.0, abs(f)):
            return NewtonRun(PRIMAL, iteration, True, False, w=w, scores=t, grad=grad)
        if iteration == max_iter:
            break
        step = -_primal_newton_step(a, sig, grad, c)
        accepted = primal_line_search(w, t, f, step, a @ step, grad @ step, c, fake_rows)
        if accepted is None:  # no decrease representable in float64: the gap is at rounding level
            return NewtonRun(PRIMAL, iteration, False, True, w=w, scores=t, grad=grad)
        w, t, f = accepted
    return NewtonRun(PRIMAL, max_iter, False, False, w=w, scores=t, grad=grad)


def _primal_newton_step(a, sig, grad, c):
    """(∇²F)⁻¹ ∇F; its n × D and D × D temporaries are freed on return, before the next ones."""
    # ∇²F = Aᵀ diag(σ(1−σ)) A + c I, formed by one syrk on √(σ(1−σ))·A (upper triangle)
    scaled = a * np.sqrt(sig * (1.0 - sig))[:, None]
    hessian = dsyrk(1.0, scaled.T, trans=0)  # scaled.T is Fortran-ordered: syrk copies nothing
    del scaled
    hessian.flat[::a.shape[1] + 1] += c
    return spd_solve(hessian, grad, "primal")


_NO_START = np.empty(0)


def compiled_primal(compiled, problem, w0, tol, max_iter):
    """:func:`warm_start` and :func:`newton_primal` by one call of ``compiled.newton_primal``: the
    same start, iterates, stopping rule and line search; a NewtonRun as it returns."""
    w, t, grad, iterations, how = compiled.newton_primal(
        problem.features, problem.offset, problem.n_real, problem.c,
        _NO_START if w0 is None else w0, tol, max_iter)
    if how == compiled.NOT_SPD:
        raise not_positive_definite(iterations, "primal")
    return NewtonRun(PRIMAL, iterations, how == compiled.CONVERGED, how == compiled.STALLED,
                     w=w, scores=t, grad=grad)


__all__ = ["compiled_primal", "newton_primal", "warm_start"]
