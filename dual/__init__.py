"""The exact discriminator: L2-regularized logistic regression, primal and box dual, certified.

See ``SPEC.md`` sections 1–3 and 7. The public API::

    sol = dual.solve(real, fake, c=1.0, solver="native")   # exact Newton, milliseconds
    sol = dual.solve(real, fake, c=1.0)   # the default: the CVXPY reference (Clarabel), slower
    sol.w, sol.lam_real, sol.lam_fake, sol.gap, sol.kkt, sol.discriminator(x)
    ksol = dual.solve_kernel(K, n_real, c=1.0, offset=a)                 # SPEC 7, Gram matrix
    ksol.beta, ksol.decision_function(K_rows), ksol.discriminator(K_rows)

    dual.primal_objective(w, real, fake, c)              # F(w), SPEC 1
    dual.dual_objective(lam_real, lam_fake, real, fake, c)  # g(λ), SPEC 2
    dual.certify(w, lam_real, lam_fake, real, fake, c)   # F, g, gap, KKT of any pair, SPEC 3
    dual.certify_kernel(lam_real, lam_fake, K, c)        # the same from a Gram matrix, SPEC 7
    dual.lambdas_from_w(w, real, fake)                   # SPEC 3
    dual.w_from_lambdas(lam_real, lam_fake, real, fake, c)  # SPEC 3
    dual.available_solvers()                             # usable exponential-cone CVXPY solvers
    dual.calibrate()                     # re-measure the machine constants of form="auto"

Before each large allocation (a Hessian, a Gram matrix or its factor, a CVXPY problem, a
cvxpylayers build) a guard predicts its bytes and raises :class:`dual.ResourceError` when they
exceed the memory available (:mod:`dual.memory`; ``check_memory=False`` skips it).

Gradients of the optimal value (SPEC 4, Danskin) for torch users are in :mod:`dual.autograd`,
and through a differentiable conic solve (cvxpylayers, the ``[layers]`` extra) in
:mod:`dual.layers`; neither is imported here, so ``import dual`` needs neither torch nor cvxpy.
"""

from .backends import NATIVE, available_solvers, unavailable_solvers
from .calibration import Calibration, calibrate
from .certificate import Certificate, KKTResiduals, certify, certify_kernel, relative_gap
from .exceptions import ConvergenceWarning, InaccurateSolutionWarning, ResourceError, SolverError
from .kernel import solve_kernel
from .objectives import (
    b_of_lambdas,
    binary_entropy,
    discriminator,
    dual_objective,
    lambdas_from_w,
    primal_objective,
    w_from_lambdas,
)
from .solution import AutoChoice, KernelSolution, Solution
from .solve import GAP_WARN_RTOL, solve

__all__ = [
    "NATIVE",
    "GAP_WARN_RTOL",
    "AutoChoice",
    "Calibration",
    "Certificate",
    "ConvergenceWarning",
    "InaccurateSolutionWarning",
    "KKTResiduals",
    "KernelSolution",
    "ResourceError",
    "Solution",
    "SolverError",
    "available_solvers",
    "b_of_lambdas",
    "binary_entropy",
    "calibrate",
    "certify",
    "certify_kernel",
    "discriminator",
    "dual_objective",
    "lambdas_from_w",
    "primal_objective",
    "relative_gap",
    "solve",
    "solve_kernel",
    "unavailable_solvers",
    "w_from_lambdas",
]
