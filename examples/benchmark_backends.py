"""Every exact backend side by side: native Newton, every CVXPY solver, and liblinear.

Two grids of cells, each cell one seeded problem (N real and N fake samples of D features, c):

* ``--grid extended`` (default): the data families of ``benchmark_families.py`` (separation from
  overlapping to nearly separable, anisotropic and rotated covariances, heavy tails, duplicated
  rows, low variance) at N/D from 0.1 to 1000 and D up to 3,000. Per cell: native ``auto`` cold,
  and warm-started after the fakes moved by 0.01·noise (as after one generator step); each native
  method forced (primal and dual with a Cholesky factorization, primal Newton-CG), cold; and
  liblinear, the external reference. The summary gives, per family and overall, the *worst*
  cell's speedup over liblinear, cold and warm, and the median.
* ``--grid classic``: the original table (overlapping data, N = M ∈ {200, 1000, 5000},
  D ∈ {2, 50, 784}) with every available exponential-cone CVXPY solver in both forms as well.

liblinear is scikit-learn's ``LogisticRegression(solver="liblinear", dual=True,
fit_intercept=False, tol=1e-10)``. Every answer is certified the same way, by the project
(``dual.solve``'s certificate; liblinear's w through the SPEC 3 map λ = −σ(Aw)). Per row: the
least wall time over repeats (at least ``--repeats``, more for calls shorter than half a second
in all), iterations, relative gap, objective difference from the best backend, and
``speedup`` = liblinear's time / this time (the warm row against liblinear's cold time, as
liblinear cannot start warm). A run whose time, predicted from a smaller cell of the same family
and backend, exceeds ``--budget`` seconds is skipped and reported as such.

BLAS threads: one for every backend (``--threads 1``, the default, set after every library is
loaded); ``--threads all`` leaves the BLAS its default, all cores, for a second table (liblinear
is single-threaded either way).

Outputs in ``--out``: ``NAME.csv`` (rewritten atomically after every cell, so it always holds
whole cells), ``NAME.json`` (settings, rows, summary), ``NAME.png`` and ``NAME.settings.json``;
NAME is ``benchmark`` (extended), ``benchmark_classic`` or ``benchmark_kernel``, with a
``_threads-all`` suffix for all cores. ``--resume`` skips the cells already in the CSV (with the
same settings); Ctrl-C keeps the finished cells, writes the summary of those, and exits with 130.

``--quick`` runs a small grid in a few seconds. ``--kernel`` times the kernel form instead (SPEC 7,
:func:`dual.solve_kernel`, see ``benchmark_kernel.py``).
"""

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import dual
from benchmark_families import FAMILIES, make
from common.checkpoint import check_same_settings
from common.cli import EXIT_INTERRUPTED, run
from common.files import ResultsFileError

EXTENDED_SHAPES = [  # (N = M, D): N/D from 0.1 to 1000, D up to 3000
    (30, 300), (100, 1000), (300, 3000),   # N/D = 0.1
    (30, 30), (300, 300), (1000, 1000),    # 1
    (30, 3), (300, 30), (3000, 300),       # 10
    (300, 3), (3000, 30), (10000, 100),    # 100
    (3000, 3), (30000, 30),                # 1000
]
QUICK_SHAPES = [(10, 40), (40, 4), (100, 10)]
CLASSIC = {"full": ([200, 1000, 5000], [2, 50, 784]), "quick": ([40, 120], [2, 8])}
FORCED = {"primal/cholesky": dict(form="primal"), "dual/cholesky": dict(form="dual"),
          "primal/newton-cg": dict(form="primal", linear_solver="cg")}
COLUMNS = ["family", "N", "M", "D", "c", "scenario", "backend", "method", "seconds", "speedup",
           "iterations", "products", "relative_gap", "objective_diff", "primal_value", "skipped"]
NUMERIC = {"N": int, "M": int, "D": int, "c": float, "seconds": float, "speedup": float,
           "iterations": int, "products": int, "relative_gap": float, "objective_diff": float,
           "primal_value": float}
KEY = ("family", "N", "D")  # what identifies a cell (c is a setting of the run)


def _timed(fn, args, enough=5.0, most=200):
    """The least wall time of ``fn()`` over at least ``args.repeats`` runs (fewer once
    ``enough`` seconds are spent); a call shorter than that repeats until ``args.min_time``
    seconds are spent, at most ``most`` times. On a shared machine the least time is the one least
    disturbed by other work (as ``timeit`` advises), and a short call needs many runs to be seen
    undisturbed."""
    repeats, short = args.repeats, args.min_time
    times, result = [], None
    while len(times) < most:
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        spent = sum(times)
        if spent > enough or (len(times) >= repeats and spent > short):
            break
    return min(times), result


def run_liblinear(real, fake, c, args):
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]  # SPEC 1: real 0, fake 1

    def fit():
        model = LogisticRegression(solver="liblinear", dual=True, fit_intercept=False,
                                   tol=1e-10, C=1.0 / c, max_iter=100000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(x, y)

    seconds, model = _timed(fit, args)
    w = model.coef_.ravel()
    cert = dual.certify(w, *dual.lambdas_from_w(w, real, fake), real, fake, c)  # SPEC 3
    return dict(backend="liblinear", method="dual coordinate descent", seconds=seconds,
                iterations=int(np.max(model.n_iter_)), primal_value=cert.primal_value,
                relative_gap=cert.relative_gap)


def run_dual(real, fake, c, solver, args, warm_start=None, label=None, method=None, **kw):
    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dual.solve(real, fake, c, solver=solver, warm_start=warm_start, **kw)

    seconds, sol = _timed(call, args)
    if method is None:
        method = sol.choice.method if sol.choice is not None else sol.form
        method = f"auto: {method}" if kw.get("form") == "auto" else method
    return dict(backend=label or (solver if solver == "native" else f"cvxpy-{solver}"),
                method=method, seconds=seconds, iterations=sol.iterations,
                products=None if sol.choice is None else sol.choice.products,
                primal_value=sol.primal_value, relative_gap=sol.relative_gap), sol


def _work(method, n, d):
    """The flop count a method's time is extrapolated with (SPEC 3; optimistic for CG, liblinear
    and CVXPY, whose iteration counts also grow)."""
    if method == "primal/cholesky":
        return n * d * d + d**3
    if method == "dual/cholesky":
        return n * n * d + n**3 if n <= d else n * d * d + d**3
    return n * d


def run_cell(cell, args, history):
    """The rows of one cell of the extended or classic grid."""
    n, d, c = cell["N"], cell["D"], cell["c"]
    real, fake, moved = make(cell["family"], n, d, args.seed)
    rows = []
    budget = lambda key, method, fn: _budgeted(  # noqa: E731 - one call site per backend
        (cell["family"],) + key, _work(method, 2 * n, d), args, history, fn)
    if not args.no_liblinear:
        rows.append(budget(("liblinear",), "liblinear",
                           lambda: run_liblinear(real, fake, c, args)))
    auto, first = run_dual(real, fake, c, "native", args, form="auto")
    rows.append(auto)
    rows.append(run_dual(real, moved, c, "native", args, warm_start=first,
                         label="native-warm", form="auto")[0])
    forms = FORCED if args.grid == "extended" else {"primal": dict(form="primal"),
                                                      "dual": dict(form="dual")}
    # budget() calls its lambda at once, in the iteration that made it (B023 does not apply)
    for method, kw in forms.items():
        rows.append(budget(("native", method), method, lambda: run_dual(
            real, fake, c, "native", args, method=method, **kw)[0]))  # noqa: B023
    if args.cvxpy:
        for solver in dual.available_solvers():
            for form in ("primal", "dual"):
                rows.append(budget((f"cvxpy-{solver}", form), "cvxpy", lambda: run_dual(
                    real, fake, c, solver, args, method=form, form=form)[0]))  # noqa: B023
    return finish(rows, cell)


def _budgeted(key, work, args, history, run_fn):
    """``run_fn()``'s row, or a skipped row when the time predicted from a smaller cell with the
    same ``key`` (family, backend, method), scaled by ``work``, exceeds ``--budget``, or when the
    solver fails."""
    backend, method = key[1], key[-1]
    previous = history.get(key)
    if previous is not None:
        predicted = previous[1] * work / previous[0]
        if predicted > args.budget:
            return dict(backend=backend, method=method,
                        skipped=f"predicted {predicted:.0f} s > budget {args.budget:g} s")
    try:
        row = run_fn()
    except dual.SolverError as err:  # a solver that fails here is reported, not fatal
        return dict(backend=backend, method=method, skipped=f"failed: {err}")
    history[key] = (work, row["seconds"])
    return row


def finish(rows, cell):
    """Objective differences and speedups, and the cell's coordinates on every row."""
    solved = [r for r in rows if "seconds" in r]
    cold = [r for r in solved if r["backend"] != "native-warm"]
    best = min(r["primal_value"] for r in cold)
    lib = next((r for r in solved if r["backend"] == "liblinear"), None)
    for row in solved:
        reference = best if row["backend"] != "native-warm" else row["primal_value"]
        row["objective_diff"] = (row["primal_value"] - reference) / max(1.0, abs(reference))
        row["speedup"] = lib["seconds"] / row["seconds"] if lib else None
    for row in rows:
        row.update(family=cell["family"], N=cell["N"], M=cell["N"], D=cell["D"], c=cell["c"],
                   scenario="warm" if row["backend"] == "native-warm" else "cold")
    return rows


def cells_of(args):
    """The grid's cells in run order (smaller work first within a family, for the budget)."""
    if args.grid == "classic":
        sizes, dims = CLASSIC["quick" if args.quick else "full"]
        sizes, dims = args.sizes or sizes, args.dims or dims
        return [dict(family="overlapping", N=n, D=d, c=args.c) for d in dims for n in sizes]
    shapes = QUICK_SHAPES if args.quick else EXTENDED_SHAPES
    if args.sizes or args.dims:
        shapes = [(n, d) for n in (args.sizes or [s[0] for s in shapes])
                  for d in (args.dims or [s[1] for s in shapes])]
    families = args.families or list(FAMILIES)
    return [dict(family=f, N=n, D=d, c=args.c) for f in families
            for n, d in sorted(set(shapes), key=lambda s: (s[0] * s[1], s))]


def cell_key(row):
    return tuple(NUMERIC.get(k, str)(row[k]) for k in KEY)


# --------------------------------------------------------------------------- files


def write_atomically(path, data):
    """Replace ``path`` by ``data`` (str or bytes) through a temporary file and ``os.replace``:
    the file is always either its previous complete version or the new one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_rows(path, rows):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_atomically(path, text.getvalue())


def read_rows(path):
    """The rows of a benchmark CSV, numbers parsed; ResultsFileError if it is not one."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != COLUMNS:
                raise ValueError(f"its header is {reader.fieldnames}, expected {COLUMNS}")
            rows = [{k: (NUMERIC[k](float(v)) if k in NUMERIC and NUMERIC[k] is int else
                         NUMERIC[k](v) if k in NUMERIC else v)
                     for k, v in row.items() if v not in ("", None)} for row in reader]
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError) as err:
        raise ResultsFileError(f"{path}: not a benchmark CSV ({err}); move it away to start "
                               f"afresh, or restore a complete copy of it") from None
    return rows


def write_figure(fig, path):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    write_atomically(path, buffer.getvalue())


# --------------------------------------------------------------------------- main


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grid", choices=("extended", "classic"), default="extended")
    parser.add_argument("--quick", action="store_true", help="a small grid, for a smoke test")
    parser.add_argument("--out", type=Path, default=Path("runs/benchmark"))
    parser.add_argument("--resume", action="store_true",
                        help="skip the cells already in the CSV (same settings required)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5,
                        help="least time over at least this many runs")
    parser.add_argument("--min-time", type=float, default=0.5,
                        help="repeat a shorter call until this many seconds are spent")
    parser.add_argument("--budget", type=float, default=300.0,
                        help="skip a run predicted to take longer (seconds)")
    parser.add_argument("--threads", choices=("1", "all"), default="1",
                        help="BLAS threads for every backend")
    parser.add_argument("--families", nargs="+", choices=list(FAMILIES),
                        help="data families of the extended grid (default: all)")
    parser.add_argument("--sizes", type=int, nargs="+", help="N = M values (overrides the grid)")
    parser.add_argument("--dims", type=int, nargs="+", help="D values (overrides the grid)")
    parser.add_argument("--no-liblinear", action="store_true")
    parser.add_argument("--cvxpy", action="store_true",
                        help="also every CVXPY solver (always on with --grid classic, --kernel)")
    parser.add_argument("--kernel", action="store_true",
                        help="time the kernel form (dual.solve_kernel) instead")
    parser.add_argument("--features", type=int, default=None,
                        help="with --kernel: P features per sample (default N + M, full rank)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = min(args.repeats, 2), 0.0
    args.cvxpy = args.cvxpy or args.grid == "classic"
    return args


def output_name(args):
    name = "benchmark_kernel" if args.kernel else (
        "benchmark" if args.grid == "extended" else "benchmark_classic")
    return name + ("_threads-all" if args.threads == "all" else "")


def settings_of(args):
    """What a resumed run must share with the first one (not where the outputs go)."""
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
            if k not in ("out", "resume")}


def limit_threads(threads):
    """One BLAS thread for every backend, set after every BLAS-using library is loaded (a limit
    set before a library loads does not reach it)."""
    import scipy.linalg  # noqa: F401 - loads scipy's BLAS before the limit
    import sklearn.linear_model  # noqa: F401 - liblinear, and sklearn's BLAS users
    from threadpoolctl import threadpool_info, threadpool_limits

    if threads == "1":
        threadpool_limits(limits=1)
    return sorted({f"{i['internal_api']} x{i['num_threads']}" for i in threadpool_info()})


def main(argv=None):
    args = parse_args(argv)
    from benchmark_kernel import SIZES, run_kernel_cell
    from benchmark_report import (
        json_ready,
        plot_speedups,
        plot_times,
        print_summary,
        print_table,
        summarize,
    )

    args.out.mkdir(parents=True, exist_ok=True)
    name = output_name(args)
    csv_path, settings_path = args.out / f"{name}.csv", args.out / f"{name}.settings.json"
    settings = settings_of(args)
    rows = []
    if args.resume and csv_path.exists():
        if settings_path.exists():
            check_same_settings(json.loads(settings_path.read_text()), settings)
        rows = read_rows(csv_path)
    write_atomically(settings_path, json.dumps(settings, indent=2))
    blas = limit_threads(args.threads)
    print(f"BLAS: {', '.join(blas)}", flush=True)

    if args.kernel:
        sizes = args.sizes or SIZES["quick" if args.quick else "full"]
        cells = [dict(family="kernel", N=n, D=args.features or 2 * n, c=0.0) for n in sizes]
    else:
        cells = cells_of(args)
    done = {cell_key(r) for r in rows}
    todo = [cell for cell in cells if cell_key(cell) not in done]
    print(f"{len(cells)} cells, {len(cells) - len(todo)} already in {csv_path}", flush=True)
    history, interrupted = {}, False
    try:
        for number, cell in enumerate(todo, 1):
            print(f"cell {number}/{len(todo)}: {cell['family']} N=M={cell['N']} D={cell['D']} ...",
                  flush=True)
            if args.kernel:
                new = run_kernel_cell(cell, args, history, _timed, _budgeted, finish)
            else:
                new = run_cell(cell, args, history)
            print_table(new)
            rows.extend(new)
            write_rows(csv_path, rows)  # whole cells only, atomically
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted: {len({cell_key(r) for r in rows})} finished cell(s) kept in "
              f"{csv_path}; rerun with --resume to go on", flush=True)

    summary = summarize(rows)
    print_summary(summary)
    write_atomically(args.out / f"{name}.json", json.dumps(json_ready(
        {"settings": settings, "blas": blas, "rows": rows, "summary": summary}), indent=2))
    threads = "one BLAS thread" if args.threads == "1" else "all cores"
    if args.kernel:
        rank = "P = N + M, full rank" if args.features is None else f"P = {args.features}"
        fig = plot_times(rows, f"Kernel form, K = J Jᵀ/P ({rank}), {threads}: time against N + M"
                         "\n(native-warm after a 0.01·noise move of J and a)",
                         panel=lambda row: "dual.solve_kernel")
    elif args.grid == "classic":
        fig = plot_times(rows, f"Exact discriminator solves, {threads}: time against N + M "
                         "(cold; native-warm after a 0.01·noise move of the fakes)")
    else:
        fig = plot_speedups(rows, f"native auto against liblinear, {threads}: cold (filled) and "
                            "warm after a 0.01·noise move of the fakes (hollow)")
    write_figure(fig, args.out / f"{name}.png")
    print(f"\nwrote {args.out / name}.csv, .json and .png")
    return EXIT_INTERRUPTED if interrupted else 0


if __name__ == "__main__":
    sys.exit(run(main))
