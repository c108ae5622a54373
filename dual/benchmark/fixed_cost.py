"""The tiny grid of the benchmark: the fixed cost of a call (``grid="tiny"``).

On small data the arithmetic of a solve costs microseconds and what surrounds it (validation,
memory guards, the plan of ``form="auto"``, the certificate, the records) is most of a call.
Per cell (the overlapping family, N = M from 16 to 256, D from 2 to 64, and 2 × 2 data, N = M = 2
and D = 2, for the fixed cost itself): liblinear; native ``auto`` cold; native ``auto``
warm-started after the fakes moved by 0.01·noise; and, as ``newton-only``, the Newton arithmetic
alone of that warm call: the same method from the same start on the same stacked problem
(:func:`dual.backends.native` internals), without validation, guards, plan, certificate or
records. The table (:func:`fixed_cost_table`) gives, per cell, the times, the speedups over
liblinear and the warm call's time over its Newton arithmetic.
"""

import numpy as np

from ..backends import cost_model, native
from ..backends.result import Problem
from .families import make
from .harness import finish, run_dual, run_liblinear, timed

SIZES = {"full": [16, 32, 64, 128, 256], "quick": [16, 64]}
DIMS = {"full": [2, 4, 8, 16, 32, 64], "quick": [2, 16]}
FIXED = (2, 2)  # N = M and D of the 2 × 2 data


def cells(settings):
    """The tiny grid's cells: the 2 × 2 data first, then N = M and D as given or the grid's."""
    which = "quick" if settings.quick else "full"
    sizes, dims = settings.sizes or SIZES[which], settings.dims or DIMS[which]
    grid = [dict(family="overlapping", N=n, D=d, c=settings.c) for n in sizes for d in dims]
    extra = [] if settings.sizes or settings.dims else [
        dict(family="overlapping", N=FIXED[0], D=FIXED[1], c=settings.c)]
    return extra + grid


def run_tiny_cell(cell, settings):
    """The rows of one tiny cell: liblinear, native auto cold and warm, and the warm call's
    Newton arithmetic alone."""
    n, d, c = cell["N"], cell["D"], cell["c"]
    real, fake, moved = make(cell["family"], n, d, settings.seed)
    rows = [] if settings.no_liblinear else [run_liblinear(real, fake, c, settings)]
    cold, first = run_dual(real, fake, c, "native", settings, form="auto")
    warm, last = run_dual(real, moved, c, "native", settings, warm_start=first,
                          label="native-warm", form="auto")
    rows += [cold, warm, _newton_row(real, moved, c, first, last, settings)]
    return finish(rows, cell)


def _newton_row(real, moved, c, first, last, settings):
    """The time of the Newton run(s) that the warm call made, alone."""
    problem = Problem(n_real=real.shape[0], c=c, offset=np.zeros(2 * real.shape[0]),
                      features=np.concatenate([real, moved]))
    plan = cost_model.current_model().plan(*problem.features.shape)
    seconds, run = timed(lambda: _newton(problem, first.w, plan), settings)
    return dict(backend="newton-only", method=f"auto: {last.choice.method}", seconds=seconds,
                iterations=run.iterations, products=run.products,
                primal_value=last.primal_value, relative_gap=last.relative_gap,
                scenario="warm")


def _newton(problem, w0, plan, tol=1e-10, max_iter=100):
    """The Newton method(s) of ``plan`` from ``w0``, as :func:`dual.backends.native.solve` runs
    them (Newton-CG on its allowance, then the factored method if it ran out; the primal
    compiled where :func:`dual.backends.compiled.module` says so)."""
    allowance = (plan.budget, plan.increment) if plan.fallback != plan.method else None
    run = native._run(plan.method, problem, w0, None, tol, max_iter, allowance)
    if run.exhausted:
        products = run.products
        run = native._run(plan.fallback, problem, run.w, None, tol, max_iter - run.iterations,
                          None)
        run.products = products
    return run


def fixed_cost_table(rows):
    """Per cell: liblinear, native cold and warm (seconds and speedups), the Newton arithmetic
    of the warm call and the warm call's time over it; sorted by N, then D."""
    cells = {}
    for r in rows:
        if "seconds" in r and not r.get("skipped"):
            cells.setdefault((r["N"], r["D"]), {})[r["backend"]] = r
    out = []
    for (n, d), cell in sorted(cells.items()):
        if not {"native", "native-warm", "newton-only"} <= set(cell):
            continue
        lib = cell.get("liblinear", {}).get("seconds")
        cold, warm = cell["native"]["seconds"], cell["native-warm"]["seconds"]
        newton = cell["newton-only"]["seconds"]
        out.append(dict(N=n, D=d, liblinear=lib, cold=cold, warm=warm, newton=newton,
                        cold_speedup=lib / cold if lib else None,
                        warm_speedup=lib / warm if lib else None,
                        warm_over_newton=warm / newton, method=cell["native-warm"]["method"],
                        max_gap=max(cell["native"]["relative_gap"],
                                    cell["native-warm"]["relative_gap"])))
    return out


def markdown(table):
    """The table in Markdown, times in µs (the Results page's form)."""
    lines = ["| N = M | D | liblinear | native cold | native warm | Newton arithmetic of the warm "
             "call | warm / arithmetic | max rel. gap |",
             "|---|---|---|---|---|---|---|---|"]
    for c in table:
        lib = "" if c["liblinear"] is None else f"{c['liblinear'] * 1e6:.0f} µs"
        cold = f"{c['cold'] * 1e6:.0f} µs" + (
            "" if c["cold_speedup"] is None else f" ({c['cold_speedup']:.1f}×)")
        warm = f"{c['warm'] * 1e6:.0f} µs" + (
            "" if c["warm_speedup"] is None else f" ({c['warm_speedup']:.1f}×)")
        lines.append(f"| {c['N']} | {c['D']} | {lib} | {cold} | {warm} | "
                     f"{c['newton'] * 1e6:.0f} µs | {c['warm_over_newton']:.1f} | "
                     f"{c['max_gap']:.0e} |")
    return "\n".join(lines)


def summary(table):
    """The worst cells against the targets: cold and warm speedups over the grid (N = M ≥ 16),
    the 2 × 2 call's warm time, and the largest warm / arithmetic ratio."""
    grid = [c for c in table if c["N"] >= 16 and c["cold_speedup"] is not None]
    fixed = next((c for c in table if (c["N"], c["D"]) == FIXED), None)
    out = {"cells": len(table)}
    if grid:
        out["worst_cold"] = min(grid, key=lambda c: c["cold_speedup"])
        out["worst_warm"] = min(grid, key=lambda c: c["warm_speedup"])
    if fixed is not None:
        out["fixed_cost_warm_seconds"] = fixed["warm"]
    if table:
        out["worst_warm_over_newton"] = max(table, key=lambda c: c["warm_over_newton"])
        out["max_gap"] = max(c["max_gap"] for c in table)
    return out


def print_summary(result):
    if "worst_cold" in result:
        for key, speed in (("worst_cold", "cold_speedup"), ("worst_warm", "warm_speedup")):
            c = result[key]
            print(f"{key.replace('_', ' ')}: {c[speed]:.3g}x liblinear at N=M={c['N']}, "
                  f"D={c['D']}")
    if "fixed_cost_warm_seconds" in result:
        print(f"warm call on 2 x 2 data: {result['fixed_cost_warm_seconds'] * 1e6:.1f} µs")
    if "worst_warm_over_newton" in result:
        c = result["worst_warm_over_newton"]
        print(f"largest warm call / its Newton arithmetic: {c['warm_over_newton']:.2f} at "
              f"N=M={c['N']}, D={c['D']}; largest relative gap {result['max_gap']:.1e}")
