"""The cost of one training step: the linearized dual (SPEC 7) against the gradient-trained GAN
with the same networks, measured interleaved in one process
(:func:`generator.study.timing.step_costs`).

Prints the median CPU and wall seconds per step of each method (one torch and one BLAS thread),
the dual's split into the tangent kernel, the exact solve and the networks, and the ratio; writes
OUT/step_costs.json. Both methods take the target's preset networks, or the ones the network
and precision options give (the same for both).

    python examples/time_gan_steps.py --target mnist --data-dir ../shared/data/mnist \\
        --out runs/steps
    python examples/time_gan_steps.py --target mnist --data-dir ../shared/data/mnist \\
        --generator conv --d-arch conv --steps 40 --warmup 5 --out runs/steps_conv
    python examples/time_gan_steps.py --target digits --steps 50 --out runs/steps_digits
"""

import os
import sys

from dualgan import cli
from dualgan.checkpoint import ensure_writable_directory
from dualgan.cli import ArgumentParser
from dualgan.files import write_json
from generator.data.targets import IMAGE_TARGETS, TARGETS, check_target
from generator.runs import options
from generator.runs.config import RunConfig
from generator.runs.presets import preset_keys
from generator.runs.settings import Compute, Networks
from generator.study.timing import step_costs


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__)
    p.add_argument("--target", choices=sorted(TARGETS), default="mnist",
                   help="the data and the target's preset networks (mnist needs --data-dir)")
    p.add_argument("--data-dir", help="mnist: the directory of the four IDX files")
    p.add_argument("--steps", type=int, default=200, help="timed steps per method")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first")
    p.add_argument("--seed", type=int, default=0, help="seed of both runs")
    p.add_argument("--out", default="runs/step_costs", help="output directory (step_costs.json)")
    for part in (Networks, Compute):  # the networks both methods share, and their precision
        options.add_options(p, part, preset=preset_keys())
    args = p.parse_args(argv)
    if args.steps < 1:
        p.error(f"--steps must be >= 1, got {args.steps}")
    if args.warmup < 0:
        p.error(f"--warmup must be >= 0, got {args.warmup}")
    args.overrides = options.given(args, (Networks, Compute))
    if args.target in IMAGE_TARGETS:
        args.overrides["data_dir"] = args.data_dir
    with p.library_checks():
        check_target(args.target, args.data_dir)
        for method in ("neural-dual", "mlp-ns"):  # the runs step_costs builds
            RunConfig.from_preset(method, args.target, seed=args.seed, **args.overrides)
    return args


def main(argv=None):
    args = parse_args(argv)
    ensure_writable_directory(args.out)
    costs = step_costs(args.target, steps=args.steps, warmup=args.warmup, seed=args.seed,
                       **args.overrides)
    dual, grad = costs["neural-dual"], costs["mlp-ns"]
    ratios = {"cpu": dual["cpu"] / grad["cpu"], "wall": dual["wall"] / grad["wall"]}
    write_json(os.path.join(args.out, "step_costs.json"),
               {"target": args.target, "steps": args.steps, "settings": args.overrides,
                "costs": costs, "ratio": ratios})
    print(f"{args.target}, median of {args.steps} interleaved steps, one thread:")
    for name, c in costs.items():
        print(f"  {name:12s} {1e3 * c['cpu']:7.2f} ms CPU  {1e3 * c['wall']:7.2f} ms wall")
    print(f"  dual's step: tangent kernel {1e3 * dual['kernel']:.2f} ms, solve "
          f"{1e3 * dual['solve']:.2f} ms, networks {1e3 * dual['networks']:.2f} ms")
    print(f"  ratio dual / gradient: {ratios['cpu']:.2f} (CPU), {ratios['wall']:.2f} (wall)")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
