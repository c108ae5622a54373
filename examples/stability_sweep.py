"""Learning-rate stability study: the exact dual discriminator against gradient-trained ones.

Grid: learning rates × seeds × methods on one target. Methods (see generator/experiment.py):
``dual`` (exact discriminator, SPEC 4), ``linear-gd`` (the same SPEC 1 discriminator, same φ and
c, trained by gradient steps) and ``mlp-ns`` (MLP discriminator, non-saturating loss); every
other setting comes from the target's preset (generator/presets.py), with a constant learning
rate. Every run takes the same number of generator steps. Each finished run is added to
``sweep_<target>.csv`` at once (the file is rewritten atomically: it only ever holds complete
rows); running the script again skips the runs already there (key: method, lr, seed, target,
steps), so an interrupted sweep resumes. The figure shows mean ± standard error over seeds
against the learning rate, one panel per metric.

Example::

    python examples/stability_sweep.py --target ring --jobs 2 --out runs/stability
    python examples/stability_sweep.py --quick --out /tmp/sweep      # a tiny smoke run
"""

import argparse
import dataclasses
import math
import os
import sys
import time

from matplotlib.figure import Figure

from common import cli
from common.checkpoint import ensure_writable_directory
from common.files import save_figure, write_json
from generator.experiment import RunConfig

import sweep_runner
from sweep_runner import KEY_FIELDS, config_key, read_rows, run_key

SWEEP_METHODS = ("dual", "linear-gd", "mlp-ns")

FULL_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
QUICK = {"lrs": (1e-3, 1e-2), "num_seeds": 1, "steps": 25, "batch_size": 64}


def build_configs(args):
    """All runs of the grid, interleaved so that a partial sweep covers every method."""
    seeds = range(args.seed, args.seed + args.num_seeds)
    overrides = {"batch_size": args.batch_size, "num_features": args.num_features,
                 "lengthscale": args.lengthscale, "c": args.c}
    # a constant learning rate: the study asks how each method copes with one step size
    return [dataclasses.replace(RunConfig.from_preset(m, args.target, seed=s, lr=lr,
                                                      steps=args.steps, **overrides),
                                lr_final=None)
            for s in seeds for lr in args.lrs for m in args.methods]


# --------------------------------------------------------------------------- the summary


def _mean_se(values):
    """Mean and standard error (std with ddof=1 over √n; nan for n < 2) of the finite values."""
    vals = [v for v in values if math.isfinite(v)]
    n = len(vals)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(vals) / n
    if n < 2:
        return mean, math.nan, n
    var = sum((v - mean) ** 2 for v in vals) / (n - 1)
    return mean, math.sqrt(var / n), n


def _num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def summarize(rows):
    """Mean ± standard error over seeds, per (method, target, steps, lr).

    The last row of a key wins (a retried error replaces the failed attempt); rows with status
    ``"error"`` are left out. A ``"nonfinite"`` run counts as 0 modes and 0 high-quality points;
    its reverse KL is undefined and left out of that mean (``reverse_kl_n`` counts the runs used).

    Returns
    -------
    list of dict, sorted by method, target, steps, lr.
    """
    latest = {}
    for row in rows:
        latest[run_key(*(row[k] for k in KEY_FIELDS))] = row
    groups = {}
    for (method, lr, _seed, target, steps), row in latest.items():
        if row["status"] != "error":
            groups.setdefault((method, target, steps, lr), []).append(row)
    out = []
    for (method, target, steps, lr), group in sorted(groups.items()):
        modes, modes_se, n = _mean_se([_num(r["modes_covered"]) for r in group])
        hq, hq_se, _ = _mean_se([_num(r["high_quality_fraction"]) for r in group])
        rkl, rkl_se, rkl_n = _mean_se([_num(r["reverse_kl"]) for r in group])
        wall, wall_se, _ = _mean_se([_num(r["wall_seconds"]) for r in group])
        num_modes = int(_num(group[0]["num_modes"]))
        out.append({
            "method": method, "target": target, "steps": steps, "lr": lr, "runs": n,
            "modes_covered": modes, "modes_covered_se": modes_se,
            "all_modes_runs": sum(int(_num(r["modes_covered"]) == num_modes) for r in group),
            "num_modes": num_modes,
            "high_quality_fraction": hq, "high_quality_fraction_se": hq_se,
            "reverse_kl": rkl, "reverse_kl_se": rkl_se, "reverse_kl_n": rkl_n,
            "wall_seconds": wall, "wall_seconds_se": wall_se,
            "nonfinite_runs": sum(r["status"] == "nonfinite" for r in group),
        })
    return out


METRICS = [("modes_covered", "modes covered"), ("high_quality_fraction", "high-quality fraction"),
           ("reverse_kl", "reverse KL (nats)"), ("wall_seconds", "wall time per run (s)")]


def plot_summary(summary, path, title):
    """Mean ± standard error against the learning rate (log x), one panel per metric."""
    fig = Figure(figsize=(4.2 * len(METRICS), 3.8))
    axes = fig.subplots(1, len(METRICS))
    methods = sorted({r["method"] for r in summary}, key=lambda m: (
        SWEEP_METHODS.index(m) if m in SWEEP_METHODS else 99, m))
    for ax, (key, label) in zip(axes, METRICS):
        for method in methods:
            rows = sorted((r for r in summary if r["method"] == method), key=lambda r: r["lr"])
            lr = [r["lr"] for r in rows]
            mean = [r[key] for r in rows]
            se = [0.0 if not math.isfinite(r[key + "_se"]) else r[key + "_se"] for r in rows]
            ax.errorbar(lr, mean, yerr=se, marker="o", ms=4, capsize=3, label=method)
        if key == "modes_covered" and summary:
            ax.axhline(summary[0]["num_modes"], color="grey", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set(xlabel="learning rate", title=label)
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def table(summary):
    """A markdown table of the summary."""
    lines = ["| method | lr | runs | modes covered (mean ± se) | all modes | HQ fraction | "
             "reverse KL (nats) | wall s |", "|---|---|---|---|---|---|---|---|"]
    for r in summary:
        se = "" if not math.isfinite(r["modes_covered_se"]) else f" ± {r['modes_covered_se']:.2f}"
        rkl = (f"{r['reverse_kl']:.3f}" if math.isfinite(r["reverse_kl"]) else "nan") + (
            f" (n={r['reverse_kl_n']})" if r["reverse_kl_n"] != r["runs"] else "")
        lines.append(f"| {r['method']} | {r['lr']:g} | {r['runs']} | {r['modes_covered']:.2f}{se} "
                     f"| {r['all_modes_runs']}/{r['runs']} | {r['high_quality_fraction']:.3f} | "
                     f"{rkl} | {r['wall_seconds']:.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="runs/stability", help="output directory")
    parser.add_argument("--target", choices=("ring", "grid"), default="ring")
    parser.add_argument("--methods", nargs="+", choices=SWEEP_METHODS,
                        default=list(SWEEP_METHODS))
    parser.add_argument("--lrs", nargs="+", type=float, default=list(FULL_LRS),
                        help="learning rates (default: 1e-4 3e-4 1e-3 3e-3 1e-2 3e-2)")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--num-seeds", type=int, default=5, help="seeds seed .. seed+n-1")
    parser.add_argument("--steps", type=int, default=2000,
                        help="generator steps per run, the same for every method")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="default: the target's preset (generator/presets.py)")
    parser.add_argument("--num-features", type=int, default=None,
                        help="RFF features per lengthscale; default: the target's preset")
    parser.add_argument("--lengthscale", type=float, nargs="+", default=None,
                        help="RFF lengthscale(s); default: the target's preset")
    parser.add_argument("--c", type=float, default=None,
                        help="SPEC 1 L2 weight; default: the target's preset")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on the Dask cluster of this scheduler (e.g. tcp://host:8786)")
    engine.add_argument("--jobs", type=int, default=None,
                        help="run on a local Dask cluster of N single-threaded workers")
    parser.add_argument("--connect-timeout", type=float, default=10.0,
                        help="seconds to wait for the scheduler of --scheduler")
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke sweep: 2 lrs x 1 seed x the methods x 25 steps")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.lrs, args.num_seeds = list(QUICK["lrs"]), QUICK["num_seeds"]
        args.steps, args.batch_size = QUICK["steps"], QUICK["batch_size"]
    for name in ("num_seeds", "steps", "batch_size", "jobs", "num_features"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    if any(not lr > 0 for lr in args.lrs):
        parser.error(f"--lrs must be positive, got {args.lrs}")
    ensure_writable_directory(args.out)
    csv_path = os.path.join(args.out, f"sweep_{args.target}.csv")
    read_rows(csv_path)  # a damaged CSV is refused before any run or cluster starts

    configs = build_configs(args)
    progress = not args.no_progress
    start = time.perf_counter()
    try:
        if args.scheduler is None and args.jobs is None:
            engine = "in process"
            ran, skipped = sweep_runner.run_in_process(configs, csv_path, progress)
        else:
            with sweep_runner.dask_client(args.scheduler, args.jobs,
                                          args.connect_timeout) as client:
                engine = f"Dask at {client.scheduler.address}"
                print(f"Dask dashboard: {client.dashboard_link}")
                ran, skipped = sweep_runner.run_on_cluster(configs, csv_path, client, progress)
    except (ImportError, sweep_runner.SchedulerUnreachable) as err:
        print(f"stability_sweep.py: error: {err}", file=sys.stderr)
        return cli.EXIT_USER_ERROR
    except KeyboardInterrupt:
        done = len(read_rows(csv_path))
        print(f"\ninterrupted: outstanding runs cancelled; {done} row(s) kept in {csv_path}; "
              f"run the same command again to continue")
        return cli.EXIT_INTERRUPTED
    elapsed = time.perf_counter() - start
    print(f"{ran} run(s) done, {skipped} already in {csv_path}; {elapsed:.1f} s, {engine}")

    wanted = {config_key(c) for c in configs}
    rows = [r for r in read_rows(csv_path) if run_key(*(r[k] for k in KEY_FIELDS)) in wanted]
    summary = summarize(rows)
    print(table(summary))
    fig_path = os.path.join(args.out, f"sweep_{args.target}.png")
    plot_summary(summary, fig_path, f"{args.target}: {args.steps} generator steps per run, "
                 f"{args.num_seeds} seed(s), mean ± se")
    result = {"target": args.target, "steps": args.steps, "batch_size": configs[0].batch_size,
              "lrs": args.lrs, "seeds": list(range(args.seed, args.seed + args.num_seeds)),
              "methods": args.methods, "engine": engine, "runs_this_invocation": ran,
              "runs_skipped": skipped, "seconds_this_invocation": elapsed,
              "run_config": configs[0].to_dict(), "summary": summary,
              "csv": os.path.basename(csv_path), "figure": os.path.basename(fig_path)}
    write_json(os.path.join(args.out, f"sweep_{args.target}.json"), result)
    print(f"wrote {csv_path}, {fig_path}")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
