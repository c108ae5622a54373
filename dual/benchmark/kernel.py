"""The kernel-form cells of the benchmark (``kernel=True``; SPEC 7, :func:`dual.solve_kernel`).

At N + M ∈ {256, 1024, 4096} (``--quick``: 64, 128): a Gram matrix K = J Jᵀ / P of P Gaussian
features per sample (P = N + M by default: full rank; ``features=64``: rank 64), score offsets
~ N(0, 0.5²) and c = mean(diag K) (the scale of the calibration notes). Native dual Newton on K and
native primal on a factor, cold and warm-started after a 0.01·noise move of J and a, against every
CVXPY solver on the factor L of K (the factorization is part of the timed call). A CVXPY cell is
predicted from the previous size by (N + M)²·rank (the factor's size; an optimistic guess for a
dense factor, whose conic KKT system is dense).
"""

import warnings

import numpy as np

from ..backends import available_solvers
from ..kernel import solve_kernel
from .harness import budgeted, finish, timed

SIZES = {"full": [128, 512, 2048], "quick": [32, 64]}  # N = M


def make_kernel_problem(n, features, seed):
    """K = J Jᵀ/P for J (2n, P), offsets a; and the same after a 0.01·noise step."""
    rng = np.random.default_rng([seed, n, features])
    j = rng.normal(size=(2 * n, features))
    offset = 0.5 * rng.normal(size=2 * n)
    moved_j = j + 0.01 * rng.normal(size=j.shape)
    moved_offset = offset + 0.01 * rng.normal(size=offset.shape)
    return (j @ j.T / features, offset), (moved_j @ moved_j.T / features, moved_offset)


def run_kernel(gram, offset, n, c, solver, form, settings, warm_start=None, label=None):
    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return solve_kernel(gram, n, c, offset=offset, solver=solver, form=form,
                                warm_start=warm_start)

    seconds, sol = timed(call, settings)
    return dict(backend=label or (solver if solver == "native" else f"cvxpy-{solver}"),
                method=form, seconds=seconds, iterations=sol.iterations,
                primal_value=sol.primal_value, relative_gap=sol.relative_gap), sol


def run_kernel_cell(cell, settings, history):
    """The rows of one kernel cell; ``cell["D"]`` holds the number of features P."""
    n, features = cell["N"], cell["D"]
    rank = min(features, 2 * n)
    (gram, offset), (moved, moved_offset) = make_kernel_problem(n, features, settings.seed)
    c = cell["c"] = float(np.mean(np.diag(gram)))
    rows = []
    for form in ("dual", "primal"):
        row, first = run_kernel(gram, offset, n, c, "native", form, settings)
        rows.append(row)
        rows.append(run_kernel(moved, moved_offset, n, c, "native", form, settings,
                               warm_start=first, label="native-warm")[0])
    for solver in available_solvers():
        for form in ("dual", "primal"):
            rows.append(budgeted(("kernel", f"cvxpy-{solver}", form), 2 * n * rank, settings,
                                 history, lambda: run_kernel(  # run at once
                                     gram, offset, n, c, solver, form, settings)[0]))  # noqa: B023
    return finish(rows, cell)
