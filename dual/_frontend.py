"""The skeleton both entry points share: validate → backend → solve → project → certify →
result → warn.

:func:`dual.solve` (sample features) and :func:`dual.solve_kernel` (a Gram matrix, SPEC 7) take
the same steps and differ only in their data. Each describes its data by a *route*, an object
made from its validated inputs that supplies the four steps that depend on them:

``prepare(solver, form, warm_start, check_memory)``
    the :class:`~dual.backends.result.Problem` handed to the backend, and the backend's starting
    point (``w0`` or ``logit0``) from a warm start;
``multipliers(raw)``
    all N + M multipliers from the backend's answer: λ = −σ(a + Aw) from a primal w (SPEC 3, 7),
    or the dual's own, projected onto the box (SPEC 2), with how far they lay outside it;
``certify(lam, box)``
    the :class:`~dual.certificate.Certificate` of the pair, evaluated by the project in float64;
``fields()``
    the solution's fields beyond those every solution has (``w`` on features);

and names its ``solution_type``, ``n_real``, ``c``, and whether ``form="auto"`` is offered
(``auto``). :func:`run` takes the steps in order around them.
"""

import time
import warnings

import numpy as np

from ._validation import check_form
from .backends import resolve_backend
from .backends.result import forms
from .certificate import relative_gap
from .exceptions import InaccurateSolutionWarning

#: A solution whose relative gap exceeds this draws an :class:`InaccurateSolutionWarning`.
GAP_WARN_RTOL = 1e-6


def run(route, solver, form, warm_start, check_memory, options):
    """Resolve the backend and check ``form`` and ``warm_start`` against it, solve, project,
    certify, build the solution and warn if it is inaccurate (the route's inputs are already
    validated). ``options`` go to the backend."""
    backend, name = resolve_backend(solver)
    check_form(form, forms(backend, auto=route.auto))
    kind = route.solution_type
    if warm_start is not None and not isinstance(warm_start, kind):
        raise TypeError(f"warm_start must be a dual.{kind.__name__} or None, got "
                        f"{type(warm_start).__name__}")

    start = time.perf_counter()
    problem, starts = route.prepare(name, form, warm_start, check_memory)
    raw = backend.solve(problem, form, name, check_memory=check_memory, **starts, **options)
    lam, box = route.multipliers(raw)
    cert = route.certify(lam, box)
    elapsed = time.perf_counter() - start

    n_real = route.n_real
    solution = kind(
        lam_real=lam[:n_real], lam_fake=lam[n_real:], primal_value=cert.primal_value,
        dual_value=cert.dual_value, gap=cert.gap, kkt=cert.kkt, status=raw.status, solver=name,
        form=raw.form, c=route.c, solve_time=elapsed, iterations=raw.iterations,
        choice=raw.choice, **route.fields(),
    )
    warn_if_inaccurate(solution, raw.inaccurate, stacklevel=4)
    return solution


def project_to_box(lam):
    """Clip multipliers onto [−1, 0]; return them and how far they lay outside (SPEC 2).
    Multipliers in the box already (the native dual's always are) come back as they are."""
    box = max(0.0, -1.0 - float(lam.min()), float(lam.max()))
    if box == 0.0:
        return lam, 0.0
    return np.minimum(np.maximum(lam, -1.0), 0.0), box  # np.clip, a few µs cheaper


def warn_if_inaccurate(solution, flagged, stacklevel=3):
    """Warn with advice when the certified relative gap exceeds :data:`GAP_WARN_RTOL`."""
    # The certificate decides: a backend may flag a status as inaccurate (ECOS does so on some
    # converged duals) while the gap proves the answer; that status stays in solution.status.
    rgap = relative_gap(solution.primal_value, solution.dual_value)
    if abs(rgap) <= GAP_WARN_RTOL:
        return
    reason = f"the certified relative gap is {rgap:.2e} > {GAP_WARN_RTOL:g}"
    if flagged:
        reason += f" and the backend reported status {solution.status!r}"
    warnings.warn(
        f"{solution.solver}/{solution.form}: {reason} (max KKT residual {solution.kkt.max:.2e}). "
        f"Try another solver (solver='native' or 'CLARABEL'), the other form, or tighter "
        f"tolerances (e.g. SCS: eps_abs=1e-9, eps_rel=1e-9, max_iters=100000).",
        InaccurateSolutionWarning,
        stacklevel=stacklevel,
    )
