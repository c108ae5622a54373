"""The Newton systems' Cholesky solve, shared by the native backend's primal and dual Newton
methods (:mod:`dual.backends.newton_primal`, :mod:`dual.backends.newton_dual`), and the error of
a factorization that fails."""

from scipy.linalg.lapack import dpotrf, dpotrs

from ..exceptions import SolverError


def spd_solve(matrix, rhs, solver_form):
    """Solve matrix·x = rhs for a symmetric positive definite matrix given by its upper triangle
    (overwritten by its Cholesky factor when Fortran-ordered), through LAPACK's ``potrf`` and
    ``potrs`` directly: scipy's ``cho_factor``/``cho_solve`` and numpy's ``solve`` add about
    8 µs of checks a call, more than the whole factorization of a small system (measured)."""
    factor, info = dpotrf(matrix, lower=0, clean=0, overwrite_a=1)
    if info == 0:
        step, info = dpotrs(factor, rhs, lower=0)
        if info == 0:
            return step
    raise not_positive_definite(info, solver_form)


def not_positive_definite(info, solver_form):
    """The SolverError of a Cholesky factorization that failed with LAPACK's ``info``."""
    detail = (f"the leading minor of order {info} is not positive definite" if info > 0
              else f"LAPACK argument {-info} is illegal")
    return SolverError("native", f"{solver_form}: Newton system not positive definite", detail)
