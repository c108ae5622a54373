"""Solver backends for the discriminator problem, looked up by name and imported lazily.

``"native"`` is the project's own exact Newton solver (:mod:`dual.backends.native`); every other
name is a CVXPY solver (:mod:`dual.backends.cvxpy_backend`), usable when it is installed, handles
exponential cones, and actually runs here (a solver installed without a license does not).
"""

from .registry import NATIVE, available_solvers, resolve_backend, unavailable_solvers

__all__ = ["NATIVE", "available_solvers", "resolve_backend", "unavailable_solvers"]
