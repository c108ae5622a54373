"""Standard GAN theory on 1-D densities, by quadrature (SPEC 5, Problem 4).

Two ways to give the densities, and two quadratures, chosen by what the caller has:

* **On a grid** — arrays ``x`` (strictly increasing), ``p_data(x)``, ``p_G(x)`` — integrated
  with the trapezoid rule. That is all one can do with tabulated values; its error is O(h²)
  for smooth densities, and the grid must reach where both densities are negligible.
* **As callables** — vectorized ``pdf(x)`` functions on a finite interval ``[lower, upper]`` —
  integrated with :func:`scipy.integrate.quad` (adaptive Gauss–Kronrod). It needs no step size,
  reports its own error, and handles densities with jumps (uniforms, disjoint supports) exactly
  when the jumps are passed as ``points``. Infinite bounds are refused: with them ``quad``
  cannot take break points, and a mass far from the origin can be missed silently.

Conventions (all values in nats):

* ``0 · log 0 = 0``: where ``p_data = 0`` the term ``p_data log D`` is 0 whatever D is, and
  likewise for ``p_G log(1 − D)``. This is what makes disjoint supports well defined.
* ``D*`` where both densities vanish is set to 1/2. Any value there is a maximizer (the point
  carries no mass), and 1/2 is the symmetric choice that agrees with SPEC 5, 4f.
* The discriminator can be given as probabilities ``D`` or as logits ``a`` with ``D = σ(a)``.
  Logits keep ``log(1 − D)`` exact where D rounds to 1 in float64 (the tails of D*, where
  ``p_G`` is tiny but not zero); :func:`optimal_value` always goes through logits.
"""

import numpy as np
from scipy import integrate
from scipy.special import xlogy

from dualgan.validation import check_real

LOG4 = float(np.log(4.0))

#: How far ∫p may be from 1 (by the chosen quadrature) before a density is refused.
NORM_TOL = 1e-3


# --------------------------------------------------------------------------- pointwise forms


def optimal_discriminator(p_data, p_g):
    """The pointwise maximizer of V for fixed G (SPEC 5, 4d).

    ``D*(x) = p_data(x) / (p_data(x) + p_G(x))``, and 1/2 where both densities are 0.

    Parameters
    ----------
    p_data, p_g : array_like of shape (n,), or callables
        Density values on a grid (non-negative), or two vectorized density functions.

    Returns
    -------
    ndarray of shape (n,), or a callable ``x -> D*(x)`` when both inputs are callables.
    """
    if callable(p_data) and callable(p_g):
        return lambda x: optimal_discriminator(p_data(x), p_g(x))
    p, q = _as_density_values(p_data, "p_data"), _as_density_values(p_g, "p_g")
    _same_shape(p, q)
    total = p + q
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(total > 0, p / np.where(total > 0, total, 1.0), 0.5)
    return d


def optimal_logit(p_data, p_g):
    """The logit of D*: ``log p_data − log p_G`` (SPEC 5, 4d), so that ``D* = σ(a*)``.

    It is ``+inf`` where only ``p_data > 0``, ``−inf`` where only ``p_G > 0``, and 0 (D* = 1/2)
    where both vanish.

    Parameters
    ----------
    p_data, p_g : array_like of shape (n,), or callables

    Returns
    -------
    ndarray of shape (n,), or a callable when both inputs are callables.
    """
    if callable(p_data) and callable(p_g):
        return lambda x: optimal_logit(p_data(x), p_g(x))
    p, q = _as_density_values(p_data, "p_data"), _as_density_values(p_g, "p_g")
    _same_shape(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.log(p) - np.log(q)
    return np.where((p == 0) & (q == 0), 0.0, a)


def value_integrand(d, p, q, *, logit=False):
    """Pointwise ``p log D + q log(1 − D)`` with ``0 · log 0 = 0`` (the integrand of SPEC 5's V).

    Parameters
    ----------
    d : ndarray of shape (n,)
        The discriminator: probabilities in [0, 1], or logits when ``logit=True``.
    p, q : ndarray of shape (n,)
        ``p_data`` and ``p_G`` at the same points.
    logit : bool
        Read ``d`` as logits ``a``: ``log D = −softplus(−a)``, ``log(1 − D) = −softplus(a)``.

    Returns
    -------
    ndarray of shape (n,), nats per unit of x; ``−inf`` where a positive density meets D = 0
    (resp. D = 1).
    """
    d = np.asarray(d, dtype=np.float64)
    if logit:
        log_d, log_1md = -np.logaddexp(0.0, -d), -np.logaddexp(0.0, d)
    else:
        if np.any((d < 0) | (d > 1)) or np.any(np.isnan(d)):
            raise ValueError("D must take values in [0, 1]; pass logit=True for logits")
        with np.errstate(divide="ignore"):
            log_d, log_1md = np.log(d), np.log1p(-d)
    # 0 · log 0 = 0: a term counts only where its density is positive.
    with np.errstate(invalid="ignore"):  # 0 · (−inf) is computed, then discarded
        return np.where(p > 0, p * log_d, 0.0) + np.where(q > 0, q * log_1md, 0.0)


def jsd_integrand(p, q):
    """Pointwise ``½ p log(2p/(p+q)) + ½ q log(2q/(p+q))`` (JSD with mixture m = (p+q)/2).

    ``xlogy`` gives ``0 · log 0 = 0``; where ``p + q = 0`` both terms are 0.
    """
    m = 0.5 * (p + q)
    safe_m = np.where(m > 0, m, 1.0)
    return 0.5 * (xlogy(p, p / safe_m) + xlogy(q, q / safe_m))


# --------------------------------------------------------------------------- grid quadrature


def value(d, p_data, p_g, x, *, logit=False):
    """``V(D, G) = E_pdata[log D] + E_pG[log(1 − D)]`` on a grid (SPEC 5), trapezoid rule.

    Parameters
    ----------
    d : array_like of shape (n,)
        D(x) on the grid (probabilities), or its logits when ``logit=True``.
    p_data, p_g : array_like of shape (n,)
        Density values on the grid; each must integrate to 1 within ``NORM_TOL``.
    x : array_like of shape (n,)
        Strictly increasing grid.

    Returns
    -------
    float, nats (≤ 0; ``−inf`` when D = 0 on mass of p_data or D = 1 on mass of p_G).
    """
    x, p, q = _grid(x, p_data, p_g)
    d = np.asarray(d, dtype=np.float64)
    _same_shape(x, d, "d")
    return float(integrate.trapezoid(value_integrand(d, p, q, logit=logit), x))


def jsd(p_data, p_g, x):
    """Jensen–Shannon divergence ``½ KL(p‖m) + ½ KL(q‖m)``, m = (p+q)/2, in nats, on a grid.

    Lies in [0, log 2]; equals log 2 exactly for disjoint supports.
    """
    x, p, q = _grid(x, p_data, p_g)
    return float(integrate.trapezoid(jsd_integrand(p, q), x))


def optimal_value(p_data, p_g, x):
    """``V(D*, G)`` on a grid, through the logit of D* so the tails stay exact (SPEC 5, 4e)."""
    x, p, q = _grid(x, p_data, p_g)
    return float(integrate.trapezoid(value_integrand(optimal_logit(p, q), p, q, logit=True), x))


def identity_residual(p_data, p_g, x):
    """``V(D*, G) − (−log 4 + 2 JSD)`` on a grid (SPEC 5, 4e).

    Pointwise the two integrands differ by ``−log 2 · (p + q)``, so the residual is
    ``−log 2 · (∫p + ∫q − 2)``: it measures only how well the grid normalizes the densities.
    """
    return optimal_value(p_data, p_g, x) - (-LOG4 + 2.0 * jsd(p_data, p_g, x))


# --------------------------------------------------------------------------- adaptive quadrature


def value_quad(d, p_data, p_g, lower, upper, *, points=(), logit=False):
    """``V(D, G)`` for callables on ``[lower, upper]`` with :func:`scipy.integrate.quad`.

    Parameters
    ----------
    d : callable
        Vectorized ``x -> D(x)`` (probabilities), or ``x -> logit`` when ``logit=True``.
    p_data, p_g : callable
        Vectorized densities, negligible outside ``[lower, upper]``.
    lower, upper : float
        Finite bounds, ``lower < upper``.
    points : sequence of float
        Jumps of the densities inside the interval (support edges), passed to ``quad``.

    Returns
    -------
    float, nats.
    """
    lower, upper, points = _bounds(lower, upper, points)
    _check_normalized_quad(p_data, p_g, lower, upper, points)

    def integrand(t):
        t = np.atleast_1d(t)
        return float(value_integrand(d(t), p_data(t), p_g(t), logit=logit)[0])

    return _quad(integrand, lower, upper, points)


def jsd_quad(p_data, p_g, lower, upper, *, points=()):
    """JSD for callable densities on ``[lower, upper]`` with ``quad`` (see :func:`jsd`)."""
    lower, upper, points = _bounds(lower, upper, points)
    _check_normalized_quad(p_data, p_g, lower, upper, points)

    def integrand(t):
        t = np.atleast_1d(t)
        return float(jsd_integrand(p_data(t), p_g(t))[0])

    return _quad(integrand, lower, upper, points)


def optimal_value_quad(p_data, p_g, lower, upper, *, points=()):
    """``V(D*, G)`` for callable densities with ``quad``, through the logit of D*."""
    return value_quad(optimal_logit(p_data, p_g), p_data, p_g, lower, upper,
                      points=points, logit=True)


# --------------------------------------------------------------------------- validation


def _quad(f, lower, upper, points):
    kwargs = {"points": list(points)} if points else {}
    val, _err = integrate.quad(f, lower, upper, limit=500, epsabs=1e-12, epsrel=1e-10, **kwargs)
    return float(val)


def _bounds(lower, upper, points):
    lower, upper = check_real(lower, "lower"), check_real(upper, "upper")
    if not lower < upper:
        raise ValueError(f"lower must be < upper, got lower={lower!r}, upper={upper!r}")
    pts = sorted(float(t) for t in points if lower < float(t) < upper)
    return lower, upper, tuple(pts)


def _check_normalized_quad(p_data, p_g, lower, upper, points):
    for name, f in (("p_data", p_data), ("p_g", p_g)):
        if not callable(f):
            raise TypeError(f"{name} must be a callable density, got {type(f).__name__}")
        mass = _quad(lambda t, f=f: float(np.atleast_1d(f(np.atleast_1d(t)))[0]),
                     lower, upper, points)
        if abs(mass - 1.0) > NORM_TOL:
            raise ValueError(
                f"{name} integrates to {mass:.6g} on [{lower}, {upper}], not 1 (tolerance "
                f"{NORM_TOL}); widen the interval or normalize the density"
            )


def _as_density_values(v, name):
    arr = np.asarray(v, dtype=np.float64)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be 1-D (values on a grid), got shape {arr.shape}")
    if np.any(~np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return arr


def _same_shape(a, b, name="p_g"):
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name} must have the same shape as the grid, got {np.shape(b)} "
                         f"and {np.shape(a)}")


def _grid(x, p_data, p_g):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {x.shape}")
    if not np.all(np.diff(x) > 0):
        raise ValueError("x must be strictly increasing")
    p, q = _as_density_values(p_data, "p_data"), _as_density_values(p_g, "p_g")
    _same_shape(x, p, "p_data")
    _same_shape(x, q, "p_g")
    for name, dens in (("p_data", p), ("p_g", q)):
        mass = float(integrate.trapezoid(dens, x))
        if abs(mass - 1.0) > NORM_TOL:
            raise ValueError(
                f"{name} integrates to {mass:.6g} on the grid [{x[0]}, {x[-1]}], not 1 "
                f"(tolerance {NORM_TOL}); widen or refine the grid"
            )
    return x, p, q
