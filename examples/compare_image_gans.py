"""The linearized dual GAN against the gradient-trained GAN on images, seed by seed, with the same
networks and the same wall-clock budget.

For each seed: the run of ``train_dual_gan.py --discriminator mlp`` with the target's preset,
then that of ``train_baseline_gan.py --method mlp-ns`` (the same generator and discriminator,
an MLP or with ``--d-arch conv`` a convolutional one, with the same input map, trained by
gradient, non-saturating loss) for as many
seconds of training as the dual run took, or both for ``--budget`` seconds each; both through
:mod:`generator.cli`, as those scripts run them. Every run keeps its own directory
(OUT/<method>/seed<S>/, with its samples.npz) and is skipped when its metrics.json exists, and
resumed from its checkpoint when it has one, so an interrupted comparison resumes where it
stopped, and seeds can run in separate processes on the same OUT. Writes
OUT/comparison.json (every run, and mean, standard deviation and worst seed per metric),
OUT/comparison.md (the table) and OUT/samples.png (64 final samples of each method, from its
samples.npz, side by side for the first seed).

    python examples/compare_image_gans.py --target mnist --data-dir ../shared/data/mnist \\
        --seeds 0 1 2 --out runs/mnist_compare
    python examples/compare_image_gans.py --target digits --seeds 0 1 2 --out runs/digits_compare
    python examples/compare_image_gans.py --target stacked-mnist --data-dir ../shared/data/mnist \\
        --seeds 0 1 2 --out runs/stacked_compare
"""

import json
import os
import sys

import numpy as np
import torch

from dualgan import cli
from dualgan.cli import ArgumentParser
from dualgan.files import write_json, write_text
from generator import cli as gan_cli
from generator.data.targets import IMAGE_TARGETS, check_target, make_target
from generator.evaluation import suite
from generator.nets.discriminators import D_ARCHS
from generator.plotting.images import plot_sample_grids
from generator.runs.config import RunConfig
from generator.study.comparison import METHODS, missing_metrics, summarize, table
from generator.training.trainer import GANTrainConfig


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", choices=IMAGE_TARGETS, default="digits")
    p.add_argument("--data-dir", help="mnist, stacked-mnist: the directory of the four IDX "
                                      "files")
    p.add_argument("--cache-dir", help="where the judging classifier is cached")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, help="dual run's steps (default: the preset)")
    p.add_argument("--budget", type=float, help="seconds of training for each method (default: "
                                                "the baseline gets the dual run's time)")
    p.add_argument("--device", help="where the networks run (default: cpu)")
    p.add_argument("--d-arch", choices=D_ARCHS,
                   help="both methods' discriminator: an MLP, or two stride-2 convolutions "
                        "(default: mlp)")
    p.add_argument("--d-channels", type=int, nargs="+",
                   help="--d-arch conv: output channels of each convolution (default: 32 64)")
    p.add_argument("--out", default="runs/image_compare")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        p.error(f"--seeds must not repeat a seed, got {args.seeds}")
    # every run's settings checked before the first one trains
    with p.library_checks(seed="--seeds", max_seconds="--budget"):
        check_target(args.target, args.data_dir)
        for seed in args.seeds:
            for method in METHODS:
                given = {"steps": args.steps, "device": args.device, "data_dir": args.data_dir,
                         "d_arch": args.d_arch, "d_channels": args.d_channels}
                config = RunConfig.from_preset(method, args.target, seed=seed, **{
                    k: v for k, v in given.items() if v is not None})
                training = config.training
                GANTrainConfig(steps=training.steps, batch_size=training.batch_size, seed=seed,
                               max_seconds=args.budget)
    return args


def _run(parse, run, argv, out, target):
    """One run of :mod:`generator.cli` unless OUT/metrics.json holds every reported metric;
    returns its metrics. A run with a checkpoint resumes it (``--resume``): an interrupted run
    continues, and a finished one scored before a metric existed is scored again."""
    path = os.path.join(out, "metrics.json")
    if not os.path.isfile(path) or missing_metrics(_load(path), target):
        resume = ["--resume"] if os.path.isfile(os.path.join(out, "checkpoint.pt")) else []
        code = run(parse(argv + ["--out", out] + resume))
        if code != cli.EXIT_OK:
            raise SystemExit(code)
    return _load(path)


def _load(path):
    with open(path) as handle:
        return json.load(handle)


def main(argv=None):
    args = parse_args(argv)
    headline = suite(args.target).headline
    common = ["--target", args.target, "--snapshots", "5"]
    for flag, value in (("--data-dir", args.data_dir), ("--cache-dir", args.cache_dir),
                        ("--device", args.device), ("--d-arch", args.d_arch)):
        if value is not None:
            common += [flag, value]
    if args.d_channels is not None:
        common += ["--d-channels", *map(str, args.d_channels)]
    if args.no_progress:
        common.append("--no-progress")
    runs = {method: {} for method in METHODS}
    for seed in args.seeds:
        seeded = common + ["--seed", str(seed)]
        dual_out = os.path.join(args.out, "neural-dual", f"seed{seed}")
        steps = [] if args.steps is None else ["--steps", str(args.steps)]
        limit = [] if args.budget is None else ["--max-seconds", repr(args.budget)]
        dual = _run(gan_cli.parse_dual, gan_cli.run_dual_gan,
                    seeded + steps + limit + ["--discriminator", "mlp"], dual_out, args.target)
        budget = dual["seconds"] if args.budget is None else args.budget
        # the baseline trains until it has spent the dual run's training time
        baseline = _run(gan_cli.parse_baseline, gan_cli.run_baseline_gan,
                        seeded + ["--method", "mlp-ns", "--steps", str(100 * dual["steps"]),
                                  "--max-seconds", repr(budget)],
                        os.path.join(args.out, "mlp-ns", f"seed{seed}"), args.target)
        runs["neural-dual"][seed], runs["mlp-ns"][seed] = dual, baseline
        print(f"seed {seed}: dual {headline} {dual[headline]:.3f} in {dual['steps']} steps, "
              f"baseline {headline} {baseline[headline]:.3f} in {baseline['steps']} steps "
              f"({budget:.0f} s each)")

    summary = summarize(runs, args.target)
    write_json(os.path.join(args.out, "comparison.json"),
               {"target": args.target, "seeds": args.seeds, "runs": runs, "summary": summary})
    text = table(summary, runs, args.target)
    write_text(os.path.join(args.out, "comparison.md"), text + "\n")
    print(text)

    first = args.seeds[0]
    grids = {}
    for method, label in METHODS.items():
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
