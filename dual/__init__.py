"""The exact discriminator: L2-regularized logistic regression, primal and box dual, certified.

See ``SPEC.md`` sections 1–3. The public API::

    sol = dual.solve(real, fake, c=1.0, form="dual", solver="CLARABEL")
    sol.w, sol.lam_real, sol.lam_fake, sol.gap, sol.kkt, sol.discriminator(x)

    dual.primal_objective(w, real, fake, c)              # F(w), SPEC 1
    dual.dual_objective(lam_real, lam_fake, real, fake, c)  # g(λ), SPEC 2
    dual.lambdas_from_w(w, real, fake)                   # SPEC 3
    dual.w_from_lambdas(lam_real, lam_fake, real, fake, c)  # SPEC 3
    dual.available_solvers()                             # usable exponential-cone CVXPY solvers
"""

from .backends import NATIVE, available_solvers, unavailable_solvers
from .certificate import KKTResiduals, relative_gap
from .exceptions import ConvergenceWarning, InaccurateSolutionWarning, SolverError
from .objectives import (
    b_of_lambdas,
    binary_entropy,
    discriminator,
    dual_objective,
    lambdas_from_w,
    primal_objective,
    w_from_lambdas,
)
from .solution import Solution
from .solve import GAP_WARN_RTOL, solve

__all__ = [
    "NATIVE",
    "GAP_WARN_RTOL",
    "ConvergenceWarning",
    "InaccurateSolutionWarning",
    "KKTResiduals",
    "Solution",
    "SolverError",
    "available_solvers",
    "b_of_lambdas",
    "binary_entropy",
    "discriminator",
    "dual_objective",
    "lambdas_from_w",
    "primal_objective",
    "relative_gap",
    "solve",
    "unavailable_solvers",
    "w_from_lambdas",
]
