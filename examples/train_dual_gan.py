"""Train a generator against the exact discriminator's dual value (SPEC 4) on a 2-D target.

Each step solves the regularized logistic discriminator on fixed features exactly
(``dual.solve``, certified by its duality gap) and takes an Adam ascent step of the generator on
the optimal dual value g(λ*; θ). Every setting defaults to the target's preset
(``generator/presets.py``). Writes OUT/config.json, OUT/metrics.json, OUT/samples.png,
OUT/curves.png, OUT/weights.png and OUT/checkpoint.pt (``--resume`` continues from it exactly).

    python examples/train_dual_gan.py --out runs/ring                  # 10000 steps, 8/8 modes
    python examples/train_dual_gan.py --steps 20000 --out runs/ring20k  # sharper modes
    python examples/train_dual_gan.py --target grid --out runs/grid     # 40000 steps, 25/25
    python examples/train_dual_gan.py --target gaussian --generator affine --features quadratic
"""

import argparse
import math
import os
import sys

import torch

import generator as gen
from common import cli
from common.files import write_json
from generator.experiment import METRIC_KEYS, snapshot_metrics, summary_line
from generator.plots import plot_dual_weights, plot_snapshots, plot_training_curves

import gan_cli


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    gan_cli.add_run_arguments(p, out_default="runs/dual_gan")
    p.add_argument("--solver", default="native",
                   help="dual.solve solver: 'native' (exact Newton) or a CVXPY solver")
    p.add_argument("--form", default=None, help="dual.solve form (default: the solver's best)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = gan_cli.run_config(args, "dual")
    target, method, trainer = gan_cli.start(args, config)
    print(f"solver {method.config.solver}/{method.config.form}; features {config.features} "
          f"({method.features.out_dim} dims); target {target.name} ({target.num_modes} modes)")

    result = gan_cli.train(trainer)
    if result.interrupted:
        return cli.EXIT_INTERRUPTED

    final, rng, latent = gen.evaluate(trainer, target, args.seed)
    # one exact solve on a fresh minibatch, for the dual-weights figure
    real = target.sample(config.batch_size, rng)
    fake = trainer.generate(latent[: config.batch_size])
    with torch.no_grad():
        sol, _ = method.solve(method.features(real), method.features(fake))
    logs = result.logs
    solve_seconds = sum(logs["solve_seconds"])
    metrics = {
        **{k: final[k] for k in METRIC_KEYS},
        "steps": result.step, "seconds": result.seconds, "solve_seconds": solve_seconds,
        "steps_per_second": result.step / result.seconds,
        "final_gap": logs["gap"][-1], "final_dual_value": logs["dual_value"][-1],
        "final_primal_value": logs["primal_value"][-1],
        "max_gap": max(abs(g) for g in logs["gap"]),
        "inaccurate_solves": int(sum(logs["inaccurate"])),
        "solver": method.config.solver, "form": method.config.form, "config": config.to_dict(),
    }
    write_json(os.path.join(args.out, "metrics.json"), metrics)

    snap_metrics, eval_real = snapshot_metrics(result, target, args.seed)
    plot_snapshots(result.snapshots, eval_real, target, os.path.join(args.out, "samples.png"),
                   snap_metrics)
    # SPEC 2: g ≤ (N + M)·log 2, with equality iff b(λ) = 0 and every λ = −1/2 (D ≡ 1/2)
    plot_training_curves(logs, os.path.join(args.out, "curves.png"),
                         ceiling=2 * config.batch_size * math.log(2.0))
    plot_dual_weights(real, fake, sol.lam_real, sol.lam_fake, target,
                      os.path.join(args.out, "weights.png"))

    print(summary_line(target, final))
    print(f"{result.step} steps in {result.seconds:.1f} s ({metrics['steps_per_second']:.1f} "
          f"steps/s), {solve_seconds / result.seconds:.0%} of it in the solve; final gap "
          f"{metrics['final_gap']:.1e}, max gap {metrics['max_gap']:.1e}, "
          f"{metrics['inaccurate_solves']} inaccurate solves")
    print(f"wrote {args.out}/metrics.json, samples.png, curves.png, weights.png")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
