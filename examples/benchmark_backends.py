"""Every exact backend side by side: native Newton, every CVXPY solver, and liblinear.

Three grids of cells, each cell one seeded problem (N real and N fake samples of D features, c):

* ``--grid extended`` (default): the data families of ``dual/benchmark/families.py``
  (separation from overlapping to nearly separable, anisotropic and rotated covariances, heavy
  tails, duplicated rows, low variance) at N/D from 0.1 to 1000 and D up to 3,000. Per cell:
  native ``auto`` cold, and warm-started after the fakes moved by 0.01·noise (as after one
  generator step); each native method forced (primal and dual with a Cholesky factorization,
  primal Newton-CG), cold; and liblinear, the external reference. The summary gives, per family
  and overall, the *worst* cell's speedup over liblinear, cold and warm, and the median.
* ``--grid classic``: the original table (overlapping data, N = M ∈ {200, 1000, 5000},
  D ∈ {2, 50, 784}) with every available exponential-cone CVXPY solver in both forms as well.
* ``--grid tiny``: the fixed cost of a call (``dual/benchmark/fixed_cost.py``): overlapping data,
  N = M ∈ {16, …, 256}, D ∈ {2, …, 64}, and 2 × 2 data; native ``auto`` cold and warm against
  liblinear, and the warm call's Newton arithmetic alone (``newton-only``). Its table, in
  Markdown, goes to ``benchmark_tiny.md`` as well.

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
NAME is ``benchmark`` (extended), ``benchmark_classic``, ``benchmark_tiny`` or
``benchmark_kernel``, with a
``_threads-all`` suffix for all cores. ``--resume`` skips the cells already in the CSV (with the
same settings); Ctrl-C keeps the finished cells, writes the summary of those, and exits with 130.

``--quick`` runs a small grid in a few seconds. ``--kernel`` times the kernel form instead (SPEC 7,
:func:`dual.solve_kernel`, see ``dual/benchmark/kernel.py``).

The harness is the library's :mod:`dual.benchmark`; this script parses the options and calls it.

    python examples/benchmark_backends.py --quick --out runs/benchmark_quick   # a few seconds
    python examples/benchmark_backends.py --out runs/benchmark                 # the full grid
    python examples/benchmark_backends.py --kernel --out runs/benchmark        # the kernel form
"""

import sys
from pathlib import Path

from dual.benchmark import FAMILIES, BenchmarkSettings, run_benchmark
from dualgan.cli import EXIT_INTERRUPTED, ArgumentParser, run


def parse_args(argv):
    """The options, and ``args.settings``: the :class:`dual.benchmark.BenchmarkSettings` they
    give (a bad value is refused here, in one line, before anything is written)."""
    parser = ArgumentParser(description=__doc__)
    parser.add_argument("--grid", choices=("extended", "classic", "tiny"), default="extended",
                        help="the cells: data families x N/D (extended), the original table "
                             "with every CVXPY solver (classic), or the fixed cost of a call "
                             "on tiny data, cold and warm (tiny)")
    parser.add_argument("--quick", action="store_true", help="a small grid, for a smoke test")
    parser.add_argument("--out", type=Path, default=Path("runs/benchmark"),
                        help="output directory (NAME.csv, NAME.json, NAME.png)")
    parser.add_argument("--resume", action="store_true",
                        help="skip the cells already in the CSV (same settings required)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every cell's data")
    parser.add_argument("--c", type=float, default=1.0, help="L2 weight c > 0 (SPEC 1)")
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
    parser.add_argument("--no-liblinear", action="store_true",
                        help="leave out liblinear, the external reference (and the speedups)")
    parser.add_argument("--cvxpy", action="store_true",
                        help="also every CVXPY solver (always on with --grid classic, --kernel)")
    parser.add_argument("--kernel", action="store_true",
                        help="time the kernel form (dual.solve_kernel) instead")
    parser.add_argument("--features", type=int, default=None,
                        help="with --kernel: P features per sample (default N + M, full rank)")
    args = parser.parse_args(argv)
    if args.kernel and args.dims:
        parser.error("--dims is not a setting of --kernel (its D is the number of features: "
                     "give --features)")
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "resume")}
    with parser.library_checks(grid="--grid", kernel="--kernel"):
        args.settings = BenchmarkSettings(**settings)
    return args


def main(argv=None):
    args = parse_args(argv)
    result = run_benchmark(args.settings, args.out, resume=args.resume)
    return EXIT_INTERRUPTED if result["interrupted"] else 0


if __name__ == "__main__":
    sys.exit(run(main))
