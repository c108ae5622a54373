"""Train a standard GAN (SPEC 5): the baseline of the dual methods, on 2-D targets and images.

Alternating gradient steps on V(D, G) with the shared trainer (seeds, checkpoints, resume,
progress), with the same generators, targets, presets and metrics as train_dual_gan.py:

* ``--method mlp-ns``: MLP discriminator, non-saturating generator loss (Goodfellow et al.);
* ``--method mlp-minimax``: MLP discriminator, minimax generator loss log(1 − D(G(z)));
* ``--method linear-gd``: the dual method's discriminator D_w(x) = σ(−wᵀφ(x)) with (c/2)‖w‖²
  on the same features (``--features``, ``--num-features``, ``--lengthscale``, ``--c``), trained
  by gradient steps instead of solved exactly; minimax generator loss, as in the dual method.

On image targets (``digits``; ``mnist`` and ``stacked-mnist`` with ``--data-dir``) the ``mlp-*``
methods use the preset's generator and the same MLP discriminator as ``train_dual_gan.py
--discriminator mlp``, and report the same image metrics; ``--max-seconds`` gives both the same
wall-clock budget.
Writes OUT/config.json, OUT/metrics.json, OUT/samples.png, OUT/curves.png, OUT/checkpoint.pt
(``--resume`` continues from it exactly) and OUT/classes.png (images).

    python examples/train_baseline_gan.py --method mlp-ns --out runs/baseline_ring
    python examples/train_baseline_gan.py --method linear-gd --d-steps 5 --out runs/linear_gd
    python examples/train_baseline_gan.py --target mnist --data-dir ../shared/data/mnist \
        --max-seconds 300 --out runs/baseline_mnist
"""

import argparse
import os
import sys

import gan_cli
from common import cli
from common.files import write_json
from generator.methods.baseline import METHODS
from generator.plots import plot_game_curves


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--method", choices=METHODS, default="mlp-ns")
    gan_cli.add_run_arguments(p, out_default="runs/baseline_gan")
    p.add_argument("--d-steps", type=int, default=1, help="discriminator steps per generator step")
    p.add_argument("--d-lr", type=float, default=None,
                   help="discriminator learning rate (default: --lr)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = gan_cli.run_config(args, args.method)
    # with a constant learning rate a finished run may be extended with a larger --steps
    may_change = ("run.steps", "train.steps") if config.lr_final is None else ()
    target, method, trainer = gan_cli.start(args, config, may_change=may_change)
    print(f"method {args.method} (generator loss {method.config.g_loss}, {args.d_steps} D "
          f"step(s) per G step); target {target.name}")

    result = gan_cli.train(trainer)
    if result.interrupted:
        return cli.EXIT_INTERRUPTED

    metrics = gan_cli.evaluate(args, trainer, target)[0]
    logs = result.logs
    metrics.update({
        "final_value": logs["value"][-1], "final_d_real": logs["d_real"][-1],
        "final_d_fake": logs["d_fake"][-1], "g_loss": method.config.g_loss,
        "config": config.to_dict(),
    })
    write_json(os.path.join(args.out, "metrics.json"), metrics)

    gan_cli.plot_samples(args, result, target, metrics, f"{target.name}, {args.method}")
    plot_game_curves(logs, os.path.join(args.out, "curves.png"))
    print(f"{result.step} steps in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s of CPU)")
    print(f"wrote {args.out}/metrics.json and the figures")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
