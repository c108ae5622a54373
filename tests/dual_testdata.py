"""Seeded data sets, small independent references and certificate-derived tolerances shared by
the ``tests/test_dual_*`` files.

The references (``naive_*``, ``sigmoid``, ``spec_gradient``) are written out from ``SPEC.md``;
they do not use :mod:`dual`. The tolerances (``*_radius``) follow from a solution's own certified
gap by strong convexity, never from values observed on one machine:

* F is c-strongly convex and F(w) − F* ≤ gap, so ‖w − w*‖₂ ≤ √(2·gap/c);
* g is 4-strongly concave (H''(p) = −1/(p(1 − p)) ≤ −4, and −‖b‖²/(2c) is concave) and
  g* − g(λ) ≤ gap, so ‖λ − λ*‖₂ ≤ √(gap/2);
* for any w, c‖w − w*‖₂ ≤ ‖∇F(w)‖₂ (strong convexity again), which certifies an oracle's w from
  its gradient alone.
"""

import warnings

import numpy as np

import dual


def blobs(n_real, n_fake, dim, separation, seed):
    """Real ~ N(+s/2 e_1, I), fake ~ N(−s/2 e_1, I): shapes (n_real, dim) and (n_fake, dim)."""
    rng = np.random.default_rng(seed)
    shift = np.zeros(dim)
    shift[0] = separation / 2.0
    return rng.normal(size=(n_real, dim)) + shift, rng.normal(size=(n_fake, dim)) - shift


#: name -> (real, fake). "separated": no overlap at all; "overlapping": heavy overlap;
#: "nearly_separable": a handful of points on the wrong side; "d50": 50 features, 80 samples.
DATASETS = {
    "separated": blobs(30, 25, 2, 6.0, seed=2),
    "overlapping": blobs(30, 25, 2, 1.0, seed=3),
    "nearly_separable": blobs(40, 35, 2, 4.0, seed=4),
    "d50": blobs(40, 40, 50, 1.5, seed=5),
}

#: SCS is a first-order method; without Anderson acceleration and with tight tolerances it
#: reaches a certified relative gap below 1e-9 on the box dual for c >= 1 in < 13000 iterations
#: on these sets (measured); with acceleration it stalls on "nearly_separable".
SCS_OPTIONS = {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 20000, "acceleration_lookback": 0}


def solver_options(solver):
    """Options passed to ``dual.solve`` for a CVXPY solver in the accuracy tests."""
    return dict(SCS_OPTIONS) if solver == "SCS" else {}


def moderate(seed):
    """Real (7, 3) and fake (5, 3) data, w (3,), λ strictly inside the box, and the generator
    for further draws."""
    rng = np.random.default_rng(seed)
    real, fake = rng.normal(size=(7, 3)), rng.normal(size=(5, 3)) + 0.5
    w = rng.normal(size=3)
    lam_real, lam_fake = -rng.uniform(0.01, 0.99, 7), -rng.uniform(0.01, 0.99, 5)
    return real, fake, w, lam_real, lam_fake, rng


def naive_primal(w, real, fake, c):
    """SPEC 1 written term by term with log1p(exp(.)) (fine for moderate |wᵀx|), in nats."""
    total = 0.0
    for x in real:
        total += np.log1p(np.exp(float(np.dot(w, x))))
    for g in fake:
        total += np.log1p(np.exp(-float(np.dot(w, g))))
    return total + 0.5 * c * float(np.dot(w, w))


def naive_dual(lam_real, lam_fake, real, fake, c):
    """SPEC 2, 3i with the entropy written as −p log p − (1−p) log(1−p), p = −λ ∈ (0, 1)."""
    b = np.zeros(real.shape[1])
    for lam, x in zip(lam_real, real):
        b += lam * x
    for lam, g in zip(lam_fake, fake):
        b += (1.0 + lam) * g
    entropy = 0.0
    for lam in np.concatenate([lam_real, lam_fake]):
        p = -lam
        entropy += -p * np.log(p) - (1.0 - p) * np.log(1.0 - p)
    return -float(b @ b) / (2.0 * c) + entropy


def sigmoid(t):
    """1 / (1 + e^{−t}), written out (moderate arguments only)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(t, dtype=np.float64)))


EPS = np.finfo(np.float64).eps


def float_rounding(primal_value, n):
    """Float64 rounding that a certified gap F − g may carry: F and g are sums of n = N + M
    terms whose magnitudes add up to at most |F| + 2n·log 2 near the optimum (each entropy is
    ≤ log 2, and ‖b‖²/(2c) = Σ H − g), each summed with a relative error of a few n·ε."""
    return 8 * n * EPS * (abs(primal_value) + 2 * n * np.log(2))


def rounding(sol):
    """:func:`float_rounding` for a solution."""
    return float_rounding(sol.primal_value, sol.lam_real.size + sol.lam_fake.size)


def gap_bound(sol):
    """An upper bound on the true gap of ``sol``: its certified gap plus the rounding in it."""
    return max(sol.gap, 0.0) + rounding(sol)


def w_radius(sol):
    """‖w − w*‖₂ ≤ √(2·gap/c) (F is c-strongly convex)."""
    return float(np.sqrt(2.0 * gap_bound(sol) / sol.c))


def lam_radius(sol):
    """‖λ − λ*‖₂ ≤ √(gap/2) (g is 4-strongly concave on the box)."""
    return float(np.sqrt(gap_bound(sol) / 2.0))


def spec_gradient(w, real, fake, c, offset_real=0.0, offset_fake=0.0):
    """∇F(w) = Σ σ(a_i + wᵀx_i) x_i − Σ σ(−a_j − wᵀg_j) g_j + c w (SPEC 1, 7, by hand)."""
    return (real.T @ sigmoid(offset_real + real @ w)
            - fake.T @ sigmoid(-(offset_fake + fake @ w)) + c * w)


def oracle_radius(w, real, fake, c, offset_real=0.0, offset_fake=0.0):
    """‖w − w*‖₂ ≤ ‖∇F(w)‖₂ / c for any w, plus the rounding of the hand-written gradient."""
    grad = spec_gradient(w, real, fake, c, offset_real, offset_fake)
    scale = np.abs(real).sum() + np.abs(fake).sum() + c * np.abs(w).sum()
    return float((np.linalg.norm(grad) + 8 * EPS * scale) / c)


def solve_certified(real, fake, c, loose_ok=False, **kwargs):
    """``dual.solve``; a loose certificate (an InaccurateSolutionWarning: relative gap above
    ``dual.GAP_WARN_RTOL``) fails the test unless ``loose_ok``, and then the caller checks the
    answer against the solution's own, looser, certificate."""
    with warnings.catch_warnings():
        if loose_ok:
            warnings.simplefilter("ignore", dual.InaccurateSolutionWarning)
        else:
            warnings.simplefilter("error", dual.InaccurateSolutionWarning)
        return dual.solve(real, fake, c, **kwargs)
