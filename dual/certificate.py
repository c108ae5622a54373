"""The certificate attached to every solution: duality gap and KKT residuals (SPEC 3, 7).

Two evaluations of the same certificate, both in float64 by the project:

* features (``certify``): F(w) and g(λ) from the samples, w given;
* Gram matrix (``certify_kernel``): the primal point is δ = b(λ)/c, known only through
  K β / c = J δ (its scores) and βᵀKβ / c² = ‖δ‖², with β = (λ_real, 1 + λ_fake) (SPEC 7).
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ._record import Record
from ._validation import (
    as_gram,
    as_offset,
    as_pair,
    as_vector,
    check_c,
    check_n_real,
    check_scale,
)
from .objectives import (
    _beta,
    _dual_of_beta,
    _dual_of_terms,
    _loss_of_scores,
    _offsets,
    _primal_of_scores,
    _scale,
    _stacked,
    check_box,
    check_finite_primal,
)


@dataclass(frozen=True, eq=False)
class KKTResiduals(Record):
    """Residuals of the optimality conditions (SPEC 3); all are 0 at the exact optimum.

    Attributes
    ----------
    stationarity : float
        ‖c·w − b(λ)‖∞, the w-stationarity of the Lagrangian (SPEC 2, 3g). In the kernel form
        the primal point is δ = b(λ)/c by construction, so it is 0 there.
    link : float
        max abs(λ + σ(a + Aw)), the u/v-stationarity linking λ to w (SPEC 3, 7), A stacking x_i
        and g_j and a the offsets.
    box : float
        How far the multipliers a backend returned lay outside [−1, 0] before being projected.
    """

    stationarity: float
    link: float
    box: float = 0.0

    @property
    def max(self):
        """The largest residual."""
        return max(self.stationarity, self.link, self.box)


@dataclass(frozen=True, eq=False)
class Certificate(Record):
    """F at a primal point, g at a dual point, their gap and the KKT residuals (SPEC 3).

    Attributes
    ----------
    primal_value, dual_value : float
        F and g in nats; F ≥ g for any primal point and any λ in the box (weak duality).
    gap : float
        primal_value − dual_value: bounds F − F* and g* − g, hence (F being c-strongly convex)
        ‖w − w*‖₂ ≤ √(2·gap/c), and (g being 4-strongly concave) ‖λ − λ*‖₂ ≤ √(gap/2).
    kkt : KKTResiduals
    """

    primal_value: float
    dual_value: float
    gap: float
    kkt: KKTResiduals

    @property
    def relative_gap(self):
        """gap / max(1, abs(primal_value))."""
        return relative_gap(self.primal_value, self.dual_value)


def _certify(w, lam_real, lam_fake, real, fake, c, offset_real, offset_fake, box=0.0):
    """The certificate from validated float64 arrays, the samples given apart (the path of
    :func:`certify`)."""
    features, offset = _stacked(real, fake, offset_real, offset_fake)
    return _certify_stacked(w, np.concatenate([lam_real, lam_fake]), features, real.shape[0], c,
                            offset, box)


def _certify_stacked(w, lam, features, n_real, c, offset, box=0.0, *, scores=None, b=None,
                     beta=None, linked=False, compiled=None):
    """The certificate from validated float64 arrays, all n = N + M samples stacked (real
    first): ``lam`` (n,), ``features`` A (n, D), ``offset`` a (n,) (the path of ``dual.solve``).

    Two passes over the data: the scores t = a + Aw and b(λ) = Aᵀβ. A caller that has them for
    this w and λ (``dual.solve`` does: the SPEC 3 map it used, or the native backend's last
    Newton iteration) passes them in, and β = (λ_real, 1 + λ_fake) if it has it. F and g are
    evaluated as :func:`dual.primal_objective` and :func:`dual.dual_objective` do. ``linked``:
    ``lam`` is −σ(scores), computed from these very scores (the primal form's SPEC 3 map), so
    that the link residual λ + σ(scores) is 0 in float64 entry by entry (x + (−x) = 0 exactly)
    and is not computed again. ``compiled``: the module of :func:`dual.backends.compiled.module`,
    whose ``certificate`` evaluates F, g and the stationarity residual of a linked pair in one
    call (the same sums, rounded in other orders), or None for numpy's.
    """
    if scores is None:
        scores = offset + features @ w  # SPEC 7: a + Aw
    if b is None:
        beta = _beta(lam, n_real) if beta is None else beta
        b = features.T @ beta  # SPEC 2, 3g: b(λ) = Σ_i λ_i x_i + Σ_j (1 + λ_j) g_j
    if compiled is not None and linked:
        primal_value, dual_value, stationarity = compiled.certificate(w, lam, scores, b, n_real,
                                                                      c, offset)
        kkt = KKTResiduals(stationarity=stationarity, link=0.0, box=float(box))
        primal_value = check_finite_primal(primal_value, w)
        return Certificate(primal_value, dual_value, primal_value - dual_value, kkt)
    if beta is None:
        beta = _beta(lam, n_real)
    primal_value = check_finite_primal(
        _primal_of_scores(scores[:n_real], scores[n_real:], w, c), w)
    dual_value = _dual_of_beta(b, beta, lam, c, offset)
    stationarity = float(np.abs(c * w - b).max())
    # SPEC 3, 7: λ = −σ(a + Aw)
    link = 0.0 if linked else float(np.abs(lam + expit(scores)).max())
    kkt = KKTResiduals(stationarity=stationarity, link=link, box=float(box))
    return Certificate(primal_value, dual_value, primal_value - dual_value, kkt)


def _certify_kernel(lam, gram, n_real, c, offset, box=0.0):
    """The kernel-form certificate from validated arrays; ``lam`` holds all N + M multipliers."""
    beta = lam.copy()
    beta[n_real:] += 1.0  # SPEC 7: β = (λ_real, 1 + λ_fake)
    k_beta = gram @ beta
    scores = offset + k_beta / c  # SPEC 7: a + Jδ with δ = b(λ)/c, Jδ = Kβ/c
    half_norm_b = float(beta @ k_beta) / (2.0 * c)  # ‖b‖²/(2c) = βᵀKβ/(2c) = (c/2)‖δ‖²
    primal_value = _loss_of_scores(scores[:n_real], scores[n_real:]) + half_norm_b
    dual_value = _dual_of_terms(half_norm_b, float(beta @ offset), lam)
    link = float(np.max(np.abs(lam + expit(scores))))  # SPEC 7: λ_k = −σ(a_k + J_kδ)
    kkt = KKTResiduals(stationarity=0.0, link=link, box=float(box))
    return Certificate(primal_value, dual_value, primal_value - dual_value, kkt)


def certify(w, lam_real, lam_fake, real, fake, c=1.0, *, offset_real=None, offset_fake=None):
    """Certify any primal point w and any multipliers λ in the box (SPEC 3, 7), in float64.

    Useful for answers that did not come from :func:`dual.solve` (an external solver's w with
    λ = ``dual.lambdas_from_w(w, ...)``, say): weak duality makes the gap an upper bound on how
    far both are from optimal.

    Parameters
    ----------
    w : array_like, shape (D,)
    lam_real, lam_fake : array_like, shapes (N,) and (M,), entries in [−1, 0]
    real, fake : array_like, shapes (N, D) and (M, D)
    c : float, default 1.0
    offset_real, offset_fake : array_like, shapes (N,) and (M,), optional
        Score offsets a (SPEC 7); zero when omitted.

    Returns
    -------
    Certificate
        ``primal_value``, ``dual_value``, ``gap``, ``relative_gap``, ``kkt``.

    Raises
    ------
    TypeError, ValueError
        Bad shapes or values, multipliers outside [−1, 0] (where g is −∞), data too large
        for float64 at this c (:func:`dual._validation.check_scale`), or a w so large that F(w)
        overflows.

    Examples
    --------
    Certify an external solver's answer, scikit-learn's (SPEC 1: real samples labelled 0,
    ``C = 1/c``, no intercept), with its multipliers from the SPEC 3 map:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import dual
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(1.0, 1.0, size=(200, 3))
    >>> fake = rng.normal(-1.0, 1.0, size=(150, 3))
    >>> X, y = np.vstack([real, fake]), np.r_[np.zeros(200), np.ones(150)]
    >>> clf = LogisticRegression(C=1.0, fit_intercept=False, tol=1e-10).fit(X, y)
    >>> w = clf.coef_.ravel()
    >>> lam_real, lam_fake = dual.lambdas_from_w(w, real, fake)
    >>> cert = dual.certify(w, lam_real, lam_fake, real, fake, c=1.0)
    >>> bool(cert.gap > -1e-9), bool(cert.relative_gap < 1e-6)  # weak duality; near optimal
    (True, True)
    """
    real, fake = as_pair(real, fake)
    w = as_vector(w, real.shape[1], "w")
    lam_real = as_vector(lam_real, real.shape[0], "lam_real")
    lam_fake = as_vector(lam_fake, fake.shape[0], "lam_fake")
    check_box(lam_real, "lam_real")
    check_box(lam_fake, "lam_fake")
    offsets = _offsets(offset_real, offset_fake, real, fake)
    c = _scale(real, fake, check_c(c))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by _certify
        return _certify(w, lam_real, lam_fake, real, fake, c, *offsets)


def certify_kernel(lam_real, lam_fake, K, c=1.0, *, offset=None):
    """Certify multipliers λ in the box against a Gram matrix (SPEC 7), in float64.

    The primal point is δ = b(λ)/c, so the stationarity residual is 0 and the gap equals
    Σ_k KL(Bernoulli(−λ_k or 1 + λ_k) ‖ the discriminator's own probability at δ) ≥ 0.

    Parameters
    ----------
    lam_real, lam_fake : array_like, shapes (N,) and (M,), entries in [−1, 0]
    K : array_like, shape (N + M, N + M)
        Gram matrix, real samples first (see :func:`dual.solve_kernel`).
    c : float, default 1.0
    offset : array_like, shape (N + M,), optional

    Returns
    -------
    Certificate
    """
    gram = as_gram(K)
    n = gram.shape[0]
    n_real = check_n_real(len(lam_real), n)  # N: the real samples head K
    lam_real = as_vector(lam_real, n_real, "lam_real")
    lam_fake = as_vector(lam_fake, n - n_real, "lam_fake")
    check_box(lam_real, "lam_real")
    check_box(lam_fake, "lam_fake")
    lam = np.concatenate([lam_real, lam_fake])
    c = check_c(c)
    check_scale(float(np.trace(gram)), n, c, "K", "trace(K)")
    return _certify_kernel(lam, gram, n_real, c, as_offset(offset, n, "offset"))


def relative_gap(primal_value, dual_value):
    """(F − g) / max(1, abs(F)): the gap scaled to the objective's magnitude."""
    return (primal_value - dual_value) / max(1.0, abs(primal_value))
