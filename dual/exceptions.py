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


class ResourceError(MemoryError):
    """A solve or a layer build would need more memory than this machine has available.

    Raised by the guards of :mod:`dual.memory` *before* the large allocation, in place of the
    kernel's out-of-memory kill that would otherwise end the process without a message. A
    subclass of ``MemoryError`` rather than of ``ValueError``: the inputs are valid, and the same
    call succeeds on a larger machine; code that already handles running out of memory (a
    caller that retries with a smaller batch, say) catches it with ``except MemoryError``
    unchanged, and ``except ValueError`` around input checks does not swallow it.

    Attributes
    ----------
    needed : int
        The predicted bytes.
    available : int
        The bytes available when the guard ran (or the lowered limit, :mod:`dual.memory`).
    what : str
        The allocation guarded (``"native primal/cholesky: Hessian ..."``, ...).
    """

    def __init__(self, what, needed, available, advice):
        self.what, self.needed, self.available = what, int(needed), int(available)
        super().__init__(
            f"{what} needs about {_size(needed)} ({self.needed:,} B) but {_size(available)} "
            f"({self.available:,} B) is available; {advice}, or pass check_memory=False to "
            f"proceed anyway"
        )


def _size(nbytes):
    """Bytes in the largest unit that keeps the number >= 1 (binary units)."""
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024.0:
            return f"{value:.3g} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024.0
    return f"{value:.3g} TiB"
