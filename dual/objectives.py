"""The discriminator problem's objectives and primal-dual maps, evaluated in float64.

Every formula cites its item in ``SPEC.md``. These functions are the project's own evaluation of a
solution: a backend's reported objective is never trusted in place of them.

Shapes: ``real`` is (N, D), ``fake`` is (M, D), ``w`` is (D,), ``lam_real`` (N,), ``lam_fake`` (M,).
"""

import numpy as np
from scipy.special import entr, expit

from ._validation import as_pair, as_vector, check_c


def binary_entropy(p):
    """H(p) = −p log p − (1−p) log(1−p) in nats, with 0·log 0 = 0 (SPEC 2, 3h)."""
    p = np.asarray(p, dtype=np.float64)
    return entr(p) + entr(1.0 - p)


def b_of_lambdas(lam_real, lam_fake, real, fake):
    """b(λ) = Σ_i λ_i x_i + Σ_j (1 + λ_j) g_j, shape (D,) (SPEC 2, 3g)."""
    return real.T @ lam_real + fake.T @ (1.0 + lam_fake)


def _primal(w, real, fake, c):
    # SPEC 1: F(w) = Σ log(1 + e^{wᵀx_i}) + Σ log(1 + e^{−wᵀg_j}) + (c/2)‖w‖²
    return float(
        np.logaddexp(0.0, real @ w).sum()
        + np.logaddexp(0.0, -(fake @ w)).sum()
        + 0.5 * c * (w @ w)
    )


def _dual(lam_real, lam_fake, real, fake, c):
    # SPEC 2, 3i: g(λ) = −‖b(λ)‖²/(2c) + Σ H(−λ_i) + Σ H(−λ_j)
    b = b_of_lambdas(lam_real, lam_fake, real, fake)
    return float(
        -(b @ b) / (2.0 * c)
        + binary_entropy(-lam_real).sum()
        + binary_entropy(-lam_fake).sum()
    )


def primal_objective(w, real, fake, c=1.0):
    """Regularized logistic loss F(w) (SPEC 1), computed stably with ``logaddexp``.

    Returns
    -------
    float
        F(w) in nats.
    """
    real, fake = as_pair(real, fake)
    w = as_vector(w, real.shape[1], "w")
    return _primal(w, real, fake, check_c(c))


def _check_box(lam, name):
    if np.any(lam < -1.0) or np.any(lam > 0.0):
        raise ValueError(
            f"{name} must lie in the box [-1, 0] (SPEC 2); found values in "
            f"[{lam.min():.6g}, {lam.max():.6g}]"
        )


def dual_objective(lam_real, lam_fake, real, fake, c=1.0):
    """Dual function g(λ) (SPEC 2, 3i) for λ in the box −1 ≤ λ ≤ 0.

    Raises
    ------
    ValueError
        If any multiplier lies outside [−1, 0], where g is −∞.
    """
    real, fake = as_pair(real, fake)
    lam_real = as_vector(lam_real, real.shape[0], "lam_real")
    lam_fake = as_vector(lam_fake, fake.shape[0], "lam_fake")
    _check_box(lam_real, "lam_real")
    _check_box(lam_fake, "lam_fake")
    return _dual(lam_real, lam_fake, real, fake, check_c(c))


def lambdas_from_w(w, real, fake):
    """SPEC 3: λ_i = −σ(wᵀx_i) = D_w(x_i) − 1 and λ_j = −σ(wᵀg_j) = D_w(g_j) − 1.

    Returns
    -------
    (lam_real, lam_fake) : tuple of ndarray, shapes (N,) and (M,)
    """
    real, fake = as_pair(real, fake)
    w = as_vector(w, real.shape[1], "w")
    return -expit(real @ w), -expit(fake @ w)


def w_from_lambdas(lam_real, lam_fake, real, fake, c=1.0):
    """SPEC 3: w = b(λ)/c, shape (D,)."""
    real, fake = as_pair(real, fake)
    lam_real = as_vector(lam_real, real.shape[0], "lam_real")
    lam_fake = as_vector(lam_fake, fake.shape[0], "lam_fake")
    return b_of_lambdas(lam_real, lam_fake, real, fake) / check_c(c)


def discriminator(w, x):
    """D_w(x) = σ(−wᵀx) ∈ (0, 1), the probability that x is real (SPEC 1). ``x`` is (n, D)."""
    return expit(-(np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64)))
