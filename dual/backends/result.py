"""What passes between the front ends (:func:`dual.solve`, :func:`dual.solve_kernel`) and a
backend: the problem's data going in, the raw answer coming back before the project certifies it."""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..solution import AutoChoice


@dataclass(frozen=True)
class Problem:
    """SPEC 7 data: n = N + M samples (real first), per-sample offsets a, weight c, and either
    the stacked features A (n, D) or the Gram matrix K = A Aᵀ (n, n).

    With all offsets 0 and features given this is SPEC 1–3. A backend that needs features (every
    CVXPY one, and the native primal) gets them; for a Gram matrix the front end hands over a
    factor L with L Lᵀ = K in their place.
    """

    n_real: int
    c: float
    offset: np.ndarray
    features: Optional[np.ndarray] = None
    gram: Optional[np.ndarray] = None

    @property
    def n(self):
        """N + M."""
        return self.offset.shape[0]

    def fake_rows(self):
        """e, the indicator of the fake samples, shape (n,) (SPEC 7: β = λ + e)."""
        e = np.zeros(self.n)
        e[self.n_real:] = 1.0
        return e


@dataclass
class BackendResult:
    """A backend's raw answer: either ``w`` (primal form) or the multipliers (dual form).

    ``status`` is the backend's own word; ``inaccurate`` flags a status that means "a solution,
    but not to the requested accuracy". ``form`` is the form actually solved (``"auto"`` resolved);
    ``choice`` says how the native backend resolved ``"auto"`` (None otherwise).
    """

    form: str
    status: str
    iterations: Optional[int] = None
    w: Optional[np.ndarray] = None
    lam: Optional[np.ndarray] = None
    inaccurate: bool = False
    choice: Optional[AutoChoice] = None
