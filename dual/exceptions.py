"""Errors and warnings raised by :mod:`dual`.

Grouped as cvxpy groups solver statuses: a solution that is present but not trustworthy is a
*warning* carrying advice; no solution at all is a *named exception* carrying solver and status.
"""


class SolverError(RuntimeError):
    """A backend returned no usable solution.

    Attributes
    ----------
    solver : str
        The backend's name (``"CLARABEL"``, ``"native"``, ...).
    status : str
        The status the backend reported.
    """

    def __init__(self, solver, status, detail=""):
        self.solver = solver
        self.status = status
        message = f"solver {solver!r} failed with status {status!r}"
        if detail:
            message += f": {detail}"
        super().__init__(message)


class InaccurateSolutionWarning(UserWarning):
    """A solution came back, but its certified relative gap exceeds ``dual.GAP_WARN_RTOL``."""


class ConvergenceWarning(UserWarning):
    """The native backend stopped before its certified gap reached ``tol``: at its iteration
    limit (status ``"max_iter"``), or because its line search stalled, no step changing the
    objective by more than float64 rounding (status ``"stalled"``)."""
