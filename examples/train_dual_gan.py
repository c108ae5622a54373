"""Train a generator against the exact discriminator's dual value (SPEC 4) on a 2-D target.

Each step solves the regularized logistic discriminator on random Fourier features exactly
(``dual.solve``, certified by its duality gap) and takes an Adam ascent step of the generator on
the optimal dual value g(λ*; θ). Writes OUT/metrics.json, OUT/samples.png, OUT/curves.png,
OUT/weights.png and OUT/checkpoint.pt (``--resume`` continues from it exactly).

    python examples/train_dual_gan.py --out runs/ring                  # 10000 steps, 8/8 modes
    python examples/train_dual_gan.py --steps 20000 --out runs/ring20k  # sharper modes
    python examples/train_dual_gan.py --target grid --out runs/grid     # 40000 steps, 25/25
    python examples/train_dual_gan.py --target gaussian --generator affine --features quadratic
"""

import argparse
import json
import math
import os
import sys

import torch

import generator as gen
from generator import runs
from generator.features import FEATURES
from generator.plots import plot_dual_weights, plot_snapshots, plot_training_curves
from generator.presets import DUAL_PRESETS
from generator.targets import TARGETS


# Defaults that depend on the target (see generator/presets.py for why they are what they are).
TARGET_DEFAULTS = {
    target: {key: list(value) if isinstance(value, tuple) else value
             for key, value in preset.items() if key not in ("c", "hidden", "batch_size")}
    for target, preset in DUAL_PRESETS.items()
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--target", choices=sorted(TARGETS), default="ring")
    p.add_argument("--steps", type=int, default=None,
                   help="generator updates; None: ring 10000, grid 40000, gaussian 2000")
    p.add_argument("--batch-size", type=int, default=128, help="real and generated samples per step")
    p.add_argument("--features", choices=FEATURES, default=None,
                   help="feature map φ (SPEC 4); None: ring rff+quadratic, else rff")
    p.add_argument("--num-features", type=int, default=None,
                   help="RFF features per lengthscale; None: ring 128, grid 256, gaussian 64")
    p.add_argument("--lengthscale", type=float, nargs="+", default=None,
                   help="RFF lengthscale(s), one block each; None: ring 0.1 0.3 1, "
                        "grid 0.25 0.75 2, gaussian 1")
    p.add_argument("--c", type=float, default=30.0, help="L2 weight of the discriminator (SPEC 1)")
    p.add_argument("--solver", default=None,
                   help="dual.solve solver (default: 'native' if available, else CLARABEL)")
    p.add_argument("--form", default=None, help="dual.solve form (default: the solver's best)")
    p.add_argument("--lr", type=float, default=None,
                   help="initial Adam learning rate; None: 2e-3, gaussian 2e-2")
    p.add_argument("--lr-final", type=float, default=None,
                   help="learning rate at the last step (geometric decay); None: 1e-4, "
                        "gaussian 1e-3")
    p.add_argument("--generator", choices=["affine", "mlp"], default="mlp")
    p.add_argument("--hidden", type=int, nargs="+", default=[256, 256, 256], help="MLP widths")
    p.add_argument("--latent-dim", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint-every", type=int, default=250)
    p.add_argument("--snapshots", type=int, default=5, help="sample panels in samples.png")
    p.add_argument("--out", default="runs/dual_gan", help="output directory")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = p.parse_args(argv)
    for key, value in TARGET_DEFAULTS[args.target].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def build(args):
    """The target, the dual method and the trainer described by ``args``."""
    target = gen.make_target(args.target)
    torch.manual_seed(args.seed)  # generator initialization
    kwargs = {"hidden": tuple(args.hidden)} if args.generator == "mlp" else {}
    g = gen.make_generator(args.generator, args.latent_dim, target.dim, **kwargs)
    scales = args.lengthscale[0] if len(args.lengthscale) == 1 else tuple(args.lengthscale)
    phi = gen.make_features(args.features, target.dim, args.num_features, scales, args.seed)
    method = gen.DualMethod(g, phi, gen.DualConfig(c=args.c, lr=args.lr, lr_final=args.lr_final,
                                                   decay_steps=args.steps, solver=args.solver,
                                                   form=args.form))
    config = gen.TrainConfig(steps=args.steps, batch_size=args.batch_size, seed=args.seed,
                             snapshots=args.snapshots, checkpoint_every=args.checkpoint_every,
                             progress=not args.no_progress)
    trainer = gen.Trainer(method, target, config,
                          checkpoint_path=os.path.join(args.out, "checkpoint.pt"))
    return target, method, trainer


def evaluate(target, method, trainer, seed):
    """Mode metrics on 2,500 fresh samples and one exact solve on a fresh minibatch."""
    result, rng, latent = runs.evaluate_samples(trainer, target, seed)
    real = target.sample(trainer.config.batch_size, rng)
    fake = trainer.sample_generator(latent[: trainer.config.batch_size])
    with torch.no_grad():
        sol, _ = method.solve(method.features(real), method.features(fake))
    return result, (real, fake, sol)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    target, method, trainer = build(args)
    runs.start_or_resume(args, trainer)
    print(f"solver {method.solver}/{method.form}; features {args.features} "
          f"({method.features.out_dim} dims); target {target.name} ({target.num_modes} modes)")

    result = trainer.run()
    if result.interrupted:
        print(f"stopped at step {result.step}; continue with --resume")
        return 130

    final, (real, fake, sol) = evaluate(target, method, trainer, args.seed)
    logs = result.logs
    solve_seconds = sum(logs["solve_seconds"])
    metrics = {
        **{k: final[k] for k in runs.METRIC_KEYS},
        "steps": result.step, "seconds": result.seconds, "solve_seconds": solve_seconds,
        "steps_per_second": result.step / result.seconds,
        "final_gap": logs["gap"][-1], "final_dual_value": logs["dual_value"][-1],
        "final_primal_value": logs["primal_value"][-1],
        "max_gap": max(abs(g) for g in logs["gap"]),
        "inaccurate_solves": int(sum(logs["inaccurate"])),
        "solver": method.solver, "form": method.form, "config": vars(args),
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as handle:
        json.dump(metrics, handle, indent=2)

    snap_metrics, eval_real = runs.snapshot_metrics(result, target, args.seed)
    plot_snapshots(result.snapshots, eval_real, target, os.path.join(args.out, "samples.png"),
                   snap_metrics)
    # SPEC 2: g ≤ (N + M)·log 2, with equality iff b(λ) = 0 and every λ = −1/2 (D ≡ 1/2)
    plot_training_curves(logs, os.path.join(args.out, "curves.png"),
                         ceiling=2 * args.batch_size * math.log(2.0))
    plot_dual_weights(real, fake, sol.lam_real, sol.lam_fake, target,
                      os.path.join(args.out, "weights.png"))

    print(runs.summary_line(target, final))
    print(f"{result.step} steps in {result.seconds:.1f} s ({metrics['steps_per_second']:.1f} "
          f"steps/s), {solve_seconds / result.seconds:.0%} of it in the solve "
          f"({method.solver}/{method.form}); final gap {metrics['final_gap']:.1e}, "
          f"max gap {metrics['max_gap']:.1e}, {metrics['inaccurate_solves']} inaccurate solves")
    print(f"wrote {args.out}/metrics.json, samples.png, curves.png, weights.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
