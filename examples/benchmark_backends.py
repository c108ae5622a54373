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
            key = (f"cvxpy-{solver}", form)
            predicted = _predict(history.get(key), n, d)
            if predicted is not None and predicted > args.budget:
                rows.append(dict(backend=key[0], form=form, skipped=(
                    f"predicted {predicted:.0f} s > budget {args.budget:g} s")))
                continue
            row = run_dual(real, fake, c, solver, form, args.repeats)
            history[key] = (n, d, row["seconds"])
            rows.append(row)
    if not args.no_liblinear:
        predicted = _predict(history.get(("liblinear", "dual")), n, d)
        if predicted is not None and predicted > args.budget:
            rows.append(dict(backend="liblinear", form="dual",
                             skipped=f"predicted {predicted:.0f} s > budget {args.budget:g} s"))
        else:
            row = run_liblinear(real, fake, c, args.repeats)
            history[("liblinear", "dual")] = (n, d, row["seconds"])
            rows.append(row)
    _compare(rows)
    for row in rows:
        row.update(N=n, M=n, D=d, c=c, scenario="warm" if row["backend"] == "native-warm"
                   else "cold")
    return rows


def _predict(previous, n, d):
    """Extrapolate a backend's time from a smaller cell, linearly in (N + M)·D (optimistic)."""
    if previous is None:
        return None
    n0, d0, seconds = previous
    return seconds * (n * d) / (n0 * d0)


def _compare(rows):
    solved = [r for r in rows if "seconds" in r and r["backend"] != "native-warm"]
    best = min(r["primal_value"] for r in solved)
    lib = next((r for r in rows if r["backend"] == "liblinear" and "seconds" in r), None)
    for row in rows:
        if "seconds" not in row:
            continue
        reference = best if row["backend"] != "native-warm" else min(
            r["primal_value"] for r in rows if r["backend"] == "native-warm")
        row["objective_diff"] = (row["primal_value"] - reference) / max(1.0, abs(reference))
        row["ratio_to_liblinear"] = row["seconds"] / lib["seconds"] if lib else None


COLUMNS = ["N", "M", "D", "c", "scenario", "backend", "form", "seconds", "ratio_to_liblinear",
           "iterations", "relative_gap", "objective_diff", "primal_value", "skipped"]


def print_table(rows):
    header = (f"{'N=M':>5} {'D':>4} {'backend':<15} {'form':<13} {'time [s]':>10} "
              f"{'/liblinear':>10} {'iters':>6} {'rel gap':>9} {'ΔF/best':>9}")
    print(header)
    print("-" * len(header))
    for r in rows:
        if "skipped" in r:
            print(f"{r['N']:>5} {r['D']:>4} {r['backend']:<15} {r['form']:<13} skipped: "
                  f"{r['skipped']}")
            continue
        ratio = "" if r["ratio_to_liblinear"] is None else f"{r['ratio_to_liblinear']:.3g}x"
        iters = "?" if r["iterations"] is None else r["iterations"]
        print(f"{r['N']:>5} {r['D']:>4} {r['backend']:<15} {r['form']:<13} "
              f"{r['seconds']:>10.4f} {ratio:>10} {iters:>6} {r['relative_gap']:>9.1e} "
              f"{r['objective_diff']:>9.1e}")


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


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dims = sorted({r["D"] for r in rows})
    fig, axes = plt.subplots(1, len(dims), figsize=(5 * len(dims), 4.6), squeeze=False)
    handles = {}
    for ax, d in zip(axes[0], dims):
        series = {}
        for r in rows:
            if r["D"] == d and "seconds" in r:
                key = (r["backend"], r["form"].split("(")[0])
                series.setdefault(key, []).append((r["N"] + r["M"], r["seconds"]))
        for (backend, form), points in sorted(series.items()):
            points.sort()
            (line,) = ax.loglog(*zip(*points), **_style(backend, form))
            handles[f"{backend} {form}"] = line
        ax.set_title(f"D = {d}")
        ax.set_xlabel("N + M")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("median wall time [s]")
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=6, fontsize=8,
               frameon=False)
    fig.suptitle("Exact discriminator solves: time against N + M (cold; native-warm after a "
                 "0.01·noise move of the fakes)", fontsize=10)
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
    args = parser.parse_args(argv)
    grid = QUICK_GRID if args.quick else FULL_GRID
    sizes, dims = args.sizes or grid["sizes"], args.dims or grid["dims"]
    if args.quick:
        args.repeats = min(args.repeats, 2)
    args.out.mkdir(parents=True, exist_ok=True)

    rows, history = [], {}
    for d in dims:
        for n in sizes:
            print(f"cell N=M={n} D={d} ...", flush=True)
            cell = run_cell(n, d, args.c, args, history)
            print_table(cell)
            rows.extend(cell)
    with open(args.out / "benchmark.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    (args.out / "benchmark.json").write_text(json.dumps({"settings": settings, "rows": rows},
                                                        indent=2))
    plot(rows, args.out / "benchmark.png")
    print(f"\nwrote {args.out / 'benchmark.csv'}, benchmark.json and benchmark.png")
    return rows


if __name__ == "__main__":
    main()
