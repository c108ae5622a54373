"""The native backend's damped Newton method in the dual: μ = −λ ∈ (0, 1)ⁿ, iterates strictly
inside the box, on a Gram matrix K (SPEC 7) or on features through K = A Aᵀ (:class:`GramSystem`)
or the Woodbury identity (:class:`WoodburySystem`, D < n). The notation and the certified gap
Σ KL(Bernoulli(μ_k) ‖ Bernoulli(σ(t_k))) are :mod:`dual.backends.native`'s.

Cost of one iteration on a Gram matrix of order n: one n × n Cholesky (n³/3 flops) and, per
line-search trial, one product K β (n² flops); 3–8 iterations from δ = 0, fewer from a warm
start.
"""

import numpy as np
from scipy.linalg.blas import dsyrk
from scipy.special import entr, expit

from .. import memory
from ._cholesky import spd_solve
from ._linesearch import ARMIJO, MIN_STEP
from .result import DUAL, NewtonRun

_LOGIT_MAX = 700.0  # |logit μ| cap: μ(1 − μ) ≥ e^−700 stays a normal float


class GramSystem:
    """The dual's quadratic term through an explicit Gram matrix K = A Aᵀ (n × n): a product
    costs n², a Newton system (K/c + diag(h)) Δ = ∇g one n × n Cholesky."""

    def __init__(self, gram):
        self.gram = gram

    @classmethod
    def of_features(cls, a):
        # upper triangle of A Aᵀ as (Aᵀ)ᵀ(Aᵀ), Aᵀ Fortran-ordered (no copy); the lower one is 0
        gram = dsyrk(1.0, a.T, trans=1)
        gram += np.triu(gram, 1).T  # K in full, through one n × n temporary
        return cls(gram)

    def times(self, v):  # K v, shape (n,)
        return self.gram @ v

    def newton_step(self, var, grad, c):  # (K/c + diag(1/var))⁻¹ grad
        # Fortran order, so that the factorization runs in place (K is symmetric)
        system = np.divide(self.gram, c, order="F")
        system.flat[::system.shape[0] + 1] += 1.0 / var
        return spd_solve(system, grad, "dual")


class WoodburySystem:
    """The same through the features when D < n, by the Woodbury identity
    (diag(h) + A Aᵀ/c)⁻¹ = H⁻¹ − H⁻¹A (c I + Aᵀ H⁻¹ A)⁻¹ Aᵀ H⁻¹: a D × D Cholesky, so that a
    dual step never costs more than a primal one.

    The identity subtracts two nearly equal vectors when the features' scales spread over many
    decades (one entry of 1e8 among entries of order 1 is enough: the dual then stalled at a
    relative gap of 2). Each step is therefore checked against the system it solves, by one
    product with A Aᵀ; a step off by more than ``WOODBURY_RTOL`` is solved again through the
    n × n Gram matrix (formed once, if it fits in the available memory, :mod:`dual.memory`),
    whose Cholesky factorization has no such cancellation.
    """

    def __init__(self, a):
        self.a = a
        self.gram = None  # the fallback, formed on the first inaccurate step

    def times(self, v):  # A Aᵀ v, shape (n,)
        return self.a @ (self.a.T @ v)

    def newton_step(self, var, grad, c):
        a = self.a
        scaled = a * np.sqrt(var)[:, None]
        inner = dsyrk(1.0, scaled.T, trans=0)
        del scaled
        inner.flat[::a.shape[1] + 1] += c
        hg = var * grad
        step = hg - var * (a @ spd_solve(inner, a.T @ hg, "dual"))
        residual = step / var + self.times(step) / c - grad  # (H + A Aᵀ/c) step − ∇g
        if self.gram is None:
            if np.linalg.norm(residual) <= WOODBURY_RTOL * np.linalg.norm(grad):
                return step
            n = a.shape[0]
            if not memory.fits(memory.native_dual(n, n)):
                return step  # the best step available in this memory
            self.gram = GramSystem.of_features(a)
        return self.gram.newton_step(var, grad, c)


#: A Woodbury step whose residual exceeds this fraction of ‖∇g‖ is solved again (inexact Newton
#: converges for any fraction below 1; a cancelled step is off by order 1).
WOODBURY_RTOL = 1e-6


def _clip_logit(logit):
    # |u| ≤ _LOGIT_MAX; np.minimum/np.maximum, as np.clip costs a few µs more a call
    return np.minimum(np.maximum(logit, -_LOGIT_MAX), _LOGIT_MAX)


def newton_dual(system, offset, fake_rows, c, logit0, tol, max_iter):
    """Damped Newton on g(μ), μ = σ(u) kept strictly inside (0, 1); returns a
    :class:`~dual.backends.result.NewtonRun` with λ = −μ.

    The state is the logit u (μ = σ(u), 1 − μ = σ(−u), log((1−μ)/μ) = −u: no rounding near the
    box's faces), clipped to ±``_LOGIT_MAX`` so that μ(1 − μ) stays a normal float. ``system``
    applies K = A Aᵀ and solves the Newton system (K/c + diag(h)) Δ = ∇g, h = 1/(μ(1−μ)).
    With β = e − μ (SPEC 7: β = λ + e), g(μ) = −βᵀKβ/(2c) + Σ H(μ_k) − βᵀa and its gradient is
    t − u with t = a + Kβ/c the scores of δ = b/c. Each point's σ(±u) and entropies serve its
    value, its gap and its Newton step alike.
    """

    def point(logit):  # (u, μ, 1 − μ = σ(−u), H(μ_k) per sample, Kβ, g) at u
        mu, rest = expit(logit), expit(-logit)
        entropy = entr(mu) + entr(rest)
        beta = fake_rows - mu
        k_beta = system.times(beta)  # K β = A b(μ)
        g = -(beta @ k_beta) / (2.0 * c) + float(entropy.sum()) - beta @ offset
        return logit, mu, rest, entropy, k_beta, g

    logit, mu, rest, entropy, k_beta, g = point(_clip_logit(logit0))
    for iteration in range(max_iter + 1):
        t = offset + k_beta / c  # t = a + A w with w = b(μ)/c
        # the gap Σ KL(Bern(μ_k) ‖ Bern(σ(t_k))) = Σ [softplus(t) − μ t − H(μ)], each term ≥ 0
        gap = float(np.maximum(np.logaddexp(0.0, t) - mu * t - entropy, 0.0).sum())
        if gap <= tol * max(1.0, abs(g) + gap):
            return NewtonRun(DUAL, iteration, True, False, lam=-mu, scores=t)
        if iteration == max_iter:
            break
        grad = t - logit  # ∇g(μ) = a + A b/c + log((1−μ)/μ)
        var = mu * rest  # μ(1 − μ), the diagonal of H⁻¹
        step = system.newton_step(var, grad, c)
        # Move along the curve μ(α) = σ(u + α Δ/(μ(1−μ))): it stays strictly inside (0, 1),
        # agrees with the Newton step to first order (so the local quadratic rate is kept) and
        # lets a multiplier shrink by many orders of magnitude in one step, as multipliers of
        # well-classified samples must on nearly separable data.
        logit_step = step / var
        slope = grad @ step  # > 0: an ascent direction
        alpha = 1.0
        while True:
            trial = point(_clip_logit(logit + alpha * logit_step))
            if trial[-1] >= g + ARMIJO * alpha * slope:
                break
            alpha *= 0.5
            if alpha < MIN_STEP:
                return NewtonRun(DUAL, iteration, False, True, lam=-mu, scores=t)
        logit, mu, rest, entropy, k_beta, g = trial
    return NewtonRun(DUAL, max_iter, False, False, lam=-mu, scores=t)


__all__ = ["GramSystem", "WOODBURY_RTOL", "WoodburySystem", "newton_dual"]
