"""Name → backend lookup, with the availability probe for CVXPY solvers.

A CVXPY solver is *available* when (1) cvxpy reports it installed, (2) its conic interface accepts
exponential cones (``ExpCone`` in ``SUPPORTED_CONSTRAINTS``), and (3) a tiny exponential-cone
problem solves to optimality with it. The probe runs once per process and per solver.
"""

import functools
import importlib

NATIVE = "native"

# Conic interfaces that are front ends of other solvers, not solvers of their own: why each is
# left out of available_solvers() and refused by name.
_EXCLUDED = {
    "ECOS_BB": "it is ECOS's mixed-integer front end; use 'ECOS' for this continuous problem",
    "DIFFCP": "it is the differentiating wrapper of SCS and Clarabel that cvxpylayers calls "
              "(see dual.layers); use 'SCS' or 'CLARABEL'",
}
# cvxpy adds ExpCone to MOSEK's SUPPORTED_CONSTRAINTS only once mosek has been imported, so the
# class attribute alone would call an absent (or not yet imported) MOSEK unable to do it.
_EXP_CONE_AFTER_IMPORT = {"MOSEK"}


def _exp_cone_solvers():
    """Names of CVXPY solvers whose conic interface handles the exponential cone (installed or
    not)."""
    from cvxpy.constraints import ExpCone
    from cvxpy.reductions.solvers.defines import SOLVER_MAP_CONIC

    return {
        name
        for name, solver in SOLVER_MAP_CONIC.items()
        if (ExpCone in getattr(solver, "SUPPORTED_CONSTRAINTS", ())
            or name in _EXP_CONE_AFTER_IMPORT)
        and name not in _EXCLUDED
    }


@functools.lru_cache(maxsize=None)
def _probe(name):
    """None if ``name`` solves a small exponential-cone problem, else the reason it cannot."""
    import cvxpy as cp

    x = cp.Variable(2)
    problem = cp.Problem(cp.Minimize(cp.sum(cp.logistic(x)) + cp.sum_squares(x)))
    try:
        problem.solve(solver=name)
    except Exception as err:  # licence errors, import errors, solver crashes
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
        return f"{type(err).__name__}: {first_line}"
    if problem.status not in ("optimal", "optimal_inaccurate"):
        return f"probe problem ended with status {problem.status!r}"
    return None


@functools.lru_cache(maxsize=None)
def _installed():
    import cvxpy as cp

    return tuple(cp.installed_solvers())


def available_solvers():
    """CVXPY solvers installed here that solve exponential-cone problems and actually run.

    Returns
    -------
    list of str
        Sorted with CLARABEL (the default) first, e.g. ``["CLARABEL", "ECOS", "SCS"]``.
        The project's own backend, ``"native"``, is always available and not listed here.
    """
    candidates = sorted(_exp_cone_solvers().intersection(_installed()))
    usable = [name for name in candidates if _probe(name) is None]
    return sorted(usable, key=lambda name: (name != "CLARABEL", name))


def unavailable_solvers():
    """Exponential-cone CVXPY solvers that are installed but cannot run, with the reason."""
    candidates = sorted(_exp_cone_solvers().intersection(_installed()))
    return {name: _probe(name) for name in candidates if _probe(name) is not None}


@functools.lru_cache(maxsize=None)
def _module(name):
    """A backend module, imported on first use (the CVXPY backend imports cvxpy)."""
    return importlib.import_module(f".{name}", __package__)


def resolve_backend(solver):
    """Return ``(backend_module, canonical_name)`` for a solver name, or raise a clear error.

    Raises
    ------
    TypeError
        ``solver`` is not a string.
    ValueError
        Unknown name, not installed, no exponential cones, or installed but unable to run.
    """
    if not isinstance(solver, str):
        raise TypeError(f"solver must be a string, got {solver!r} of type {type(solver).__name__}")
    if solver.lower() == NATIVE:
        return _module("native"), NATIVE
    name = solver.upper()
    choices = [NATIVE] + available_solvers()
    if name in choices:
        return _module("cvxpy_backend"), name
    exp_cone = _exp_cone_solvers()
    from cvxpy.reductions.solvers.defines import SOLVER_MAP_CONIC, SOLVER_MAP_QP

    if name in exp_cone and name in _installed():
        reason = _probe(name)
        raise ValueError(
            f"solver {solver!r} is installed but cannot run here ({reason}); "
            f"available solvers: {choices}"
        )
    if name in exp_cone:
        raise ValueError(
            f"solver {solver!r} is not installed; available solvers: {choices}"
        )
    if name in _EXCLUDED:
        raise ValueError(f"solver {solver!r} is not offered: {_EXCLUDED[name]}; "
                         f"available solvers: {choices}")
    if name in SOLVER_MAP_CONIC or name in SOLVER_MAP_QP:
        raise ValueError(
            f"solver {solver!r} cannot solve exponential-cone problems (the logistic loss and "
            f"the entropy need them); available solvers: {choices}"
        )
    raise ValueError(f"unknown solver {solver!r}; available solvers: {choices}")
