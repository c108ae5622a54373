"""The primal route of the native backend compiled by numba, for small data: the Newton method
and the certificate of its answer.

On a few dozen samples of a few features a Newton step is some hundred flops, and the numpy
route spends its time in the calls, not in them: about 24 numpy calls a step at 0.5–1 µs each,
and about 25 for the certificate. Here one call runs the whole method (the same warm-start test,
iterates, stopping rule and line search as :func:`dual.backends.newton_primal.warm_start`
and :func:`dual.backends.newton_primal.newton_primal`), and one more evaluates F, g and the
stationarity residual (:func:`dual.certificate._certify_stacked`). The Newton system is formed
by one BLAS gemm and factored by LAPACK's Cholesky, both called from the machine code without
Python's dispatch, in the smaller of the two spaces (D × D, or n × n when n < D); the rest is
loops.

Notation of :mod:`dual.backends.native`: A (n, D) stacks the real rows then the fake ones, a the
offsets, t = a + A w the scores, e the indicator of the fake rows (rows n_real and after),
λ = −σ(t) the multipliers and β = e + λ.

Imported only when used (:func:`dual.backends.compiled.module`): ``import dual`` does not pay
for numba. Compiled on the first call and cached on disk (``cache=True``), so that a later
process loads the machine code instead of compiling it again.
"""

import math

import numpy as np
from numba import njit

from ._linesearch import ARMIJO, MIN_STEP

#: How a run ended (the last value returned by :func:`newton_primal`).
CONVERGED, STALLED, MAX_ITER, NOT_SPD = 0, 1, 2, 3


@njit(cache=True)
def _softplus(x):
    # log(1 + eˣ) without overflow, as np.logaddexp(0, x)
    return x + math.log1p(math.exp(-x)) if x > 0.0 else math.log1p(math.exp(x))


@njit(cache=True)
def _sigmoid(x):
    # σ(x) = 1/(1 + e⁻ˣ) without overflow, as scipy.special.expit
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@njit(cache=True)
def _dot(x, y):
    # a loop: BLAS's ddot costs more in its call than in its arithmetic on a few entries
    total = 0.0
    for k in range(x.shape[0]):
        total += x[k] * y[k]
    return total


@njit(cache=True)
def _loss(t, w, n_real, c):
    # SPEC 1, 7: F(w) = Σ_real softplus(t_i) + Σ_fake softplus(−t_j) + (c/2)‖w‖²,
    # with softplus(−t) = softplus(t) − t
    total = 0.0
    for k in range(t.shape[0]):
        total += _softplus(t[k])
    for k in range(n_real, t.shape[0]):
        total -= t[k]
    return total + 0.5 * c * _dot(w, w)


@njit(cache=True)
def _leading_minor(h):
    """The order of the first leading minor of the symmetric ``h`` that is not positive
    definite (LAPACK potrf's info), 0 if none: Cholesky by loops on a copy."""
    h = h.copy()
    d = h.shape[0]
    for k in range(d):
        pivot = h[k, k]
        if not pivot > 0.0:  # NaN included
            return k + 1
        pivot = math.sqrt(pivot)
        for j in range(k + 1, d):
            h[k, j] /= pivot
        for j in range(k + 1, d):
            u = h[k, j]
            for m in range(j, d):
                h[j, m] -= u * h[k, m]
    return 0


@njit(cache=True)
def _spd_solve(matrix, rhs, out):
    """out = matrix⁻¹ rhs for a symmetric positive definite matrix, by LAPACK's Cholesky
    (numpy.linalg.cholesky inside numba) and two triangular solves by loops; returns 0, or the
    order of the leading minor that is not positive definite, as potrf's info."""
    try:
        low = np.linalg.cholesky(matrix)  # L Lᵀ = matrix, L lower
    except Exception:  # LinAlgError: not positive definite (or not finite)
        info = _leading_minor(matrix)
        return info if info > 0 else matrix.shape[0]
    d = matrix.shape[0]
    for k in range(d):  # L y = rhs
        s = rhs[k]
        for j in range(k):
            s -= low[k, j] * out[j]
        out[k] = s / low[k, k]
    for k in range(d - 1, -1, -1):  # Lᵀ x = y, column by column of Lᵀ (row k of L)
        out[k] /= low[k, k]
        for j in range(k):
            out[j] -= low[k, j] * out[k]
    return 0


@njit(cache=True)
def _newton_step(scaled, grad, c, out):
    """out = −(BᵀB + c I)⁻¹ ∇F, B = ``scaled`` (n × D), by one Cholesky factorization of the
    smaller order: of BᵀB + c I (D × D) when D ≤ n, else of B Bᵀ + c I (n × n), through
    (BᵀB + c I)⁻¹ = (I − Bᵀ(B Bᵀ + c I)⁻¹B)/c (both systems have their eigenvalues in
    [c, c + ‖B‖²], so neither loses more accuracy than the other). Returns 0 or the
    :func:`_spd_solve` order that failed."""
    n, d = scaled.shape
    if d <= n:
        system = np.dot(scaled.T, scaled)  # one BLAS gemm
        for j in range(d):
            system[j, j] += c
        info = _spd_solve(system, grad, out)
        for j in range(d):
            out[j] = -out[j]
        return info
    system = np.dot(scaled, scaled.T)
    for i in range(n):
        system[i, i] += c
    b_grad = np.dot(scaled, grad)  # B ∇F
    inner = np.empty(n)
    info = _spd_solve(system, b_grad, inner)
    correction = np.dot(scaled.T, inner)  # Bᵀ(B Bᵀ + c I)⁻¹ B ∇F
    for j in range(d):
        out[j] = (correction[j] - grad[j]) / c
    return info


@njit(cache=True)
def newton_primal(a, offset, n_real, c, w0, tol, max_iter):
    """Damped Newton on F(w) (SPEC 1, 7) from ``w0`` when F(w0) beats the cold start's F(0)
    (as :func:`dual.backends.newton_primal.warm_start` decides), else from w = 0; an empty
    ``w0``: from w = 0.

    Returns ``(w, t, ∇F(w), iterations, how)``: the last iterate, its scores and gradient,
    the Newton steps taken, and how the run ended (:data:`CONVERGED`, :data:`STALLED`,
    :data:`MAX_ITER`, or :data:`NOT_SPD`, when ``iterations`` is replaced by the order of the
    leading minor of ∇²F that is not positive definite).
    """
    n, d = a.shape
    w, t = np.zeros(d), offset.copy()  # SPEC 1, 7: w = 0, scores t = a
    f = _loss(t, w, n_real, c)
    if w0.shape[0] == d:  # a warm start: its scores a + A w0 and F(w0), inf or NaN on overflow
        t_warm = offset.copy()
        for i in range(n):
            t_warm[i] += _dot(a[i], w0)
        f_warm = _loss(t_warm, w0, n_real, c)
        if f_warm < f:
            w, t, f = w0.copy(), t_warm, f_warm
    w_new, t_new = np.empty(d), np.empty(n)
    grad, step, a_step, curv = np.empty(d), np.empty(d), np.empty(n), np.empty(n)
    scaled = np.empty((n, d))
    for iteration in range(max_iter + 1):
        # ∇F(w) = Aᵀ(σ(t) − e) + c w, and σ(t)(1 − σ(t)) for the Hessian
        for j in range(d):
            grad[j] = c * w[j]
        for i in range(n):
            s = _sigmoid(t[i])
            curv[i] = s * (1.0 - s)
            r = s - 1.0 if i >= n_real else s
            for j in range(d):
                grad[j] += r * a[i, j]
        gap = _dot(grad, grad) / (2.0 * c)  # = F(w) − g(λ(w)), certified
        if gap <= tol * max(1.0, abs(f)):
            return w, t, grad, iteration, CONVERGED
        if iteration == max_iter:
            break
        # ∇²F = BᵀB + c I with B = √(σ(1−σ))·A (n × D)
        for i in range(n):
            r = math.sqrt(curv[i])
            for j in range(d):
                scaled[i, j] = r * a[i, j]
        info = _newton_step(scaled, grad, c, step)
        if info != 0:
            return w, t, grad, info, NOT_SPD
        for i in range(n):
            a_step[i] = _dot(a[i], step)
        slope = _dot(grad, step)  # < 0
        # backtracking along w + α·step until Armijo's rule holds (as primal_line_search)
        alpha = 1.0
        while alpha >= MIN_STEP:
            for j in range(d):
                w_new[j] = w[j] + alpha * step[j]
            for i in range(n):
                t_new[i] = t[i] + alpha * a_step[i]
            f_new = _loss(t_new, w_new, n_real, c)
            if f_new <= f + ARMIJO * alpha * slope:
                break
            alpha *= 0.5
        if alpha < MIN_STEP:  # no decrease representable in float64: the gap is at rounding level
            return w, t, grad, iteration, STALLED
        w, w_new = w_new, w
        t, t_new = t_new, t
        f = f_new
    return w, t, grad, max_iter, MAX_ITER


@njit(cache=True)
def _entr(x):
    # entr(x) = −x log x, 0 at x = 0 (scipy.special.entr on [0, 1])
    return -x * math.log(x) if x > 0.0 else 0.0


@njit(cache=True)
def certificate(w, lam, t, b, n_real, c, offset):
    """F(w), g(λ) and the stationarity residual of the certificate
    (:func:`dual.certificate._certify_stacked`) from the scores t = a + A w, b = b(λ) and λ in
    the box; the same sums as its numpy evaluation, in other orders of rounding."""
    primal = 0.0  # SPEC 1, 7: Σ_real softplus(t_i) + Σ_fake softplus(−t_j) + (c/2)‖w‖²
    for k in range(n_real):
        primal += _softplus(t[k])
    for k in range(n_real, t.shape[0]):
        primal += _softplus(-t[k])
    primal += 0.5 * c * _dot(w, w)
    # SPEC 7: g(λ) = −‖b‖²/(2c) + Σ_k H(−λ_k) − βᵀa, β = (λ_real, 1 + λ_fake)
    entropy, linear = 0.0, 0.0
    for k in range(lam.shape[0]):
        entropy += _entr(-lam[k]) + _entr(1.0 + lam[k])
        linear += (lam[k] if k < n_real else 1.0 + lam[k]) * offset[k]
    dual = -_dot(b, b) / (2.0 * c) + entropy - linear
    stationarity = 0.0  # SPEC 2, 3g: ‖c w − b(λ)‖∞, NaN kept as np.max keeps it
    for j in range(w.shape[0]):
        residual = abs(c * w[j] - b[j])
        if not residual <= stationarity:
            stationarity = residual
    return primal, dual, stationarity
