"""``form="auto"`` of the native backend: the Newton method predicted to be cheapest.

Three Newton methods solve the same problem (SPEC 1, 2, 7) to the same certified gap; on n samples
of D features they cost::

    primal, Cholesky   per step: one syrk forming ∇²F (n·D² flops), a Cholesky of order D and
                       3 passes over A
    dual, Cholesky     once: the Gram matrix A Aᵀ (n²·D flops); per step: a Cholesky of order n
                       and passes over the n × n Gram matrix. Only when n ≤ D: for n > D the
                       dual's Newton system goes through the D × D Woodbury form, never cheaper
                       than the primal
    primal, Newton-CG  per step: one pass for ∇F, one more for the Jacobi preconditioner when
                       n ≥ D; two passes per Hessian-vector product (:mod:`dual.backends.newton_cg`)

(SPEC 3 counts the flops of the first two). The machine constants that turn these counts into
seconds are measured (:mod:`dual.calibration`). The factored method is the one cheaper for its
first step (the dual's Gram matrix included, as in SPEC 3). The number of CG products a step
will need is unknown beforehand (it depends on the Hessian's conditioning), so Newton-CG runs on
an allowance: after j steps, as many products as cost what the factored method would have spent
by then, (one-off + j·(its step − CG's fixed cost)) / product. Once the allowance runs out,
Newton-CG hands over to the factored method from the iterate reached, so a wrong guess costs at
most about what the factored method costs, and a few products when CG's observed rate already
predicts the overrun. Newton-CG is not tried when fewer than ``RATE_PRODUCTS`` products fit in the
first step (too few to measure that rate) or in the cost of each further factored step (a solve
takes several Newton steps, each needing a few products).

On small data the primal runs compiled when numba is installed (:mod:`dual.backends.compiled`):
one call for the whole method, where a numpy step makes some 24 calls (σ, softplus, the line
search, ...) that cost more than the arithmetic there, and a Newton system of order min(n, D).
Its step is then predicted without those calls, which makes it the plan on such data, or the
factored method that Newton-CG hands over to on the largest (n = 512, D = 64, say).

The plan depends only on (n, D), the constants and whether the primal runs compiled there, so it
is cached per shape: the same shapes in the same process always get the same plan, and a call
costs a dictionary look-up.
"""

import math
from dataclasses import dataclass

from .. import calibration as _calibration
from . import compiled as _compiled
from .newton_cg import RATE_PRODUCTS
from .result import CG, DUAL, PRIMAL

#: Numpy calls of a dual Newton step beyond the primal's (see :meth:`CostModel.steps`).
DUAL_EXTRA_CALLS = 12


@dataclass(frozen=True)
class Plan:
    """What ``form="auto"`` runs: ``method`` first (one of PRIMAL, DUAL, CG); for CG, at most
    ``budget`` Hessian-vector products in the first Newton step and ``increment`` more per
    further step (cumulative), then ``fallback``. ``predicted`` holds the predicted seconds per
    Newton step of each method, of the dual's Gram matrix (``"gram"``, once) and of one product
    (``"product"``)."""

    method: str
    fallback: str
    budget: int
    increment: float
    predicted: dict
    reason: str


def _loglog(x, xs, ys):
    """Piecewise-linear interpolation of log y in log x; beyond the table, y ∝ x at the top and
    y constant at the bottom (the fixed cost)."""
    if x <= xs[0]:
        return float(ys[0])
    if x >= xs[-1]:
        return float(ys[-1]) * x / float(xs[-1])
    k = next(i for i in range(1, len(xs)) if x <= xs[i])
    u = (math.log(x) - math.log(xs[k - 1])) / (math.log(xs[k]) - math.log(xs[k - 1]))
    return math.exp((1 - u) * math.log(ys[k - 1]) + u * math.log(ys[k]))


class CostModel:
    """Seconds of the kernels at any size, from a :class:`dual.calibration.Calibration`."""

    def __init__(self, constants):
        self.constants = constants
        self._plans = {}

    def pass_(self, entries):
        """One pass over a matrix of ``entries`` = rows × columns."""
        c = self.constants
        return _loglog(entries, c.pass_sizes, c.pass_seconds)

    def syrk(self, order, rows):
        """Bᵀ B for B of shape (rows, order): rows·order² flops at the rate of that order."""
        c = self.constants
        orders, rates = c.syrk_orders, c.syrk_rates
        if order <= orders[0]:
            rate = rates[0]
        elif order >= orders[-1]:
            rate = rates[-1]
        else:
            k = next(i for i in range(1, len(orders)) if order <= orders[i])
            u = (math.log(order) - math.log(orders[k - 1])) / (
                math.log(orders[k]) - math.log(orders[k - 1]))
            rate = (1 - u) * rates[k - 1] + u * rates[k]
        return c.call_seconds + rows * order**2 / rate

    def cholesky(self, order):
        """A Cholesky factorization and solve of the given order (∝ order³ beyond the table)."""
        c = self.constants
        top = c.cholesky_orders[-1]
        if order > top:
            return float(c.cholesky_seconds[-1]) * (order / top) ** 3
        return _loglog(order, c.cholesky_orders, c.cholesky_seconds)

    def steps(self, n, d, compiled=False):
        """Predicted seconds per Newton step of each method, of the Gram matrix and of one CG
        product; ``compiled``: the primal's step without its numpy calls."""
        c = self.constants
        logistic = n * c.sample_seconds + 20 * c.call_seconds  # σ, softplus, line search, ...
        one_pass = self.pass_(n * d)
        if compiled:  # one call runs the whole method, its system in the smaller space
            small, large = min(n, d), max(n, d)
            costs = {PRIMAL: self.syrk(small, large) + self.cholesky(small) + 3 * one_pass
                     + n * c.sample_seconds}
        else:
            costs = {PRIMAL: self.syrk(d, n) + self.cholesky(d) + 3 * one_pass + logistic}
        if n <= d:  # a Cholesky of order n after the Gram matrix, formed once
            # the dual's step makes about 12 numpy calls more than the primal's (counted in
            # dual.backends.native: σ(±u), both entropies, the clip of the logits, the gap's
            # KL terms), which decides between the two on small data where n ≈ D
            costs[DUAL] = (self.cholesky(n) + 3 * self.pass_(n * n) + logistic
                           + DUAL_EXTRA_CALLS * c.call_seconds)
            costs["gram"] = self.syrk(n, d)
        costs[CG] = (2 if n >= d else 1) * one_pass + logistic  # ∇F (and the preconditioner)
        costs["product"] = 2 * one_pass + (n + 3 * d) * c.sample_seconds / 4 + 12 * c.call_seconds
        return {method: float(seconds) for method, seconds in costs.items()}

    def plan(self, n, d):
        """The :class:`Plan` for n samples of D features (cached per shape)."""
        key = (n, d)
        if key not in self._plans:
            self._plans[key] = self._make_plan(n, d)
        return self._plans[key]

    def _make_plan(self, n, d):
        compiled = _compiled.module(n, d) is not None
        costs = self.steps(n, d, compiled)
        one_off = {PRIMAL: 0.0, DUAL: costs.get("gram", 0.0)}
        dense = min((m for m in (PRIMAL, DUAL) if m in costs), key=lambda m: one_off[m] + costs[m])
        budget = int((one_off[dense] + costs[dense] - costs[CG]) // costs["product"])
        increment = (costs[dense] - costs[CG]) / costs["product"]
        names = {PRIMAL: f"{PRIMAL} (compiled)" if compiled else PRIMAL, DUAL: DUAL, CG: CG}
        summary = ", ".join(f"{names[m]} {costs[m] * 1e3:.3g} ms" for m in (PRIMAL, DUAL, CG)
                            if m in costs)
        tail = (f"per Newton step: {summary}" + (f" after a {costs['gram'] * 1e3:.3g} ms Gram "
                                                 f"matrix" if "gram" in costs else "")
                + f"; {costs['product'] * 1e6:.3g} µs per Hessian-vector product")
        if min(budget, increment) < RATE_PRODUCTS:
            which = "first step" if budget < increment else "further steps"
            return Plan(dense, dense, 0, 0.0, costs, f"{dense}: fewer than {RATE_PRODUCTS} CG "
                                                     f"products fit in the cost of its {which}; "
                                                     f"{tail}")
        return Plan(CG, dense, budget, increment, costs,
                    f"{CG} with up to {budget} products in the first step and {increment:.3g} "
                    f"more per step (what {dense} would cost); {tail}")


_model = None


def current_model():
    """The cost model of the constants in use (:func:`dual.calibration.current`)."""
    global _model
    constants = _calibration.current()
    if _model is None or _model.constants is not constants:
        _model = CostModel(constants)
    return _model
