"""``form="auto"`` of the native backend: the Newton method predicted to be cheapest per step.

Three Newton methods solve the same problem (SPEC 1, 2, 7) to the same certified gap; per Newton
step on n samples of D features they cost

    primal, Cholesky   one syrk forming ∇²F (n·D² flops), a Cholesky of order D, 3 passes over A
    dual, Cholesky     a Gram matrix A Aᵀ (n²·D flops, once), a Cholesky of order n and passes
                       over the n × n Gram matrix; only when n ≤ D (for n > D the dual's Newton
                       system goes through the D × D Woodbury form, never cheaper than the primal)
    primal, Newton-CG  one pass for ∇F, one more for the Jacobi preconditioner when n ≥ D, and
                       two passes per Hessian-vector product (:mod:`dual.backends.newton_cg`)

(SPEC 3 counts the flops of the first two). The machine constants that turn these counts into
seconds are measured (:mod:`dual.calibration`); only the number of CG products a step will need
is unknown beforehand (it depends on the Hessian's conditioning). So Newton-CG runs with a budget:
the number of products that costs as much as the cheaper factored step. A step that would exceed
it hands over to that factored method, from the iterate reached, so a wrong guess costs at most
about one factored step (a few products when CG's observed rate already predicts the overrun).
Newton-CG is not tried when fewer than ``RATE_PRODUCTS`` products fit: too few to measure the rate.
The dual's Gram matrix is counted in its first step, as in SPEC 3.

The plan depends on (n, D) and the constants only, so it is cached per shape: the same shapes in
the same process always get the same plan, and a call costs a dictionary look-up.
"""

import math
from dataclasses import dataclass

from .. import calibration as _calibration
from .newton_cg import RATE_PRODUCTS

PRIMAL, DUAL, CG = "primal/cholesky", "dual/cholesky", "primal/newton-cg"


@dataclass(frozen=True)
class Plan:
    """What ``form="auto"`` runs: ``method`` first (one of PRIMAL, DUAL, CG); for CG, at most
    ``budget`` Hessian-vector products per Newton step, then ``fallback``. ``predicted`` holds the
    predicted seconds per Newton step of each method and of one product (key ``"product"``)."""

    method: str
    fallback: str
    budget: int
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

    def steps(self, n, d):
        """Predicted seconds per Newton step of each method, and of one CG product."""
        c = self.constants
        logistic = n * c.sample_seconds + 20 * c.call_seconds  # σ, softplus, line search, ...
        one_pass = self.pass_(n * d)
        costs = {PRIMAL: self.syrk(d, n) + self.cholesky(d) + 3 * one_pass + logistic}
        if n <= d:  # the Gram matrix (once, counted here) and a Cholesky of order n
            costs[DUAL] = self.syrk(n, d) + self.cholesky(n) + 3 * self.pass_(n * n) + logistic
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
        costs = self.steps(n, d)
        dense = min((m for m in (PRIMAL, DUAL) if m in costs), key=costs.get)
        budget = int((costs[dense] - costs[CG]) // costs["product"])
        per_step = ", ".join(f"{m} {costs[m] * 1e3:.3g} ms" for m in (PRIMAL, DUAL, CG)
                             if m in costs)
        tail = (f"per Newton step: {per_step} + {costs['product'] * 1e6:.3g} µs per "
                f"Hessian-vector product")
        if budget < RATE_PRODUCTS:
            return Plan(dense, dense, 0, costs, f"{dense}: fewer than {RATE_PRODUCTS} CG "
                                                f"products fit in the cost of its step; {tail}")
        return Plan(CG, dense, budget, costs, f"{CG} with up to {budget} products per step "
                                               f"(as costly as a {dense} step); {tail}")


_model = None


def current_model():
    """The cost model of the constants in use (:func:`dual.calibration.current`)."""
    global _model
    constants = _calibration.current()
    if _model is None or _model.constants is not constants:
        _model = CostModel(constants)
    return _model
