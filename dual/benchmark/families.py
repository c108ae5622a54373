"""The data families of the backend benchmark (:mod:`dual.benchmark`): kinds of
real-against-fake data on which an exact discriminator solve can be easy or hard for one method
and not another.

Every family draws N real and N fake samples of D features from a seeded generator and returns
them with the fakes *moved* by 0.01 times fresh noise of the family's own kind and scale, as after
one generator step (the warm-start scenario). The real samples are shifted by m = s·u,
u = (1, …, 1)/√D, so the separation s is the distance between the class means in units of the
noise (‖m‖ = 1 is the benchmark's original overlapping setting).
"""

import numpy as np

#: name → what it is. The order is the tables' order.
FAMILIES = {
    "overlapping": "N(0, I) against N(m, I), ‖m‖ = 1: heavy overlap",
    "separated": "‖m‖ = 4: a few samples on the wrong side",
    "nearly-separable": "‖m‖ = 8: classes apart but for rare samples; large ‖w‖",
    "anisotropic": "feature standard deviations log-spaced over 0.01–100 (axis-aligned), ‖m‖ = 1 "
                   "in those units",
    "rotated": "the anisotropic spectrum in a random orthonormal basis",
    "heavy-tailed": "multivariate Student t with 3 degrees of freedom (rows of very unequal "
                    "norms), ‖m‖ = 1",
    "duplicated": "overlapping, but only a tenth of the rows distinct, each repeated 10 times",
    "low-variance": "overlapping, scaled by 0.1: the L2 term dominates the Hessian",
}
SEPARATION = {"separated": 4.0, "nearly-separable": 8.0}
REPEATS = 10  # copies of each distinct row in "duplicated"


def make(family, n, d, seed):
    """Real (n, d), fake (n, d) and the fakes moved by 0.01·noise, all float64.

    ``"overlapping"`` draws exactly what the benchmark always drew (the same seeding), so its
    cells reproduce the earlier tables' data.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {list(FAMILIES)}, got {family!r}")
    if family == "overlapping":
        rng = np.random.default_rng([seed, n, d])
        real = rng.normal(size=(n, d)) + 1.0 / np.sqrt(d)
        fake = rng.normal(size=(n, d))
        return real, fake, fake + 0.01 * rng.normal(size=(n, d))
    rng = np.random.default_rng([seed, n, d, list(FAMILIES).index(family)])
    noise, mean = _sampler(family, d, rng)
    if family == "duplicated":
        distinct = max(1, n // REPEATS)
        real = (noise(distinct) + mean)[rng.integers(0, distinct, n)]
        fake = noise(distinct)[rng.integers(0, distinct, n)]
    else:
        real, fake = noise(n) + mean, noise(n)
    return real, fake, fake + 0.01 * noise(n)


def _sampler(family, d, rng):
    """A function drawing (rows, d) centred noise of the family, and the real class's mean m."""
    scales = np.ones(d)
    if family in ("anisotropic", "rotated"):
        scales = np.logspace(-2, 2, d)
    elif family == "low-variance":
        scales = np.full(d, 0.1)
    mean = SEPARATION.get(family, 1.0) / np.sqrt(d) * scales  # ‖m‖ = s in the noise's units
    basis = None
    if family == "rotated":
        basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
        mean = basis @ mean

    def draw(rows):
        z = rng.normal(size=(rows, d))
        if family == "heavy-tailed":  # multivariate t: one chi-square scale per row
            z *= np.sqrt(3.0 / rng.chisquare(3.0, size=(rows, 1)))
        z *= scales
        return z if basis is None else z @ basis.T

    return draw, mean
