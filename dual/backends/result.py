"""What a backend hands back to :func:`dual.solve` before the project certifies it."""

from dataclasses import dataclass
from typing import Optional

import numpy as np


@dataclass
class BackendResult:
    """A backend's raw answer: either ``w`` (primal form) or the multipliers (dual form).

    ``status`` is the backend's own word; ``inaccurate`` flags a status that means "a solution,
    but not to the requested accuracy". ``form`` is the form actually solved (``"auto"`` resolved).
    """

    form: str
    status: str
    iterations: Optional[int] = None
    w: Optional[np.ndarray] = None
    lam_real: Optional[np.ndarray] = None
    lam_fake: Optional[np.ndarray] = None
    inaccurate: bool = False
