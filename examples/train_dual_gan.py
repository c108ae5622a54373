"""Train a generator against an exactly solved discriminator (SPEC 4, SPEC 7).

Two discriminators, each step solved exactly through the dual and certified by its gap:

* ``--discriminator features`` (the default on 2-D targets): logistic regression on fixed
  features φ (``dual.solve``); the generator ascends the optimal dual value g(λ*; θ);
* ``--discriminator mlp``: an MLP, linearized at its current weights inside a trust region
  (c = κ·mean diag K) and solved from its tangent kernel (``dual.solve_kernel``, SPEC 7).

Targets: the 2-D mixtures ``ring``, ``grid``, ``gaussian``, and the images ``digits`` (bundled
with scikit-learn), ``mnist`` and ``stacked-mnist`` (three digits as RGB channels, 1,000 modes;
both with ``--data-dir``, the four IDX files); image targets take the ``mlp`` discriminator.
Every setting defaults to the target's preset (``generator/presets.py``). Writes
OUT/config.json, OUT/metrics.json, OUT/samples.png, OUT/curves.png, OUT/checkpoint.pt
(``--resume`` continues from it exactly), OUT/weights.png (features), OUT/classes.png (images)
and OUT/modes.png (stacked-mnist).

    python examples/train_dual_gan.py --out runs/ring                    # features, 8/8 modes
    python examples/train_dual_gan.py --discriminator mlp --out runs/ring_mlp
    python examples/train_dual_gan.py --target grid --out runs/grid       # 40000 steps, 25/25
    python examples/train_dual_gan.py --target digits --out runs/digits
    python examples/train_dual_gan.py --target mnist --data-dir ../shared/data/mnist \
        --out runs/mnist
"""

import argparse
import math
import os
import sys

import torch

import gan_cli
from common import cli
from common.files import write_json
from generator.image_plots import plot_neural_dual_curves
from generator.methods.neural_dual import GENERATOR_STEPS, TRUST_RULES
from generator.plots import plot_dual_weights, plot_training_curves
from generator.targets import IMAGE_TARGETS


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--discriminator", choices=["features", "mlp"], default=None,
                   help="fixed features φ (SPEC 4) or a linearized MLP (SPEC 7); default: "
                        "features on 2-D targets, mlp on images")
    gan_cli.add_run_arguments(p, out_default="runs/dual_gan")
    p.add_argument("--solver", default="native",
                   help="features: dual.solve solver, 'native' (exact Newton) or a CVXPY solver")
    p.add_argument("--form", default=None, help="features: dual.solve form (default: the "
                                                "solver's best)")
    p.add_argument("--kappa", type=float, help=f"mlp: c = kappa·mean(diag K); {gan_cli.PRESET}")
    p.add_argument("--trust", choices=TRUST_RULES, help=f"mlp: kappa fixed ('scaled') or "
                                                        f"'adaptive'; {gan_cli.PRESET}")
    p.add_argument("--generator-step", choices=GENERATOR_STEPS,
                   help=f"mlp: the Danskin form of the generator's step; {gan_cli.PRESET}")
    args = p.parse_args(argv)
    if args.discriminator is None:
        args.discriminator = "mlp" if args.target in IMAGE_TARGETS else "features"
    if args.discriminator == "features" and args.target in IMAGE_TARGETS:
        p.error(f"--target {args.target} needs --discriminator mlp")
    return args


def main(argv=None):
    args = parse_args(argv)
    neural = args.discriminator == "mlp"
    config = gan_cli.run_config(args, "neural-dual" if neural else "dual")
    target, method, trainer = gan_cli.start(args, config)
    if neural:
        print(f"MLP discriminator {config.d_hidden}, κ = {config.kappa:g} ({config.trust}), "
              f"{config.generator_step} generator step; target {target.name}")
    else:
        print(f"solver {method.config.solver}/{method.config.form}; features {config.features} "
              f"({method.features.out_dim} dims); target {target.name}")

    result = gan_cli.train(trainer)
    if result.interrupted:
        return cli.EXIT_INTERRUPTED

    metrics, rng, latent = gan_cli.evaluate(args, trainer, target)
    logs = result.logs
    metrics.update({
        "solve_seconds": sum(logs["solve_seconds"]),
        "final_gap": logs["gap"][-1], "final_dual_value": logs["dual_value"][-1],
        "final_primal_value": logs["primal_value"][-1],
        "max_gap": max(abs(g) for g in logs["gap"]),
        "inaccurate_solves": int(sum(logs["inaccurate"])), "config": config.to_dict(),
    })
    if neural:
        metrics["kernel_seconds"] = sum(logs["kernel_seconds"])
        metrics["kernel_and_solve_share"] = ((metrics["kernel_seconds"] + metrics["solve_seconds"])
                                             / result.seconds)
        metrics["final_kappa"] = method.kappa
    else:
        metrics.update(solver=method.config.solver, form=method.config.form)
    write_json(os.path.join(args.out, "metrics.json"), metrics)

    gan_cli.plot_samples(args, result, target, metrics, f"{target.name}, dual "
                                                        f"({args.discriminator} discriminator)")
    curves = os.path.join(args.out, "curves.png")
    if neural:
        plot_neural_dual_curves(logs, curves)
    else:
        # SPEC 2: g ≤ (N + M)·log 2, with equality iff b(λ) = 0 and every λ = −1/2 (D ≡ 1/2)
        plot_training_curves(logs, curves, ceiling=2 * config.batch_size * math.log(2.0))
        # one exact solve on a fresh minibatch, for the dual-weights figure
        real = target.sample(config.batch_size, rng)
        fake = trainer.generate(latent[: config.batch_size])
        with torch.no_grad():
            sol, _ = method.solve(method.features(real), method.features(fake))
        plot_dual_weights(real, fake, sol.lam_real, sol.lam_fake, target,
                          os.path.join(args.out, "weights.png"))

    share = (f"{metrics['kernel_and_solve_share']:.0%} of it in K and the solve"
             if neural else f"{metrics['solve_seconds'] / result.seconds:.0%} of it in the solve")
    print(f"{result.step} steps in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s of CPU; "
          f"{metrics['steps_per_second']:.1f} steps/s), {share}; final gap "
          f"{metrics['final_gap']:.1e}, max gap {metrics['max_gap']:.1e}, "
          f"{metrics['inaccurate_solves']} inaccurate solves")
    print(f"wrote {args.out}/metrics.json and the figures")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
