"""The certified solutions: on sample features (:class:`Solution`) and on a Gram matrix
(:class:`KernelSolution`)."""

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy.special import expit

from ._record import Record
from .certificate import KKTResiduals, relative_gap
from .objectives import _discriminator


@dataclass(frozen=True, eq=False)
class AutoChoice(Record):
    """How the native backend resolved ``form="auto"`` (see :mod:`dual.backends.cost_model`).

    Attributes
    ----------
    method : str
        What ran: ``"primal/cholesky"``, ``"dual/cholesky"``, ``"primal/newton-cg"``, or
        ``"primal/newton-cg, then primal/cholesky"`` (or ``dual/…``) when Newton-CG ran out of its
        allowance of Hessian-vector products and the factored method finished.
    reason : str
        The predicted costs per Newton step behind the choice, on this machine's measured
        constants (:mod:`dual.calibration`).
    predicted : dict
        Method name → predicted seconds per Newton step; ``"gram"`` → the dual's Gram matrix
        (once); ``"product"`` → one Hessian-vector product.
    budget : int
        Hessian-vector products allowed in the first Newton-CG step (0 when Newton-CG was not
        chosen); the reason says how many more each further step adds.
    products : int
        Hessian-vector products (CG iterations) spent in all.
    """

    method: str
    reason: str
    predicted: dict
    budget: int = 0
    products: int = 0

    @classmethod
    def of_plan(cls, plan, products, handed_over):
        """The record of a :class:`dual.backends.cost_model.Plan` as it ran."""
        method = f"{plan.method}, then {plan.fallback}" if handed_over else plan.method
        reason = plan.reason + (f"; the allowance of products ran out after {products}, so "
                                f"{plan.fallback} finished" if handed_over else "")
        return cls(method=method, reason=reason, predicted=dict(plan.predicted),
                   budget=plan.budget, products=int(products))


@dataclass(frozen=True, eq=False, repr=False)
class _Certified(Record):
    """What both solutions share: the multipliers, the certificate, the backend's report; the
    arrays are read-only."""

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
    choice: Optional[AutoChoice] = None

    _ARRAYS = ("lam_real", "lam_fake")

    def __post_init__(self):
        for name in self._ARRAYS:
            getattr(self, name).setflags(write=False)

    @property
    def relative_gap(self):
        """gap / max(1, |primal_value|)."""
        return relative_gap(self.primal_value, self.dual_value)

    @property
    def lam(self):
        """All N + M multipliers, real first, shape (N + M,)."""
        return np.concatenate([self.lam_real, self.lam_fake])

    def summary(self):
        """One line: solver, form, values, gap and largest KKT residual."""
        it = "?" if self.iterations is None else self.iterations
        how = self.form if self.choice is None else f"auto: {self.choice.method}"
        return (
            f"{self.solver}/{how}: F={self.primal_value:.10g} g={self.dual_value:.10g} "
            f"gap={self.gap:.2e} kkt={self.kkt.max:.2e} iters={it} time={self.solve_time:.4f}s"
        )

    def __repr__(self):
        """A few lines: what was solved and how, the values, the certificate, the shapes (the
        arrays themselves are attributes: ``lam_real``, ``lam_fake``, ...)."""
        how = self.form if self.choice is None else f"auto: {self.choice.method}"
        it = "" if self.iterations is None else f", {self.iterations} iterations"
        shapes = ", ".join(f"{name} {getattr(self, name).shape}" for name in self._ARRAYS)
        return (f"{type(self).__name__}(form={how!r}, solver={self.solver!r}, "
                f"status={self.status!r}, c={self.c:g})\n"
                f"  primal value F = {self.primal_value:.10g}, dual value g = "
                f"{self.dual_value:.10g} (nats)\n"
                f"  gap = {self.gap:.2e} (relative {self.relative_gap:.2e}), largest KKT "
                f"residual {self.kkt.max:.2e}\n"
                f"  shapes: {shapes}; {self.solve_time:.3g} s{it}")


@dataclass(frozen=True, eq=False, repr=False)
class Solution(_Certified):
    """A solution of SPEC 1/2 (with offsets, SPEC 7) with both sides certified in float64.

    Attributes
    ----------
    w : ndarray, shape (D,)
        Discriminator weights. From the dual form: w = b(λ)/c (SPEC 3).
    lam_real : ndarray, shape (N,)
        Multipliers of the real samples, in [−1, 0]. From the primal form:
        λ = −σ(a + wᵀx) (SPEC 3, 7).
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
        Wall-clock seconds from the problem's construction to its certificate, both included
        (the input checks before are not).
    iterations : int or None
        Backend iterations (Newton steps for the native backend), None if the backend does not
        say.
    choice : AutoChoice or None
        How ``form="auto"`` chose the method, and why (native backend); None for a given form.

    ``to_dict()`` gives every field (arrays as float64 numpy arrays) and ``Solution.from_dict``
    rebuilds an equal solution from it (arrays may come back as lists or CPU tensors).
    """

    w: np.ndarray = field(kw_only=True)

    _ARRAYS = ("w", "lam_real", "lam_fake")

    def discriminator(self, x, offset=None):
        """D_w(x) = σ(−(a + wᵀx)) ∈ (0, 1), the probability that each row of x is real.

        Parameters
        ----------
        x : array_like, shape (n, D) or (D,)
        offset : array_like, shape (n,), optional
            The new samples' score offsets a (SPEC 7); zero when omitted.
        """
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.w.shape[0]:
            raise ValueError(
                f"x must have shape (n, {self.w.shape[0]}) to match w, got shape {x.shape}"
            )
        return _discriminator(self.w, x, _new_offset(offset, x.shape[0]))


@dataclass(frozen=True, eq=False, repr=False)
class KernelSolution(_Certified):
    """A solution of SPEC 7 given by a Gram matrix K: the multipliers, certified in float64.

    The discriminator lives in the span of the training samples: δ = b(λ)/c = Jᵀβ/c with
    β = (λ_real, 1 + λ_fake), so a new point with kernel row k (its inner products with the
    N + M training samples) and offset a scores a + kᵀβ/c.

    Attributes
    ----------
    lam_real : ndarray, shape (N,)
    lam_fake : ndarray, shape (M,)
        Multipliers in [−1, 0] (SPEC 7).
    primal_value : float
        F(δ) at δ = b(λ)/c, from the scores a + Kβ/c and ‖δ‖² = βᵀKβ/c², in nats.
    dual_value : float
        g(λ) = −βᵀKβ/(2c) + Σ H(−λ_k) − βᵀa, in nats.
    gap, kkt, status, solver, form, c, solve_time, iterations, choice
        As in :class:`Solution`; ``kkt.stationarity`` is 0 by construction (δ = b(λ)/c).
    """

    @property
    def beta(self):
        """β = (λ_real, 1 + λ_fake), shape (N + M,): the sample weights of δ = Jᵀβ/c (SPEC 7)."""
        return np.concatenate([self.lam_real, 1.0 + self.lam_fake])

    def decision_function(self, K_rows, offset=None):
        """Scores a + K_rows β / c of new points (SPEC 7: a + J δ), shape (n,).

        Parameters
        ----------
        K_rows : array_like, shape (n, N + M) or (N + M,)
            Inner products of each new point with the N + M training samples (the same kernel
            and the same sample order as K; scikit-learn's ``kernel="precomputed"`` rows).
        offset : array_like, shape (n,), optional
            The new points' score offsets a; zero when omitted.
        """
        rows = np.asarray(K_rows, dtype=np.float64)
        if rows.ndim == 1:
            rows = rows[None, :]
        width = self.lam_real.shape[0] + self.lam_fake.shape[0]
        if rows.ndim != 2 or rows.shape[1] != width:
            raise ValueError(f"K_rows must have shape (n, {width}): one column per training "
                             f"sample, got shape {rows.shape}")
        scores = rows @ self.beta / self.c
        new = _new_offset(offset, rows.shape[0])
        return scores if new is None else new + scores

    def discriminator(self, K_rows, offset=None):
        """D(x) = σ(−decision_function) ∈ (0, 1), the probability that each new point is real."""
        return expit(-self.decision_function(K_rows, offset))


def _new_offset(offset, n):
    if offset is None:
        return None
    offset = np.asarray(offset, dtype=np.float64).reshape(-1)
    if offset.shape != (n,):
        raise ValueError(f"offset must have shape ({n},), one per new point, got shape "
                         f"{offset.shape}")
    return offset
