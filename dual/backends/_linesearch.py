"""What the native backend's primal Newton variants share: F along a ray, and the backtracking
line search on it (SPEC 1, 7; notation of :mod:`dual.backends.native`)."""

import numpy as np

ARMIJO = 1e-4  # sufficient-decrease (or -increase, in the dual) constant of the line searches
MIN_STEP = 1e-12  # below this step length no change of F is representable: the search stalls


def softplus_loss(t, fake_rows):
    """Σ_real softplus(t_k) + Σ_fake softplus(−t_k), from the scores t = a + A w (SPEC 1, 7)."""
    # softplus(−t) = softplus(t) − t for the fake rows
    return float(np.logaddexp(0.0, t).sum() - t @ fake_rows)


def primal_line_search(w, t, f, step, a_step, slope, c, fake_rows):
    """Backtrack along w + α·step, α = 1, 1/2, …, until Armijo's rule holds.

    Parameters
    ----------
    w, t, f : the iterate, its scores a + A w and F(w)
    step : ndarray, shape (D,)
        A descent direction.
    a_step : ndarray, shape (n,)
        A·step, so that a trial costs O(n + D), no pass over A.
    slope : float
        ∇F(w)ᵀ step < 0.

    Returns
    -------
    (w, t, f) of the accepted point, or None when no α ≥ ``MIN_STEP`` decreases F: the gap is
    then at the rounding level of F.
    """
    alpha = 1.0
    while alpha >= MIN_STEP:
        if alpha == 1.0:  # the full step, without the products by α
            w_new, t_new = w + step, t + a_step
        else:
            w_new, t_new = w + alpha * step, t + alpha * a_step
        f_new = softplus_loss(t_new, fake_rows) + 0.5 * c * (w_new @ w_new)
        if f_new <= f + ARMIJO * alpha * slope:
            return w_new, t_new, f_new
        alpha *= 0.5
    return None
