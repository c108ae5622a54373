"""The certified solution of the discriminator problem."""

import dataclasses
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .certificate import KKTResiduals, relative_gap
from .objectives import discriminator as _discriminator


@dataclass(frozen=True)
class Solution:
    """A solution of SPEC 1/2 with both sides filled in and certified in float64.

    Attributes
    ----------
    w : ndarray, shape (D,)
        Discriminator weights. From the dual form: w = b(λ)/c (SPEC 3).
    lam_real : ndarray, shape (N,)
        Multipliers of the real samples, in [−1, 0]. From the primal form: λ = −σ(wᵀx) (SPEC 3).
    lam_fake : ndarray, shape (M,)
        Multipliers of the fake samples, in [−1, 0].
    primal_value : float
        F(w) in nats, evaluated by the project (SPEC 1).
    dual_value : float
        g(λ) in nats, evaluated by the project (SPEC 2).
    gap : float
        primal_value − dual_value ≥ 0 up to rounding; certifies both sides (SPEC 3).
    kkt : KKTResiduals
        Stationarity, link and box residuals (SPEC 3).
    status : str
        The backend's status word.
    solver : str
        ``"native"`` or a CVXPY solver name.
    form : str
        ``"primal"`` or ``"dual"``: the form actually solved.
    c : float
        Regularization weight.
    solve_time : float
        Wall-clock seconds of the whole call, problem construction and certificate included.
    iterations : int or None
        Backend iterations, None if the backend does not say.
    """

    w: np.ndarray
    lam_real: np.ndarray
    lam_fake: np.ndarray
    primal_value: float
    dual_value: float
    gap: float
    kkt: KKTResiduals
    status: str
    solver: str
    form: str
    c: float
    solve_time: float
    iterations: Optional[int] = None

    def __post_init__(self):
        for name in ("w", "lam_real", "lam_fake"):
            getattr(self, name).setflags(write=False)

    @property
    def relative_gap(self):
        """gap / max(1, |primal_value|)."""
        return relative_gap(self.primal_value, self.dual_value)

    @property
    def lam(self):
        """All N + M multipliers, real first, shape (N + M,)."""
        return np.concatenate([self.lam_real, self.lam_fake])

    def discriminator(self, x):
        """D_w(x) = σ(−wᵀx) ∈ (0, 1), the probability that each row of ``x`` (n, D) is real."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.w.shape[0]:
            raise ValueError(
                f"x must have shape (n, {self.w.shape[0]}) to match w, got shape {x.shape}"
            )
        return _discriminator(self.w, x)

    def to_dict(self):
        """Every field by name (arrays as float64 numpy copies, ``kkt`` as a dict)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("w", "lam_real", "lam_fake"):
            out[name] = np.array(out[name], dtype=np.float64)
        out["kkt"] = dataclasses.asdict(self.kkt)
        return out

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict`; array fields accept any array-like (CPU tensors too)."""
        values = dict(data)
        for name in ("w", "lam_real", "lam_fake"):
            values[name] = np.asarray(values[name], dtype=np.float64).copy()
        values["kkt"] = KKTResiduals(**values["kkt"])
        return cls(**values)

    def summary(self):
        """One line: solver, form, values, gap and largest KKT residual."""
        it = "?" if self.iterations is None else self.iterations
        return (
            f"{self.solver}/{self.form}: F={self.primal_value:.10g} g={self.dual_value:.10g} "
            f"gap={self.gap:.2e} kkt={self.kkt.max:.2e} iters={it} time={self.solve_time:.4f}s"
        )
