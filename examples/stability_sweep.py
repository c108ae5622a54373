"""Learning-rate stability study: exact dual discriminators against gradient-trained ones.

Grid: learning rates × seeds × methods on one target. Methods (generator/methods/registry.py):
``dual`` (exact discriminator on fixed features, SPEC 4), ``neural-dual`` (an MLP discriminator,
each step linearized and solved exactly, SPEC 7), ``linear-gd`` (the SPEC 1 discriminator of
``dual``, same φ and c, trained by gradient steps) and ``mlp-ns`` (MLP discriminator trained by
gradient, non-saturating loss). A method whose discriminator the target's preset cannot build
(``dual`` and ``linear-gd`` need a feature map, which the image targets lack) is left out with a
message. Every other setting comes from the target's preset (generator/runs/presets.py), with a
constant learning rate; every run takes the same number of generator steps.

Each finished run is added to ``sweep_<target>.csv`` at once (the file is rewritten atomically:
it only ever holds complete rows); running the script again skips the runs already there (key:
every setting of the run, generator/study/store.py), so an interrupted sweep resumes. One study
writes a table at a time: a second one started into the same table is refused while the first
runs (exit code 2, naming it). The figure
shows mean ± standard error over seeds against the learning rate, one panel per metric of the
target (generator/study/summary.py) and one for the CPU seconds per run.

Example::

    python examples/stability_sweep.py --target ring --jobs 2 --out runs/stability
    python examples/stability_sweep.py --target digits --jobs 2 --out runs/stability
    python examples/stability_sweep.py --quick --out /tmp/sweep      # a tiny smoke run
"""

import os
import sys
import time

from dualgan import cli
from dualgan.checkpoint import ensure_writable_directory
from dualgan.cli import ArgumentParser
from dualgan.files import save_figure, write_json, write_text
from dualgan.lock import hold_file
from generator.data.targets import check_target
from generator.plotting.study import headline_distribution, plot_study_summary, stability_heatmaps
from generator.runs import options
from generator.study import (
    STUDY_METHODS,
    StudyTable,
    available_methods,
    config_key,
    markdown_table,
    row_key,
    stability,
    stability_grid,
    summarize,
)
from generator.study import engine as study_engine

SWEEP_TARGETS = ("ring", "grid", "digits", "mnist", "stacked-mnist")

FULL_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
QUICK = {"lrs": (1e-3, 1e-2), "num_seeds": 1, "steps": 25, "batch_size": 64}


def parse_args(argv=None):
    """The options, with ``args.configs`` (the runs of the grid) and ``args.left_out`` (the
    methods the target's presets cannot run, and why). A bad value, contradictory options or a
    missing input are refused here, in one line, before anything is written."""
    parser = ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="runs/stability", help="output directory")
    parser.add_argument("--target", choices=SWEEP_TARGETS, default="ring",
                        help="the data of every run (mnist and stacked-mnist need --data-dir)")
    parser.add_argument("--data-dir", default=None,
                        help="mnist: the directory of its IDX files")
    parser.add_argument("--methods", nargs="+", choices=STUDY_METHODS,
                        default=list(STUDY_METHODS),
                        help="the methods compared (default: every one the target can run)")
    parser.add_argument("--lrs", nargs="+", type=float, default=None,
                        help="learning rates (default: 1e-4 3e-4 1e-3 3e-3 1e-2 3e-2)")
    parser.add_argument("--kappas", nargs="+", type=float, default=None,
                        help="the linearized dual's trust regions κ, a grid axis (default: the "
                             "preset's κ)")
    parser.add_argument("--d-lrs", nargs="+", type=float, default=None,
                        help="the gradient-trained discriminators' learning rates, a grid axis "
                             "(default: the generator's learning rate)")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--num-seeds", type=int, default=None,
                        help="seeds seed .. seed+n-1 (default: 5)")
    parser.add_argument("--steps", type=int, default=None,
                        help="generator steps per run, the same for every method (default: 2000)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="real and generated samples per step; default: the target's preset "
                             "(generator/runs/presets.py)")
    options.add_architecture(parser)
    parser.add_argument("--d-hidden", type=int, nargs="+", default=None,
                        help="hidden widths of every method's MLP discriminator (the same "
                             "network for all); default: each method's preset")
    parser.add_argument("--num-features", type=int, default=None,
                        help="RFF features per lengthscale; default: the target's preset")
    parser.add_argument("--lengthscale", type=float, nargs="+", default=None,
                        help="RFF lengthscale(s); default: the target's preset")
    parser.add_argument("--c", type=float, default=None,
                        help="SPEC 1 L2 weight; default: the target's preset")
    study_engine.add_arguments(parser)
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke sweep: 2 lrs x 1 seed x the methods x 25 steps, "
                             "batch 64 (not with --lrs, --num-seeds, --steps, --batch-size)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    if args.quick:
        given = [f"--{name.replace('_', '-')}" for name in QUICK if getattr(args, name) is not None]
        if given:
            parser.error(f"--quick sets {', '.join(given)} itself: give --quick or "
                         f"{', '.join(given)}, not both")
        for name, value in QUICK.items():
            setattr(args, name, list(value) if isinstance(value, tuple) else value)
    args.lrs = list(FULL_LRS) if args.lrs is None else args.lrs
    args.num_seeds = 5 if args.num_seeds is None else args.num_seeds
    args.steps = 2000 if args.steps is None else args.steps
    with parser.library_checks(lr="--lrs", kappa="--kappas", d_lr="--d-lrs"):
        check_target(args.target, args.data_dir)
        study_engine.check_cluster(args.scheduler, args.jobs, args.connect_timeout)
        methods, args.left_out = available_methods(args.methods, args.target)
        if not methods:
            parser.error(f"no method of {args.methods} can run on {args.target}: "
                         + "; ".join(args.left_out.values()))
        overrides = {"batch_size": args.batch_size, "d_hidden": args.d_hidden,
                     "num_features": args.num_features,
                     "lengthscale": args.lengthscale, "c": args.c, "data_dir": args.data_dir}
        d_steps = {"kappa": args.kappas, "d_lr": args.d_lrs}
        args.configs = stability_grid(args.target, methods, args.lrs, args.seed, args.num_seeds,
                                      args.steps, d_steps=d_steps,
                                      architecture=args.architecture, **overrides)
    args.methods = methods
    return args


def main(argv=None):
    args = parse_args(argv)
    ensure_writable_directory(args.out)
    csv_path = os.path.join(args.out, f"sweep_{args.target}.csv")
    # one writer per table and the files named after it (dualgan.lock), before any work
    with hold_file(csv_path, f"the runs already in {csv_path} are complete; {{fix}} and run "
                             f"the same command again to continue"):
        return sweep(args, csv_path)


def sweep(args, csv_path):
    """Run the study of ``args`` into ``csv_path`` and write its summary; the exit code."""
    configs, methods, left_out = args.configs, args.methods, args.left_out
    StudyTable(csv_path).check()  # a damaged CSV is refused before any run or cluster starts
    for method, reason in left_out.items():
        print(f"left out of {args.target}: {method} ({reason})")
    progress = not args.no_progress
    start = time.perf_counter()
    try:
        ran, skipped, engine = study_engine.run_study(
            configs, csv_path, args.scheduler, args.jobs, args.connect_timeout, progress)
    except (ImportError, study_engine.SchedulerUnreachable) as err:
        print(f"stability_sweep.py: error: {err}", file=sys.stderr)
        return cli.EXIT_USER_ERROR
    except KeyboardInterrupt:
        done = len(StudyTable(csv_path).rows())
        print(f"\ninterrupted: outstanding runs cancelled; {done} row(s) kept in {csv_path}; "
              f"run the same command again to continue")
        return cli.EXIT_INTERRUPTED
    elapsed = time.perf_counter() - start
    print(f"{ran} run(s) done, {skipped} already in {csv_path}; {elapsed:.1f} s, {engine}")

    wanted = {config_key(c) for c in configs}
    rows = [r for r in StudyTable(csv_path).rows() if row_key(r) in wanted]
    summary = summarize(rows)
    print(markdown_table(summary, STUDY_METHODS))
    fig_path = os.path.join(args.out, f"sweep_{args.target}.png")
    batch_size = configs[0].training.batch_size
    plot_study_summary(summary, fig_path, f"{args.target}: {args.steps} generator steps per run, "
                 f"batch {batch_size}, {args.num_seeds} seed(s), mean ± se")
    result = {"target": args.target, "steps": args.steps, "batch_size": batch_size,
              "lrs": args.lrs, "seeds": list(range(args.seed, args.seed + args.num_seeds)),
              "methods": methods, "left_out": left_out, "engine": engine,
              "runs_this_invocation": ran, "runs_skipped": skipped,
              "seconds_this_invocation": elapsed,
              "run_config": configs[0].to_dict(), "summary": summary,
              "csv": os.path.basename(csv_path), "figure": os.path.basename(fig_path)}
    grid_cells = stability.cells(rows, args.target)
    report = stability.stability_report(grid_cells, args.target)
    report_text = stability.report_table(report, args.target)
    print(report_text)
    stem = os.path.join(args.out, f"stability_{args.target}")
    heading = f"{args.target}, {args.steps} steps, {args.num_seeds} seed(s)"
    save_figure(stability_heatmaps(grid_cells, args.target, heading), stem + "_heatmaps.png",
                dpi=120)
    save_figure(headline_distribution(grid_cells, args.target, heading),
                stem + "_distribution.png", dpi=120)
    write_text(stem + ".md", report_text + "\n")
    result["stability"] = report
    write_json(os.path.join(args.out, f"sweep_{args.target}.json"), result)
    print(f"wrote {csv_path}, {fig_path}, {stem}.md, {stem}_heatmaps.png, "
          f"{stem}_distribution.png")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
