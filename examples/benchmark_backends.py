"""Every exact backend side by side: native Newton, every CVXPY solver, and liblinear.

For each grid cell (N = M, D, c) the script solves the same seeded problem with

* ``native`` in the primal, the dual and the ``auto`` space, cold, and warm-started after the
  fakes moved by 0.01·noise (as after one generator step);
* every available exponential-cone CVXPY solver in both forms (a cell whose predicted time
  exceeds ``--budget`` seconds is skipped and reported as such);
* scikit-learn's ``LogisticRegression(solver="liblinear", dual=True, fit_intercept=False,
  tol=1e-10)``, the external reference.

Every answer is certified the same way, by the project (``dual.solve``'s certificate; liblinear's
w through the SPEC 3 map λ = −σ(Aw)). Per cell: median wall time over repeats, iterations,
relative gap, objective difference from the best backend, and the time as a ratio to liblinear's.
Writes ``OUT/benchmark.csv``, ``OUT/benchmark.json`` and ``OUT/benchmark.png`` (time against N + M,
log-log, one panel per D).

Run ``python examples/benchmark_backends.py --quick`` for a small grid in a few seconds.

``--kernel`` times the kernel form instead (SPEC 7, :func:`dual.solve_kernel`) at N + M ∈
{256, 1024, 4096}: a Gram matrix K = J Jᵀ / P of P Gaussian features per sample (P = N + M by
default: full rank; ``--features 64``: rank 64), score offsets ~ N(0, 0.5²) and c = mean(diag K)
(the scale of the calibration notes); native dual Newton on K and native primal on a factor,
cold and warm-started after a 0.01·noise move of J and a, against every CVXPY solver on the factor
L of K (the factorization is part of the timed call). A CVXPY cell is predicted from the previous
size as (N + M)²·rank (the factor's size; an optimistic guess for a dense factor, whose conic
KKT system is dense). Writes ``OUT/benchmark_kernel.{csv,json,png}``.
"""

import argparse
import csv
import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

import dual

FULL_GRID = {"sizes": [200, 1000, 5000], "dims": [2, 50, 784]}
QUICK_GRID = {"sizes": [40, 120], "dims": [2, 8]}
KERNEL_SIZES = {"full": [128, 512, 2048], "quick": [32, 64]}  # N = M
NATIVE_FORMS = ("primal", "dual", "auto")


def make_problem(n, d, seed):
    """Real ~ N(m, I), fake ~ N(0, I), ‖m‖ = 1: overlapping classes whatever D is."""
    rng = np.random.default_rng([seed, n, d])
    real = rng.normal(size=(n, d)) + 1.0 / np.sqrt(d)
    fake = rng.normal(size=(n, d))
    moved = fake + 0.01 * rng.normal(size=(n, d))
    return real, fake, moved


def _timed(fn, repeats, enough=5.0):
    """Median wall time over ``repeats`` runs, stopping early once ``enough`` seconds are spent."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if sum(times) > enough:
            break
    return statistics.median(times), result


def run_liblinear(real, fake, c, repeats):
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]  # SPEC 1: real 0, fake 1

    def fit():
        model = LogisticRegression(solver="liblinear", dual=True, fit_intercept=False,
                                   tol=1e-10, C=1.0 / c, max_iter=100000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(x, y)

    seconds, model = _timed(fit, repeats)
    w = model.coef_.ravel()
    cert = dual.certify(w, *dual.lambdas_from_w(w, real, fake), real, fake, c)  # SPEC 3
    return dict(backend="liblinear", form="dual", seconds=seconds,
                iterations=int(np.max(model.n_iter_)), primal_value=cert.primal_value,
                relative_gap=cert.relative_gap)


def run_dual(real, fake, c, solver, form, repeats, warm_start=None, label=None):
    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dual.solve(real, fake, c, solver=solver, form=form, warm_start=warm_start)

    seconds, sol = _timed(call, repeats)
    name = label or (solver if solver == "native" else f"cvxpy-{solver}")
    return dict(backend=name, form=form if form != "auto" else f"auto({sol.form})",
                seconds=seconds, iterations=sol.iterations, primal_value=sol.primal_value,
                relative_gap=sol.relative_gap)


def run_cell(n, d, c, args, history):
    real, fake, moved = make_problem(n, d, args.seed)
    rows = []
    for form in NATIVE_FORMS:
        rows.append(run_dual(real, fake, c, "native", form, args.repeats))
        first = dual.solve(real, fake, c, solver="native", form=form)
        rows.append(run_dual(real, moved, c, "native", form, args.repeats, warm_start=first,
                             label="native-warm"))
    for solver in dual.available_solvers():
        for form in ("primal", "dual"):
            rows.append(_budgeted((f"cvxpy-{solver}", form), n, d, args, history,
                                  lambda: run_dual(real, fake, c, solver, form, args.repeats)))
    if not args.no_liblinear:
        rows.append(_budgeted(("liblinear", "dual"), n, d, args, history,
                              lambda: run_liblinear(real, fake, c, args.repeats)))
    return _finish(rows, n, d, c)


def make_kernel_problem(n, features, seed):
    """K = J Jᵀ/P for J (2n, P), offsets a; and the same after a 0.01·noise step."""
    rng = np.random.default_rng([seed, n, features])
    j = rng.normal(size=(2 * n, features))
    offset = 0.5 * rng.normal(size=2 * n)
    moved_j = j + 0.01 * rng.normal(size=j.shape)
    moved_offset = offset + 0.01 * rng.normal(size=offset.shape)
    return (j @ j.T / features, offset), (moved_j @ moved_j.T / features, moved_offset)


def run_kernel(gram, offset, n, c, solver, form, repeats, warm_start=None, label=None):
    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dual.solve_kernel(gram, n, c, offset=offset, solver=solver, form=form,
                                     warm_start=warm_start)

    seconds, sol = _timed(call, repeats)
    return dict(backend=label or (solver if solver == "native" else f"cvxpy-{solver}"),
                form=form, seconds=seconds, iterations=sol.iterations,
                primal_value=sol.primal_value, relative_gap=sol.relative_gap)


def run_kernel_cell(n, args, history):
    features = args.features or 2 * n
    rank = min(features, 2 * n)
    (gram, offset), (moved, moved_offset) = make_kernel_problem(n, features, args.seed)
    c = float(np.mean(np.diag(gram)))
    rows = []
    for form in ("dual", "primal"):
        rows.append(run_kernel(gram, offset, n, c, "native", form, args.repeats))
        first = dual.solve_kernel(gram, n, c, offset=offset, form=form)
        rows.append(run_kernel(moved, moved_offset, n, c, "native", form, args.repeats,
                               warm_start=first, label="native-warm"))
    for solver in dual.available_solvers():
        for form in ("dual", "primal"):
            rows.append(_budgeted((f"cvxpy-{solver}", form), n, 2 * n * rank, args, history,
                                  lambda: run_kernel(gram, offset, n, c, solver, form,
                                                     args.repeats)))
    return _finish(rows, n, features, c)


def _budgeted(key, n, size, args, history, run):
    """``run()``'s row, or a skipped row when its time predicted from a smaller cell of the same
    (backend, form) ``key`` exceeds ``--budget`` or when the solver fails."""
    predicted = _predict(history.get(key), n, size)
    if predicted is not None and predicted > args.budget:
        return dict(backend=key[0], form=key[1],
                    skipped=f"predicted {predicted:.0f} s > budget {args.budget:g} s")
    try:
        row = run()
    except dual.SolverError as err:  # a solver that fails here is reported, not fatal
        return dict(backend=key[0], form=key[1], skipped=f"failed: {err}")
    history[key] = (n, size, row["seconds"])
    return row


def _finish(rows, n, d, c):
    """Objective differences and time ratios, and the cell's coordinates on every row."""
    _compare(rows)
    for row in rows:
        row.update(N=n, M=n, D=d, c=c, scenario="warm" if row["backend"] == "native-warm"
                   else "cold")
    return rows


def _predict(previous, n, d):
    """Extrapolate a backend's time from a smaller cell, linearly in N·d, d the data's width
    (D for features; (N + M)·rank, the factor's size, for a Gram matrix): optimistic."""
    if previous is None:
        return None
    n0, d0, seconds = previous
    return seconds * (n * d) / (n0 * d0)


def _compare(rows):
    solved = [r for r in rows if "seconds" in r and r["backend"] != "native-warm"]
    best = min(r["primal_value"] for r in solved)
    lib = next((r for r in rows if r["backend"] == "liblinear" and "seconds" in r), None)
    native = next((r for r in rows if r["backend"] == "native" and "seconds" in r), None)
    for row in rows:
        if "seconds" not in row:
            continue
        reference = best if row["backend"] != "native-warm" else min(
            r["primal_value"] for r in rows if r["backend"] == "native-warm")
        row["objective_diff"] = (row["primal_value"] - reference) / max(1.0, abs(reference))
        row["ratio_to_liblinear"] = row["seconds"] / lib["seconds"] if lib else None
        row["ratio_to_native"] = row["seconds"] / native["seconds"] if native else None


COLUMNS = ["N", "M", "D", "c", "scenario", "backend", "form", "seconds", "ratio_to_liblinear",
           "ratio_to_native", "iterations", "relative_gap", "objective_diff", "primal_value",
           "skipped"]


def print_table(rows):
    header = (f"{'N=M':>5} {'D':>4} {'backend':<15} {'form':<13} {'time [s]':>10} "
              f"{'/liblinear':>10} {'/native':>9} {'iters':>6} {'rel gap':>9} {'ΔF/best':>9}")
    print(header)
    print("-" * len(header))
    for r in rows:
        if "skipped" in r:
            print(f"{r['N']:>5} {r['D']:>4} {r['backend']:<15} {r['form']:<13} skipped: "
                  f"{r['skipped']}")
            continue
        ratio = "" if r["ratio_to_liblinear"] is None else f"{r['ratio_to_liblinear']:.3g}x"
        to_native = "" if r["ratio_to_native"] is None else f"{r['ratio_to_native']:.3g}x"
        iters = "?" if r["iterations"] is None else r["iterations"]
        print(f"{r['N']:>5} {r['D']:>4} {r['backend']:<15} {r['form']:<13} "
              f"{r['seconds']:>10.4f} {ratio:>10} {to_native:>9} {iters:>6} "
              f"{r['relative_gap']:>9.1e} {r['objective_diff']:>9.1e}")


def _style(backend, form):
    """One fixed look per series, the same in every panel: colour by backend, marker by form."""
    form = form.split("(")[0]  # "auto(primal)" → "auto"
    colours = {"native": "tab:blue", "native-warm": "tab:green", "liblinear": "black",
               "cvxpy-CLARABEL": "tab:orange", "cvxpy-ECOS": "tab:red", "cvxpy-SCS": "tab:purple"}
    markers = {"primal": "o", "dual": "s", "auto": "^"}
    cvxpy = backend.startswith("cvxpy")
    return dict(color=colours.get(backend, "tab:gray"), marker=markers.get(form, "x"),
                linestyle="--" if cvxpy else "-", linewidth=2.5 if backend == "liblinear" else 1.5,
                alpha=0.75 if cvxpy else 1.0)


def plot(rows, path, title, panel=lambda row: f"D = {row['D']}"):
    """Time against N + M, log-log, one panel per value of ``panel(row)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({panel(r) for r in rows})
    fig, axes = plt.subplots(1, len(panels), figsize=(max(5 * len(panels), 9), 5),
                             squeeze=False)
    handles = {}
    for ax, name in zip(axes[0], panels):
        series = {}
        for r in rows:
            if panel(r) == name and "seconds" in r:
                key = (r["backend"], r["form"].split("(")[0])
                series.setdefault(key, []).append((r["N"] + r["M"], r["seconds"]))
        for (backend, form), points in sorted(series.items()):
            points.sort()
            (line,) = ax.loglog(*zip(*points), **_style(backend, form))
            handles[f"{backend} {form}"] = line
        ax.set_title(name)
        ax.set_xlabel("N + M")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("median wall time [s]")
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=6, fontsize=8,
               frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.14, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small grid, for a smoke test")
    parser.add_argument("--out", type=Path, default=Path("runs/benchmark"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5, help="median over this many runs")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="skip a CVXPY or liblinear cell predicted to take longer (seconds)")
    parser.add_argument("--sizes", type=int, nargs="+", help="N = M values (overrides the grid)")
    parser.add_argument("--dims", type=int, nargs="+", help="D values (overrides the grid)")
    parser.add_argument("--no-liblinear", action="store_true")
    parser.add_argument("--kernel", action="store_true",
                        help="time the kernel form (dual.solve_kernel) instead")
    parser.add_argument("--features", type=int, default=None,
                        help="with --kernel: P features per sample (default N + M, full rank)")
    args = parser.parse_args(argv)
    grid = QUICK_GRID if args.quick else FULL_GRID
    sizes, dims = args.sizes or grid["sizes"], args.dims or grid["dims"]
    if args.kernel:
        sizes = args.sizes or KERNEL_SIZES["quick" if args.quick else "full"]
    if args.quick:
        args.repeats = min(args.repeats, 2)
    args.out.mkdir(parents=True, exist_ok=True)

    rows, history = [], {}
    cells = [(n, None) for n in sizes] if args.kernel else [(n, d) for d in dims for n in sizes]
    for n, d in cells:
        print(f"cell N=M={n} " + ("kernel" if d is None else f"D={d}") + " ...", flush=True)
        cell = run_kernel_cell(n, args, history) if d is None else run_cell(n, d, args.c, args,
                                                                            history)
        print_table(cell)
        rows.extend(cell)
    name = "benchmark_kernel" if args.kernel else "benchmark"
    with open(args.out / f"{name}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    (args.out / f"{name}.json").write_text(json.dumps({"settings": settings, "rows": rows},
                                                      indent=2))
    if args.kernel:
        rank = "P = N + M, full rank" if args.features is None else f"P = {args.features}"
        plot(rows, args.out / f"{name}.png", f"Kernel form, K = J Jᵀ/P ({rank}): time "
             "against N + M\n(native-warm after a 0.01·noise move of J and a)",
             panel=lambda row: "dual.solve_kernel")
    else:
        plot(rows, args.out / f"{name}.png", "Exact discriminator solves: time against N + M "
             "(cold; native-warm after a 0.01·noise move of the fakes)")
    print(f"\nwrote {args.out / name}.csv, {name}.json and {name}.png")
    return rows


if __name__ == "__main__":
    main()
