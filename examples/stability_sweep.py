"""Learning-rate stability study: the exact dual discriminator against gradient-trained ones.

Grid: learning rates × seeds × methods on one target. Methods (see generator/stability.py):
``dual`` (exact discriminator, SPEC 4), ``linear-gd`` (the same SPEC 1 discriminator, same φ and
c, trained by gradient steps) and ``mlp-ns`` (MLP discriminator, non-saturating loss). Every run
takes the same number of generator steps. Each finished run is appended to ``sweep_<target>.csv``
at once; running the script again skips the runs already there (key: method, lr, seed, target,
steps), so an interrupted sweep resumes. The figure shows mean ± standard error over seeds
against the learning rate, one panel per metric.

Example::

    python examples/stability_sweep.py --target ring --jobs 2 --out runs/stability
    python examples/stability_sweep.py --quick --out /tmp/sweep      # a tiny smoke run
"""

import argparse
import concurrent.futures as cf
import json
import math
import multiprocessing
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from generator import stability  # noqa: E402

FULL_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
QUICK = {"lrs": (1e-3, 1e-2), "num_seeds": 1, "steps": 25, "batch_size": 64}


def build_specs(args):
    """All runs of the grid, interleaved so that a partial sweep covers every method."""
    seeds = range(args.seed, args.seed + args.num_seeds)
    overrides = {key: value for key, value in (
        ("batch_size", args.batch_size), ("num_features", args.num_features),
        ("lengthscale", None if args.lengthscale is None else tuple(args.lengthscale)),
        ("c", args.c)) if value is not None}
    return [stability.RunSpec.for_target(args.target, method=m, lr=lr, seed=s, steps=args.steps,
                                         **overrides)
            for s in seeds for lr in args.lrs for m in args.methods]


def run_sweep(specs, csv_path, jobs, progress=True):
    """Run the specs not yet in the CSV; append each row as it finishes. Returns (done, skipped)."""
    done_keys = stability.completed_keys(csv_path)
    todo = [s for s in specs if s.key not in done_keys]
    skipped = len(specs) - len(todo)
    bar = tqdm(total=len(todo), desc="runs", disable=not progress)
    if not todo:
        pass
    elif jobs == 1:
        threads = torch.get_num_threads()
        stability.worker_init()
        try:
            for spec in todo:
                stability.append_row(csv_path, stability.run_one(spec))
                bar.update(1)
        finally:
            torch.set_num_threads(threads)
    else:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                    initializer=stability.worker_init) as pool:
            futures = [pool.submit(stability.run_one, spec) for spec in todo]
            try:
                for fut in cf.as_completed(futures):
                    row = fut.result()
                    stability.append_row(csv_path, row)
                    bar.set_postfix_str(f"{row['method']} lr={float(row['lr']):g} "
                                        f"seed={row['seed']}: {row['modes_covered']} modes")
                    bar.update(1)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    bar.close()
    return len(todo), skipped


METRICS = [("modes_covered", "modes covered"), ("high_quality_fraction", "high-quality fraction"),
           ("reverse_kl", "reverse KL (nats)"), ("wall_seconds", "wall time per run (s)")]


def plot_summary(summary, path, title):
    """Mean ± standard error against the learning rate (log x), one panel per metric."""
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4.2 * len(METRICS), 3.8))
    methods = sorted({r["method"] for r in summary}, key=lambda m: (
        stability.SWEEP_METHODS.index(m) if m in stability.SWEEP_METHODS else 99, m))
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
    fig.savefig(path, dpi=120)
    plt.close(fig)


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
    parser.add_argument("--methods", nargs="+", choices=stability.SWEEP_METHODS,
                        default=list(stability.SWEEP_METHODS))
    parser.add_argument("--lrs", nargs="+", type=float, default=list(FULL_LRS),
                        help="learning rates (default: 1e-4 3e-4 1e-3 3e-3 1e-2 3e-2)")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--num-seeds", type=int, default=5, help="seeds seed .. seed+n-1")
    parser.add_argument("--steps", type=int, default=stability.RunSpec.steps,
                        help="generator steps per run, the same for every method")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="default: the target's preset (generator/presets.py)")
    parser.add_argument("--num-features", type=int, default=None,
                        help="RFF features per lengthscale; default: the target's preset")
    parser.add_argument("--lengthscale", type=float, nargs="+", default=None,
                        help="RFF lengthscale(s); default: the target's preset")
    parser.add_argument("--c", type=float, default=None,
                        help="SPEC 1 L2 weight; default: the target's preset")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
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
    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, f"sweep_{args.target}.csv")

    specs = build_specs(args)
    start = time.perf_counter()
    ran, skipped = run_sweep(specs, csv_path, args.jobs, progress=not args.no_progress)
    elapsed = time.perf_counter() - start
    print(f"{ran} run(s) done, {skipped} already in {csv_path}; {elapsed:.1f} s with "
          f"--jobs {args.jobs}")

    wanted = {s.key for s in specs}
    rows = [r for r in stability.read_rows(csv_path)
            if stability.run_key(*(r[k] for k in stability.KEY_FIELDS)) in wanted]
    summary = stability.summarize(rows)
    print(table(summary))
    fig_path = os.path.join(args.out, f"sweep_{args.target}.png")
    plot_summary(summary, fig_path, f"{args.target}: {args.steps} generator steps per run, "
                 f"{args.num_seeds} seed(s), mean ± se")
    result = {"target": args.target, "steps": args.steps, "batch_size": specs[0].batch_size,
              "lrs": args.lrs, "seeds": list(range(args.seed, args.seed + args.num_seeds)),
              "methods": args.methods, "jobs": args.jobs, "runs_this_invocation": ran,
              "runs_skipped": skipped, "seconds_this_invocation": elapsed,
              "run_spec": stability.spec_dict(specs[0]), "summary": summary,
              "csv": os.path.basename(csv_path), "figure": os.path.basename(fig_path)}
    with open(os.path.join(args.out, f"sweep_{args.target}.json"), "w") as fh:
        json.dump(result, fh, indent=2, allow_nan=True)
    print(f"wrote {csv_path}, {fig_path}")
    return result


if __name__ == "__main__":
    main()
