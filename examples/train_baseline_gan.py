"""Train a standard GAN (SPEC 5) on a 2-D target: the baseline of the dual method.

Alternating gradient steps on V(D, G) with the shared trainer (seeds, checkpoints, resume,
progress), with the same generators, targets and metrics as examples/train_dual_gan.py:

* ``--method mlp-ns``: MLP discriminator, non-saturating generator loss (Goodfellow et al.);
* ``--method mlp-minimax``: MLP discriminator, minimax generator loss log(1 − D(G(z)));
* ``--method linear-gd``: the dual method's discriminator D_w(x) = σ(−wᵀφ(x)) with (c/2)‖w‖²
  on the same features (``--features``, ``--num-features``, ``--lengthscale``, ``--c``), trained
  by gradient steps instead of solved exactly; minimax generator loss, as in the dual method.

Writes OUT/metrics.json, OUT/samples.png, OUT/curves.png and OUT/checkpoint.pt
(``--resume`` continues from it exactly).

    python examples/train_baseline_gan.py --method mlp-ns --out runs/baseline_ring
    python examples/train_baseline_gan.py --method linear-gd --d-steps 5 --out runs/linear_gd
"""

import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import generator as gen  # noqa: E402
from generator import runs  # noqa: E402
from generator.baseline import METHODS, make_baseline  # noqa: E402
from generator.features import FEATURES  # noqa: E402
from generator.plots import plot_snapshots  # noqa: E402
from generator.targets import TARGETS  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--method", choices=METHODS, default="mlp-ns")
    p.add_argument("--target", choices=sorted(TARGETS), default="ring")
    p.add_argument("--steps", type=int, default=1500, help="generator updates")
    p.add_argument("--batch-size", type=int, default=128,
                   help="real and generated samples per step")
    p.add_argument("--d-steps", type=int, default=1, help="discriminator steps per generator step")
    p.add_argument("--d-lr", type=float, default=None,
                   help="discriminator learning rate (default: --lr)")
    p.add_argument("--d-hidden", type=int, nargs="+", default=[128, 128],
                   help="MLP discriminator widths (mlp-* methods)")
    p.add_argument("--features", choices=FEATURES, default="rff", help="φ of linear-gd")
    p.add_argument("--num-features", type=int, default=64, help="RFF features per lengthscale")
    p.add_argument("--lengthscale", type=float, nargs="+", default=[0.5],
                   help="RFF lengthscale(s); several values concatenate one block each")
    p.add_argument("--c", type=float, default=1.0, help="L2 weight of linear-gd's D (SPEC 1)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate of the generator")
    p.add_argument("--generator", choices=["affine", "mlp"], default="mlp")
    p.add_argument("--hidden", type=int, nargs="+", default=[128, 128], help="MLP widths")
    p.add_argument("--latent-dim", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint-every", type=int, default=250)
    p.add_argument("--snapshots", type=int, default=5, help="sample panels in samples.png")
    p.add_argument("--out", default="runs/baseline_gan", help="output directory")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return p.parse_args(argv)


def build(args):
    """The target, the baseline method and the trainer described by ``args``."""
    target = gen.make_target(args.target)
    torch.manual_seed(args.seed)  # generator, then discriminator initialization
    kwargs = {"hidden": tuple(args.hidden)} if args.generator == "mlp" else {}
    g = gen.make_generator(args.generator, args.latent_dim, target.dim, **kwargs)
    scales = args.lengthscale[0] if len(args.lengthscale) == 1 else tuple(args.lengthscale)
    phi = gen.make_features(args.features, target.dim, args.num_features, scales, args.seed)
    method = make_baseline(args.method, g, target.dim, features=phi, c=args.c, lr=args.lr,
                           d_lr=args.d_lr, d_steps=args.d_steps, hidden=tuple(args.d_hidden),
                           target=target, seed=args.seed)
    config = gen.TrainConfig(steps=args.steps, batch_size=args.batch_size, seed=args.seed,
                             snapshots=args.snapshots, checkpoint_every=args.checkpoint_every,
                             progress=not args.no_progress, postfix_keys=("value", "d_fake"))
    trainer = gen.Trainer(method, target, config,
                          checkpoint_path=os.path.join(args.out, "checkpoint.pt"))
    return target, method, trainer


def evaluate(target, trainer, seed):
    """Mode metrics and moment errors on 2,500 fresh samples (as in train_dual_gan.py)."""
    return runs.evaluate_samples(trainer, target, seed)[0]


def plot_curves(logs, path):
    """V̂ after the discriminator steps, and the mean D on real and generated samples."""
    steps = np.asarray(logs["step"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    ax1.plot(steps, logs["value"], lw=0.6, label="V̂(D, G) on the minibatch")
    ax1.axhline(-np.log(4.0), color="grey", ls=":", label="−log 4 (D ≡ ½, SPEC 5 4f)")
    ax1.set(xlabel="step", ylabel="nats per sample", title="Value of the game")
    ax1.legend(fontsize=8)
    ax2.plot(steps, logs["d_real"], lw=0.6, label="mean D(real)")
    ax2.plot(steps, logs["d_fake"], lw=0.6, label="mean D(generated)")
    ax2.set(xlabel="step", ylim=(-0.02, 1.02), title="Discriminator outputs")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    target, method, trainer = build(args)
    # no learning-rate schedule here, so a finished run may be extended with a larger --steps
    runs.start_or_resume(args, trainer, may_change=("resume", "steps", "no_progress"))
    print(f"method {args.method} (generator loss {method.config.g_loss}, {args.d_steps} D "
          f"step(s) per G step); target {target.name} ({target.num_modes} modes)")

    result = trainer.run()
    if result.interrupted:
        print(f"stopped at step {result.step}; continue with --resume")
        return 1

    final = evaluate(target, trainer, args.seed)
    logs = result.logs
    metrics = {
        **{k: final[k] for k in runs.METRIC_KEYS},
        "steps": result.step, "seconds": result.seconds,
        "steps_per_second": result.step / result.seconds,
        "final_value": logs["value"][-1], "final_d_real": logs["d_real"][-1],
        "final_d_fake": logs["d_fake"][-1], "g_loss": method.config.g_loss,
        "config": vars(args),
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as handle:
        json.dump(metrics, handle, indent=2)

    snap_metrics, eval_real = runs.snapshot_metrics(result, target, args.seed)
    plot_snapshots(result.snapshots, eval_real, target, os.path.join(args.out, "samples.png"),
                   snap_metrics)
    plot_curves(logs, os.path.join(args.out, "curves.png"))
    print(runs.summary_line(target, final))
    print(f"{result.step} steps in {result.seconds:.1f} s")
    print(f"wrote {args.out}/metrics.json, samples.png, curves.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
