"""The certificate attached to every solution: duality gap and KKT residuals (SPEC 3)."""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .objectives import _dual, _primal, b_of_lambdas


@dataclass(frozen=True)
class KKTResiduals:
    """Residuals of the optimality conditions (SPEC 3); all are 0 at the exact optimum.

    Attributes
    ----------
    stationarity : float
        ‖c·w − b(λ)‖∞, the w-stationarity of the Lagrangian (SPEC 2, 3g).
    link : float
        max |λ + σ(Aw)|, the u/v-stationarity linking λ to w (SPEC 3), A stacking x_i and g_j.
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


def certify(w, lam_real, lam_fake, real, fake, c, box=0.0):
    """Evaluate F(w), g(λ), the gap and the KKT residuals in float64.

    Returns
    -------
    primal_value, dual_value, gap, kkt
    """
    primal_value = _primal(w, real, fake, c)
    dual_value = _dual(lam_real, lam_fake, real, fake, c)
    stationarity = float(np.max(np.abs(c * w - b_of_lambdas(lam_real, lam_fake, real, fake))))
    link = float(
        max(
            np.max(np.abs(lam_real + expit(real @ w))),
            np.max(np.abs(lam_fake + expit(fake @ w))),
        )
    )
    kkt = KKTResiduals(stationarity=stationarity, link=link, box=float(box))
    return primal_value, dual_value, primal_value - dual_value, kkt


def relative_gap(primal_value, dual_value):
    """(F − g) / max(1, |F|): the gap scaled to the objective's magnitude."""
    return (primal_value - dual_value) / max(1.0, abs(primal_value))
