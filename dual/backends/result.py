"""What passes between the front ends (:func:`dual.solve`, :func:`dual.solve_kernel`) and a
backend: the problem's data and the form to solve going in, the raw answer coming back before the
project certifies it; and, inside the native backend, the outcome of one Newton run."""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..solution import AutoChoice

#: The two problems every backend solves: the box dual (SPEC 2, N + M unknowns; the front ends'
#: default, hence first) and the primal (SPEC 1, D unknowns).
FORMS = ("dual", "primal")
#: The third value of ``form`` for a backend that chooses the form itself (``CHOOSES_FORM``).
AUTO = "auto"

#: The native backend's Newton methods (:mod:`dual.backends.native`), by space and linear solver.
PRIMAL, DUAL, CG = "primal/cholesky", "dual/cholesky", "primal/newton-cg"


def forms(backend, auto=True):
    """The ``form`` values a backend module accepts: :data:`FORMS`, and :data:`AUTO` when the
    backend chooses a form itself and the front end offers it (``auto``)."""
    return FORMS + ((AUTO,) if auto and getattr(backend, "CHOOSES_FORM", False) else ())


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

    The native backend also hands over what its last Newton iteration computed at its answer,
    for the certificate to reuse instead of another pass over the data: ``scores``, the n scores
    t = a + A w of the answer's w (the primal iterate, or b(λ)/c in the dual: t = a + Kβ/c), and
    in the primal ``grad`` = ∇F(w) = Aᵀ(σ(t) − e) + c w, whence b(λ) = c w − ∇F(w) at
    λ = −σ(t) (SPEC 3, 7). None when not computed.
    """

    form: str
    status: str
    iterations: Optional[int] = None
    w: Optional[np.ndarray] = None
    lam: Optional[np.ndarray] = None
    inaccurate: bool = False
    choice: Optional[AutoChoice] = None
    scores: Optional[np.ndarray] = None
    grad: Optional[np.ndarray] = None


@dataclass
class NewtonRun:
    """One Newton method's run in the native backend (:data:`PRIMAL`, :data:`DUAL` or
    :data:`CG`): its iterate, ``w`` for the primal methods or ``lam`` for the dual, and how it
    ended.

    ``converged``: the certified gap reached the tolerance; ``stalled``: the line search found
    no step that changes the objective in float64. ``products`` counts Newton-CG's
    Hessian-vector products (CG iterations); ``exhausted`` says its allowance of products ran
    out and the run stopped there, for a factored method to go on from ``w``. ``scores`` and
    ``grad``: those of the final iterate, as in :class:`BackendResult`.
    """

    method: str
    iterations: int
    converged: bool
    stalled: bool
    w: Optional[np.ndarray] = None
    lam: Optional[np.ndarray] = None
    products: int = 0
    exhausted: bool = False
    scores: Optional[np.ndarray] = None
    grad: Optional[np.ndarray] = None
