"""Every exact backend side by side, cell by cell: the grids, the timing rule, the budget, and
the resumable result table (see :mod:`dual.benchmark`).

A cell is one seeded problem (N real and N fake samples of D features, c). Per cell:

* ``grid="extended"``: native ``auto`` cold, and warm-started after the fakes moved by
  0.01·noise (as after one generator step); each native method forced (primal and dual with a
  Cholesky factorization, primal Newton-CG), cold; and liblinear, the external reference;
* ``grid="classic"``: native primal and dual, liblinear and every exponential-cone CVXPY solver
  in both forms, on the overlapping family;
* ``grid="tiny"``: the fixed cost of a call, native ``auto`` cold and warm and the warm call's
  Newton arithmetic alone, against liblinear, on small data (:mod:`dual.benchmark.fixed_cost`);
* ``kernel=True``: the kernel form instead (:mod:`dual.benchmark.kernel`).

Every answer is certified the same way, by the project (``dual.solve``'s certificate;
liblinear's w through the SPEC 3 map λ = −σ(Aw)). Per row: the least wall time over repeats,
iterations, relative gap, objective difference from the best backend, and ``speedup`` =
liblinear's time / this time (the warm row against liblinear's cold time, as liblinear cannot
start warm). A run whose time, predicted from a smaller cell of the same family and backend,
exceeds the budget is skipped and reported as such.
"""

import dataclasses
import json
import os
import time
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from dualgan.files import ensure_writable_directory, save_figure, write_json
from dualgan.lock import hold_file
from dualgan.table import ResultTable
from dualgan.validation import check_choice, check_int, check_positive, check_real

from .. import certify, lambdas_from_w, solve
from ..backends import available_solvers
from ..exceptions import SolverError
from .families import FAMILIES, make
from .report import json_ready, plot_speedups, plot_times, print_summary, print_table, summarize

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
GRIDS = ("extended", "classic", "tiny")
THREADS = ("1", "all")


@dataclass
class BenchmarkSettings:
    """What a benchmark measures, checked on construction (``ValueError``/``TypeError`` name
    the setting). Field names are those of ``examples/benchmark_backends.py``'s options.

    ``quick`` caps ``repeats`` at 2 and sets ``min_time`` to 0; ``grid="classic"`` turns
    ``cvxpy`` on.
    """

    grid: str = "extended"  # "extended", "classic" or "tiny"
    quick: bool = False  # a small grid, for a smoke test
    seed: int = 0
    c: float = 1.0  # SPEC 1 L2 weight (the kernel cells use mean diag K)
    repeats: int = 5  # least time over at least this many runs
    min_time: float = 0.5  # repeat a shorter call until this many seconds are spent
    budget: float = 300.0  # skip a run predicted to take longer (seconds)
    threads: str = "1"  # BLAS threads: "1" for every backend, or "all" (the BLAS default)
    families: Optional[list] = None  # data families of the extended grid (None: all)
    sizes: Optional[list] = None  # N = M values (overrides the grid)
    dims: Optional[list] = None  # D values (overrides the grid)
    no_liblinear: bool = False
    cvxpy: bool = False  # also every CVXPY solver (always on with the classic grid, the kernel)
    kernel: bool = False  # time the kernel form (dual.solve_kernel) instead
    features: Optional[int] = None  # kernel: P features per sample (None: N + M, full rank)

    def __post_init__(self):
        check_choice(self.grid, "grid", GRIDS)
        check_choice(self.threads, "threads", THREADS)
        check_int(self.seed, "seed", minimum=0)
        check_positive(self.c, "c")
        check_int(self.repeats, "repeats", minimum=1)
        check_real(self.min_time, "min_time", low=0.0, low_inclusive=True)
        check_positive(self.budget, "budget")
        for name in ("sizes", "dims", "families"):
            values = getattr(self, name)
            if values is not None and len(values) == 0:
                raise ValueError(f"{name} must not be empty when given")
        for value in self.families or ():
            check_choice(value, "families", FAMILIES)
        for name in ("sizes", "dims"):
            for value in getattr(self, name) or ():
                check_int(value, name, minimum=1)
        if self.features is not None:
            check_int(self.features, "features", minimum=1)
            if not self.kernel:
                raise ValueError("features is a setting of the kernel benchmark: give kernel "
                                 "as well, or leave features out")
        if self.kernel and (self.grid != "extended" or self.families is not None):
            raise ValueError("the kernel benchmark has its own cells: leave grid and families "
                             "out with kernel")
        if self.grid == "tiny" and (self.families is not None or self.cvxpy):
            raise ValueError("the tiny grid times native against liblinear on the overlapping "
                             "family: leave families and cvxpy out with grid='tiny'")
        if self.quick:
            self.repeats, self.min_time = min(self.repeats, 2), 0.0
        self.cvxpy = self.cvxpy or self.grid == "classic"

    def to_dict(self):
        return dataclasses.asdict(self)


def timed(fn, settings, enough=5.0, most=200):
    """The least wall time of ``fn()`` over at least ``settings.repeats`` runs (fewer once
    ``enough`` seconds are spent); a call shorter than that repeats until ``settings.min_time``
    seconds are spent, at most ``most`` times. On a shared machine the least time is the one least
    disturbed by other work (as ``timeit`` advises), and a short call needs many runs to be seen
    undisturbed."""
    repeats, short = settings.repeats, settings.min_time
    times, result = [], None
    while len(times) < most:
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        spent = sum(times)
        if spent > enough or (len(times) >= repeats and spent > short):
            break
    return min(times), result


def run_liblinear(real, fake, c, settings):
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]  # SPEC 1: real 0, fake 1

    def fit():
        model = LogisticRegression(solver="liblinear", dual=True, fit_intercept=False,
                                   tol=1e-10, C=1.0 / c, max_iter=100000)
        return model.fit(x, y)

    with warnings.catch_warnings():  # outside the timed calls, as for dual.solve (run_dual)
        warnings.simplefilter("ignore")
        seconds, model = timed(fit, settings)
    w = model.coef_.ravel()
    cert = certify(w, *lambdas_from_w(w, real, fake), real, fake, c)  # SPEC 3
    return dict(backend="liblinear", method="dual coordinate descent", seconds=seconds,
                iterations=int(np.max(model.n_iter_)), primal_value=cert.primal_value,
                relative_gap=cert.relative_gap)


def run_dual(real, fake, c, solver, settings, warm_start=None, label=None, method=None, **kw):
    def call():
        return solve(real, fake, c, solver=solver, warm_start=warm_start, **kw)

    # the warning filter is set once around the repeats, not timed with each call (entering
    # warnings.catch_warnings costs about 3 µs, a twentieth of a small call); the same for
    # liblinear (run_liblinear)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds, sol = timed(call, settings)
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


def run_cell(cell, settings, history):
    """The rows of one cell of the extended or classic grid."""
    n, d, c = cell["N"], cell["D"], cell["c"]
    real, fake, moved = make(cell["family"], n, d, settings.seed)
    rows = []
    budget = lambda key, method, fn: budgeted(  # noqa: E731 - one call site per backend
        (cell["family"],) + key, _work(method, 2 * n, d), settings, history, fn)
    if not settings.no_liblinear:
        rows.append(budget(("liblinear",), "liblinear",
                           lambda: run_liblinear(real, fake, c, settings)))
    auto, first = run_dual(real, fake, c, "native", settings, form="auto")
    rows.append(auto)
    rows.append(run_dual(real, moved, c, "native", settings, warm_start=first,
                         label="native-warm", form="auto")[0])
    forms = FORCED if settings.grid == "extended" else {"primal": dict(form="primal"),
                                                          "dual": dict(form="dual")}
    # budget() calls its lambda at once, in the iteration that made it (B023 does not apply)
    for method, kw in forms.items():
        rows.append(budget(("native", method), method, lambda: run_dual(
            real, fake, c, "native", settings, method=method, **kw)[0]))  # noqa: B023
    if settings.cvxpy:
        for solver in available_solvers():
            for form in ("primal", "dual"):
                rows.append(budget((f"cvxpy-{solver}", form), "cvxpy", lambda: run_dual(
                    real, fake, c, solver, settings, method=form, form=form)[0]))  # noqa: B023
    return finish(rows, cell)


def budgeted(key, work, settings, history, run_fn):
    """``run_fn()``'s row, or a skipped row when the time predicted from a smaller cell with the
    same ``key`` (family, backend, method), scaled by ``work``, exceeds the budget, or when the
    solver fails."""
    backend, method = key[1], key[-1]
    previous = history.get(key)
    if previous is not None:
        predicted = previous[1] * work / previous[0]
        if predicted > settings.budget:
            return dict(backend=backend, method=method,
                        skipped=f"predicted {predicted:.0f} s > budget {settings.budget:g} s")
    try:
        row = run_fn()
    except SolverError as err:  # a solver that fails here is reported, not fatal
        return dict(backend=backend, method=method, skipped=f"failed: {err}")
    history[key] = (work, row["seconds"])
    return row


def finish(rows, cell):
    """Objective differences and speedups, and the cell's coordinates on every row."""
    for row in rows:  # a warm row solves the moved data: its own reference
        row.setdefault("scenario", "warm" if row["backend"] == "native-warm" else "cold")
    solved = [r for r in rows if "seconds" in r]
    cold = [r for r in solved if r["scenario"] == "cold"]
    best = min(r["primal_value"] for r in cold)
    lib = next((r for r in solved if r["backend"] == "liblinear"), None)
    for row in solved:
        reference = best if row["scenario"] == "cold" else row["primal_value"]
        row["objective_diff"] = (row["primal_value"] - reference) / max(1.0, abs(reference))
        row["speedup"] = lib["seconds"] / row["seconds"] if lib else None
    for row in rows:
        row.update(family=cell["family"], N=cell["N"], M=cell["N"], D=cell["D"], c=cell["c"])
    return rows


def cells_of(settings):
    """The grid's cells in run order (smaller work first within a family, for the budget)."""
    if settings.kernel:
        from .kernel import SIZES

        sizes = settings.sizes or SIZES["quick" if settings.quick else "full"]
        return [dict(family="kernel", N=n, D=settings.features or 2 * n, c=0.0) for n in sizes]
    if settings.grid == "tiny":
        from .fixed_cost import cells

        return cells(settings)
    if settings.grid == "classic":
        sizes, dims = CLASSIC["quick" if settings.quick else "full"]
        sizes, dims = settings.sizes or sizes, settings.dims or dims
        return [dict(family="overlapping", N=n, D=d, c=settings.c) for d in dims for n in sizes]
    shapes = QUICK_SHAPES if settings.quick else EXTENDED_SHAPES
    if settings.sizes or settings.dims:
        shapes = [(n, d) for n in (settings.sizes or [s[0] for s in shapes])
                  for d in (settings.dims or [s[1] for s in shapes])]
    families = settings.families or list(FAMILIES)
    return [dict(family=f, N=n, D=d, c=settings.c) for f in families
            for n, d in sorted(set(shapes), key=lambda s: (s[0] * s[1], s))]


def output_name(settings):
    """``benchmark`` (extended), ``benchmark_classic`` or ``benchmark_kernel``, with a
    ``_threads-all`` suffix for all cores."""
    name = "benchmark_kernel" if settings.kernel else (
        "benchmark" if settings.grid == "extended" else f"benchmark_{settings.grid}")
    return name + ("_threads-all" if settings.threads == "all" else "")


def table(path):
    """The benchmark's result table at ``path``: whole cells, keyed by (family, N, D)."""
    return ResultTable(path, COLUMNS, KEY, kind="benchmark", required=("backend", "method"),
                       row_id=("backend", "method"))  # one row per backend and method of a cell


def read_rows(result_table):
    """The rows of a benchmark table, numbers parsed (empty cells left out).

    Raises
    ------
    dualgan.files.ResultsFileError
        It is not a benchmark CSV (the header, or a number that does not parse), or it holds a
        cell twice (:class:`dualgan.table.DuplicateKeyError`).
    """
    result_table.check()
    try:
        return [{k: (NUMERIC[k](float(v)) if k in NUMERIC and NUMERIC[k] is int else
                     NUMERIC[k](v) if k in NUMERIC else v)
                 for k, v in row.items() if v not in ("", None)}
                for row in result_table.rows()]
    except ValueError as err:
        raise result_table.error(err) from None


def limit_threads(threads):
    """One BLAS thread for every backend, set after every BLAS-using library is loaded (a limit
    set before a library loads does not reach it). Returns the BLAS libraries as text."""
    import scipy.linalg  # noqa: F401 - loads scipy's BLAS before the limit
    import sklearn.linear_model  # noqa: F401 - liblinear, and sklearn's BLAS users
    from threadpoolctl import threadpool_info, threadpool_limits

    if threads == "1":
        threadpool_limits(limits=1)
    return sorted({f"{i['internal_api']} x{i['num_threads']}" for i in threadpool_info()})


def _tiny_summary(rows, path):
    """The tiny grid's table (written to ``path`` in Markdown and printed) and its summary."""
    from .fixed_cost import fixed_cost_table, markdown, print_summary, summary

    table = fixed_cost_table(rows)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(markdown(table) + "\n")
    print("\n" + markdown(table) + "\n")
    result = summary(table)
    print_summary(result)
    return {"fixed_cost": result, "table": table}


def run_benchmark(settings, out, resume=False):
    """Run the benchmark's cells into ``out``, print each cell's table and the summary, and
    write ``NAME.csv`` (whole cells, atomically after each), ``NAME.json`` (settings, rows,
    summary), ``NAME.png`` and ``NAME.settings.json`` (NAME: :func:`output_name`); the tiny grid
    also ``NAME.md``, its table (:func:`dual.benchmark.fixed_cost.markdown`).

    With ``resume``, the cells already in the CSV are skipped (the settings must be those of the
    first run); without, the CSV is replaced at the first finished cell. Ctrl-C keeps the
    finished cells and writes the summary of those.

    The CSV and the files named after it have one writer (:func:`dualgan.lock.hold_file`).

    Returns
    -------
    dict
        ``rows``, ``summary``, ``blas`` and ``interrupted`` (True when Ctrl-C stopped it).

    Raises
    ------
    dualgan.lock.OutputLockedError
        Another process writes this benchmark's CSV in ``out`` (before any work).
    dualgan.files.ResultsFileError
        ``resume`` and the CSV is not a benchmark's.
    dualgan.checkpoint.SettingsMismatchError
        ``resume`` with other settings than the first run's.
    dualgan.files.WriteFailedError
        An output could not be written (the finished cells in the CSV are kept).
    """
    ensure_writable_directory(out)
    csv_path = os.path.join(out, f"{output_name(settings)}.csv")
    with hold_file(csv_path, f"the cells already in {csv_path} are complete; {{fix}} and "
                             f"rerun with --resume"):
        return _run_benchmark(settings, out, resume)


def _run_benchmark(settings, out, resume):
    name = output_name(settings)
    csv_path = os.path.join(out, f"{name}.csv")
    settings_path = os.path.join(out, f"{name}.settings.json")
    recorded = settings.to_dict()
    results = table(csv_path)
    rows = []
    if resume and os.path.exists(csv_path):
        if os.path.exists(settings_path):
            from dualgan.checkpoint import check_same_settings  # torch: on resume only

            with open(settings_path, encoding="utf-8") as handle:
                check_same_settings(json.load(handle), recorded)
        rows = read_rows(results)
    else:
        results.start_afresh()
    write_json(settings_path, recorded)
    blas = limit_threads(settings.threads)
    print(f"BLAS: {', '.join(blas)}", flush=True)

    cells = cells_of(settings)
    done = {results.key_of(r) for r in rows}
    todo = [cell for cell in cells if results.key_of(cell) not in done]
    print(f"{len(cells)} cells, {len(cells) - len(todo)} already in {csv_path}", flush=True)
    history, interrupted = {}, False
    try:
        for number, cell in enumerate(todo, 1):
            print(f"cell {number}/{len(todo)}: {cell['family']} N=M={cell['N']} D={cell['D']} ...",
                  flush=True)
            if settings.kernel:
                from .kernel import run_kernel_cell

                new = run_kernel_cell(cell, settings, history)
            elif settings.grid == "tiny":
                from .fixed_cost import run_tiny_cell

                new = run_tiny_cell(cell, settings)
            else:
                new = run_cell(cell, settings, history)
            print_table(new)
            results.append(new)  # whole cells only, atomically
            rows.extend(new)
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted: {len({results.key_of(r) for r in rows})} finished cell(s) kept "
              f"in {csv_path}; rerun with --resume to go on", flush=True)

    summary = summarize(rows)
    print_summary(summary)
    if settings.grid == "tiny":
        summary = {**summary, **_tiny_summary(rows, os.path.join(out, f"{name}.md"))}
    write_json(os.path.join(out, f"{name}.json"), json_ready(
        {"settings": recorded, "blas": blas, "rows": rows, "summary": summary}))
    threads = "one BLAS thread" if settings.threads == "1" else "all cores"
    if settings.kernel:
        rank = ("P = N + M, full rank" if settings.features is None
                else f"P = {settings.features}")
        fig = plot_times(rows, f"Kernel form, K = J Jᵀ/P ({rank}), {threads}: time against N + M"
                         "\n(native-warm after a 0.01·noise move of J and a)",
                         panel=lambda row: "dual.solve_kernel")
    elif settings.grid == "classic":
        fig = plot_times(rows, f"Exact discriminator solves, {threads}: time against N + M "
                         "(cold; native-warm after a 0.01·noise move of the fakes)")
    else:
        data = "small data, " if settings.grid == "tiny" else ""
        fig = plot_speedups(rows, f"native auto against liblinear, {data}{threads}: cold (filled) "
                            "and warm after a 0.01·noise move of the fakes (hollow)")
    save_figure(fig, os.path.join(out, f"{name}.png"), dpi=120)
    print(f"\nwrote {os.path.join(out, name)}.csv, .json and .png")
    return {"rows": rows, "summary": summary, "blas": blas, "interrupted": interrupted}
