"""The discriminator problem's objectives and primal-dual maps, evaluated in float64.

Every formula cites its item in ``SPEC.md``. These functions are the project's own evaluation of a
solution: a backend's reported objective is never trusted in place of them.

Shapes: ``real`` is (N, D), ``fake`` is (M, D), ``w`` is (D,), ``lam_real`` (N,), ``lam_fake`` (M,),
the optional score offsets ``offset_real`` (N,) and ``offset_fake`` (M,) (SPEC 7; zero when
omitted, which is SPEC 1–3 exactly).
"""

import math

import numpy as np
from scipy.special import entr, expit

from ._validation import (
    _real_array,
    as_offset,
    as_pair,
    as_samples,
    as_vector,
    check_c,
    check_scale,
    sum_of_squares,
)


def binary_entropy(p):
    """H(p) = −p log p − (1−p) log(1−p) in nats, with 0·log 0 = 0 (SPEC 2, 3h).

    ``p`` is a probability or an array of them, in [0, 1]; the result has its shape.

    Raises
    ------
    TypeError, ValueError
        Not real numbers, or an entry outside [0, 1] (NaN included), where H is undefined.
    """
    p = np.asarray(_real_array(p, "p"), dtype=np.float64)
    if not ((p >= 0.0) & (p <= 1.0)).all():
        bad = p[~((p >= 0.0) & (p <= 1.0))].reshape(-1)[0]
        raise ValueError(f"p must hold probabilities in [0, 1] (SPEC 2: H is defined there); "
                         f"got {float(bad)!r}")
    return entr(p) + entr(1.0 - p)


def _b_of_lambdas(lam_real, lam_fake, real, fake):
    # SPEC 2, 3g: b(λ) = Σ_i λ_i x_i + Σ_j (1 + λ_j) g_j, on validated arrays
    return real.T @ lam_real + fake.T @ (1.0 + lam_fake)


def b_of_lambdas(lam_real, lam_fake, real, fake):
    """b(λ) = Σ_i λ_i x_i + Σ_j (1 + λ_j) g_j, shape (D,) (SPEC 2, 3g).

    Raises
    ------
    TypeError, ValueError
        Bad shapes or values (see :func:`dual.solve`), or data so large that b overflows.
    """
    real, fake = as_pair(real, fake)
    lam_real = as_vector(lam_real, real.shape[0], "lam_real")
    lam_fake = as_vector(lam_fake, fake.shape[0], "lam_fake")
    return _finite_b(lam_real, lam_fake, real, fake)


def _finite_b(lam_real, lam_fake, real, fake):
    """b(λ) of checked arrays, or a ValueError naming the sizes when it overflows float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        b = _b_of_lambdas(lam_real, lam_fake, real, fake)
    if not np.isfinite(b).all():
        raise ValueError(f"b(λ) overflows float64: max|real| = {np.abs(real).max():.3g}, "
                         f"max|fake| = {np.abs(fake).max():.3g}, max|lam_real| = "
                         f"{np.abs(lam_real).max(initial=0):.3g}, max|lam_fake| = "
                         f"{np.abs(lam_fake).max(initial=0):.3g}; rescale them")
    return b


def check_finite_primal(value, w):
    """Return F(w) if finite; the scale checks leave only w to make it overflow."""
    if not math.isfinite(value):
        raise ValueError(f"F(w) overflows float64 at this w: max|w| = {np.abs(w).max():.3g} "
                         f"(F grows as (c/2)‖w‖² and as the scores |a + wᵀx|); w is too large")
    return value


def _scale(real, fake, c):
    check_scale(sum_of_squares(real, fake), real.shape[0] + fake.shape[0], c,
                "real and fake")
    return c


def _loss_of_scores(t_real, t_fake):
    # SPEC 1, 7: Σ_i log(1 + e^{t_i}) + Σ_j log(1 + e^{−t_j}), t = a + wᵀx the scores
    return float(np.logaddexp(0.0, t_real).sum() + np.logaddexp(0.0, -t_fake).sum())


def _dual_of_terms(half_norm_b, linear, *multipliers):
    # SPEC 7: g(λ) = −‖b(λ)‖²/(2c) + Σ_k H(−λ_k) − βᵀa; half_norm_b = ‖b‖²/(2c), linear = βᵀa;
    # the multipliers are in the box already: H(−λ) = entr(−λ) + entr(1 + λ) (binary_entropy)
    value = -half_norm_b
    for lam in multipliers:
        value += float((entr(-lam) + entr(1.0 + lam)).sum())
    return float(value - linear)


def _scores(w, real, fake, offset_real, offset_fake):
    # SPEC 7: the scores a + wᵀx of the real and the fake samples
    return offset_real + real @ w, offset_fake + fake @ w


def _primal_of_scores(t_real, t_fake, w, c):
    # SPEC 1, 7: F(w) = Σ softplus(a_i + wᵀx_i) + Σ softplus(−a_j − wᵀg_j) + (c/2)‖w‖²
    return _loss_of_scores(t_real, t_fake) + 0.5 * c * float(w @ w)


def _stacked(real, fake, offset_real, offset_fake):
    # SPEC 7: A = [X; G] and a = (a_real, a_fake), the real samples first
    return np.concatenate([real, fake]), np.concatenate([offset_real, offset_fake])


def _beta(lam, n_real):
    # SPEC 7: β = λ + e = (λ_real, 1 + λ_fake)
    beta = lam.copy()
    beta[n_real:] += 1.0
    return beta


def _dual_of_beta(b, beta, lam, c, offset):
    # SPEC 7: g(λ) = −‖b‖²/(2c) + Σ_k H(−λ_k) − βᵀa, with b = b(λ) = Aᵀβ
    return _dual_of_terms((b @ b) / (2.0 * c), float(beta @ offset), lam)


# The objectives below and the certificate (dual.certificate) evaluate F and g on the stacked
# samples by the same operations, so that their values agree to the last bit.

def _primal(w, real, fake, c, offset_real, offset_fake):
    a, offset = _stacked(real, fake, offset_real, offset_fake)
    scores = offset + a @ w  # SPEC 7: a + Aw
    return _primal_of_scores(scores[:real.shape[0]], scores[real.shape[0]:], w, c)


def _dual(lam_real, lam_fake, real, fake, c, offset_real, offset_fake):
    a, offset = _stacked(real, fake, offset_real, offset_fake)
    lam = np.concatenate([lam_real, lam_fake])
    beta = _beta(lam, real.shape[0])
    return _dual_of_beta(a.T @ beta, beta, lam, c, offset)


def _offsets(offset_real, offset_fake, real, fake):
    return (as_offset(offset_real, real.shape[0], "offset_real"),
            as_offset(offset_fake, fake.shape[0], "offset_fake"))


def primal_objective(w, real, fake, c=1.0, *, offset_real=None, offset_fake=None):
    """Regularized logistic loss F(w) (SPEC 1; with offsets SPEC 7), stable via ``logaddexp``.

    Returns
    -------
    float
        F(w) in nats.

    Raises
    ------
    TypeError, ValueError
        Bad shapes or values, data too large for float64 at this c, or F(w) overflowing.
    """
    real, fake = as_pair(real, fake)
    w = as_vector(w, real.shape[1], "w")
    offsets = _offsets(offset_real, offset_fake, real, fake)
    c = _scale(real, fake, check_c(c))
    return check_finite_primal(_primal(w, real, fake, c, *offsets), w)


def check_box(lam, name):
    """Raise ValueError unless every entry of ``lam`` lies in [−1, 0], where g is finite."""
    if np.any(lam < -1.0) or np.any(lam > 0.0):
        raise ValueError(
            f"{name} must lie in the box [-1, 0] (SPEC 2); found values in "
            f"[{lam.min():.6g}, {lam.max():.6g}]"
        )


def dual_objective(lam_real, lam_fake, real, fake, c=1.0, *, offset_real=None,
                   offset_fake=None):
    """Dual function g(λ) (SPEC 2, 3i; with offsets SPEC 7) for λ in the box −1 ≤ λ ≤ 0.

    Raises
    ------
    ValueError
        If any multiplier lies outside [−1, 0], where g is −∞.
    """
    real, fake = as_pair(real, fake)
    lam_real = as_vector(lam_real, real.shape[0], "lam_real")
    lam_fake = as_vector(lam_fake, fake.shape[0], "lam_fake")
    check_box(lam_real, "lam_real")
    check_box(lam_fake, "lam_fake")
    offsets = _offsets(offset_real, offset_fake, real, fake)
    return _dual(lam_real, lam_fake, real, fake, _scale(real, fake, check_c(c)), *offsets)


def lambdas_from_w(w, real, fake, *, offset_real=None, offset_fake=None):
    """SPEC 3, 7: λ_i = −σ(a_i + wᵀx_i) = D_w(x_i) − 1 and λ_j = −σ(a_j + wᵀg_j) = D_w(g_j) − 1.

    Returns
    -------
    (lam_real, lam_fake) : tuple of ndarray, shapes (N,) and (M,)
    """
    real, fake = as_pair(real, fake)
    w = as_vector(w, real.shape[1], "w")
    offset_real, offset_fake = _offsets(offset_real, offset_fake, real, fake)
    with np.errstate(over="ignore", invalid="ignore"):
        scores = _scores(w, real, fake, offset_real, offset_fake)
    if not all(np.isfinite(t).all() for t in scores):
        raise ValueError(f"the scores a + wᵀx overflow float64: max|w| = "
                         f"{np.abs(w).max():.3g}, max|real| = {np.abs(real).max():.3g}, "
                         f"max|fake| = {np.abs(fake).max():.3g}; rescale them")
    return -expit(scores[0]), -expit(scores[1])


def w_from_lambdas(lam_real, lam_fake, real, fake, c=1.0):
    """SPEC 3: w = b(λ)/c, shape (D,) (offsets do not enter b, SPEC 7)."""
    real, fake = as_pair(real, fake)
    lam_real = as_vector(lam_real, real.shape[0], "lam_real")
    lam_fake = as_vector(lam_fake, fake.shape[0], "lam_fake")
    c = _scale(real, fake, check_c(c))
    return _finite_b(lam_real, lam_fake, real, fake) / c


def discriminator(w, x, offset=None):
    """D_w(x) = σ(−(a + wᵀx)) ∈ (0, 1), the probability that x is real (SPEC 1, 7).

    ``x`` is (n, D); ``offset`` holds the n score offsets a (zero when omitted).

    Raises
    ------
    TypeError, ValueError
        Bad shapes or values, or scores that overflow float64.
    """
    x = as_samples(x, "x")
    w = as_vector(w, x.shape[1], "w")
    offset = as_offset(offset, x.shape[0], "offset")
    with np.errstate(over="ignore", invalid="ignore"):
        scores = offset + x @ w
    if not np.isfinite(scores).all():
        raise ValueError(f"the scores a + wᵀx overflow float64: max|w| = {np.abs(w).max():.3g}, "
                         f"max|x| = {np.abs(x).max():.3g}; rescale them")
    return expit(-scores)


def _discriminator(w, x, offset=None):
    # SPEC 1, 7: D_w(x) = σ(−(a + wᵀx)) on validated arrays
    scores = x @ w
    return expit(-(scores if offset is None else scores + offset))
