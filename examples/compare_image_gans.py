"""The linearized dual GAN against the gradient-trained GAN on images, seed by seed, with the same
networks and the same wall-clock budget.

For each seed: the linearized dual (``neural-dual``) with the target's preset, then the
gradient GAN ``mlp-ns`` (the same generator and discriminator, an MLP or with ``--d-arch conv`` a
convolutional one, with the same input map, trained by gradient, non-saturating loss) for as
many seconds of training as the dual run took, or both for ``--budget`` seconds each. The runs
are a study (:func:`generator.study.comparison.run_comparison`): in this process, or with
``--jobs N`` on N single-threaded workers, or on a Dask cluster with ``--scheduler``; its table
is OUT/comparison.csv, one row per finished run. Every run keeps its own directory
(OUT/<method>/seed<S>/, with its samples.npz and checkpoint), so an interrupted comparison
resumes where it stopped: a run with a row is skipped, one with a checkpoint resumes it. Writes
OUT/comparison.json (every run, and mean, standard deviation and worst seed per metric),
OUT/comparison.md (the table) and OUT/samples.png (64 final samples of each method, from its
samples.npz, side by side for the first seed).

    python examples/compare_image_gans.py --target mnist --data-dir ../shared/data/mnist \\
        --seeds 0 1 2 --out runs/mnist_compare
    python examples/compare_image_gans.py --target digits --seeds 0 1 2 --jobs 2 \\
        --out runs/digits_compare
    python examples/compare_image_gans.py --target stacked-mnist --data-dir ../shared/data/mnist \\
        --seeds 0 1 2 --out runs/stacked_compare
"""

import os
import sys

import numpy as np
import torch

from dualgan import cli
from dualgan.cli import ArgumentParser
from dualgan.files import write_json, write_text
from dualgan.lock import hold_directory
from dualgan.validation import check_positive
from generator.data.targets import IMAGE_TARGETS, check_target, make_target
from generator.methods.registry import method_spec
from generator.nets.discriminators import D_ARCHS
from generator.plotting.images import plot_sample_grids
from generator.runs import options
from generator.study import engine as study_engine
from generator.study.comparison import (
    METHODS,
    BudgetMismatch,
    ComparisonFailed,
    comparison_runs,
    run_comparison,
    summarize,
    table,
)


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__)
    p.add_argument("--target", choices=IMAGE_TARGETS, default="digits",
                   help="the image data set; mnist and stacked-mnist need --data-dir")
    p.add_argument("--data-dir", help="mnist, stacked-mnist: the directory of the four IDX "
                                      "files")
    p.add_argument("--cache-dir", help="where the judging classifier is cached (default: "
                                       "$DUALGAN_CACHE or ~/.cache/dualgan)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                   help="seeds, each a dual run and a baseline run")
    p.add_argument("--steps", type=int, help="dual run's steps (default: the preset)")
    p.add_argument("--budget", type=float, help="seconds of training for each method (default: "
                                                "the baseline gets the dual run's time)")
    p.add_argument("--device", help="where the networks run (default: cpu)")
    options.add_architecture(p)
    p.add_argument("--d-arch", choices=D_ARCHS,
                   help="both methods' discriminator: an MLP, or two stride-2 convolutions "
                        "(default: mlp)")
    p.add_argument("--d-channels", type=int, nargs="+",
                   help="--d-arch conv: output channels of each convolution (default: 32 64)")
    p.add_argument("--out", default="runs/image_compare",
                   help="output directory (one directory per method and seed, the tables)")
    study_engine.add_arguments(p)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = p.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        p.error(f"--seeds must not repeat a seed, got {args.seeds}")
    # every run's settings checked before the first one trains
    with p.library_checks(seed="--seeds", max_seconds="--budget"):
        check_target(args.target, args.data_dir)
        study_engine.check_cluster(args.scheduler, args.jobs, args.connect_timeout)
        args.runs = comparison_runs(args.target, args.seeds, steps=args.steps,
                                    device=args.device, data_dir=args.data_dir,
                                    architecture=args.architecture,
                                    d_arch=args.d_arch, d_channels=args.d_channels)
        if args.budget is not None:
            check_positive(args.budget, "max_seconds")
    return args


def main(argv=None):
    args = parse_args(argv)
    with hold_directory(args.out, f"the runs already in {args.out} are kept; {{fix}} and run "
                                  f"the same command again to continue"):  # one writer
        return compare_all(args)


def compare_all(args):
    """Train (or read back) the runs of ``args`` and write the comparison; the exit code."""
    try:
        runs = run_comparison(args.runs, args.out, budget=args.budget, cache_dir=args.cache_dir,
                              progress=not args.no_progress, scheduler=args.scheduler,
                              jobs=args.jobs, connect_timeout=args.connect_timeout)
    except (ImportError, study_engine.SchedulerUnreachable, BudgetMismatch) as err:
        print(f"compare_image_gans.py: error: {err}", file=sys.stderr)
        return cli.EXIT_USER_ERROR
    except ComparisonFailed as err:
        print(f"compare_image_gans.py: error: {err}", file=sys.stderr)
        return cli.EXIT_WRITE_FAILED
    summary = summarize(runs, args.target)
    write_json(os.path.join(args.out, "comparison.json"),
               {"target": args.target, "seeds": args.seeds, "runs": runs, "summary": summary})
    text = table(summary, runs, args.target)
    write_text(os.path.join(args.out, "comparison.md"), text + "\n")
    print(text)

    first = args.seeds[0]
    grids = {}
    for method in METHODS:
        label = method_spec(method).label
        path = os.path.join(args.out, method, f"seed{first}", "samples.npz")
        with np.load(path) as archive:
            images = torch.from_numpy(archive["x"][:64])
        grids[f"{label}\nseed {first}, {runs[method][first]['steps']} steps"] = images
    target = make_target(args.target, args.data_dir)
    plot_sample_grids(grids, target.image_shape, os.path.join(args.out, "samples.png"),
                      f"{args.target}: the same networks and wall-clock budget", target.channels)
    print(f"wrote {args.out}/comparison.json, comparison.md, samples.png")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
