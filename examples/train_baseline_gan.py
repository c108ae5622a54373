"""Train a standard GAN (SPEC 5) on a 2-D target: the baseline of the dual method.

Alternating gradient steps on V(D, G) with the shared trainer (seeds, checkpoints, resume,
progress), with the same generators, targets, presets and metrics as train_dual_gan.py:

* ``--method mlp-ns``: MLP discriminator, non-saturating generator loss (Goodfellow et al.);
* ``--method mlp-minimax``: MLP discriminator, minimax generator loss log(1 − D(G(z)));
* ``--method linear-gd``: the dual method's discriminator D_w(x) = σ(−wᵀφ(x)) with (c/2)‖w‖²
  on the same features (``--features``, ``--num-features``, ``--lengthscale``, ``--c``), trained
  by gradient steps instead of solved exactly; minimax generator loss, as in the dual method.

Writes OUT/config.json, OUT/metrics.json, OUT/samples.png, OUT/curves.png and OUT/checkpoint.pt
(``--resume`` continues from it exactly).

    python examples/train_baseline_gan.py --method mlp-ns --out runs/baseline_ring
    python examples/train_baseline_gan.py --method linear-gd --d-steps 5 --out runs/linear_gd
"""

import argparse
import os
import sys

import generator as gen
from common import cli
from common.files import write_json
from generator.experiment import METRIC_KEYS, snapshot_metrics, summary_line
from generator.methods.baseline import METHODS
from generator.plots import plot_game_curves, plot_snapshots

import gan_cli


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--method", choices=METHODS, default="mlp-ns")
    gan_cli.add_run_arguments(p, out_default="runs/baseline_gan")
    p.add_argument("--d-steps", type=int, default=1, help="discriminator steps per generator step")
    p.add_argument("--d-lr", type=float, default=None,
                   help="discriminator learning rate (default: --lr)")
    p.add_argument("--d-hidden", type=int, nargs="+",
                   help=f"MLP discriminator widths (mlp-* methods); {gan_cli.PRESET}")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = gan_cli.run_config(args, args.method)
    # with a constant learning rate a finished run may be extended with a larger --steps
    may_change = ("run.steps", "train.steps") if config.lr_final is None else ()
    target, method, trainer = gan_cli.start(args, config, may_change=may_change)
    print(f"method {args.method} (generator loss {method.config.g_loss}, {args.d_steps} D "
          f"step(s) per G step); target {target.name} ({target.num_modes} modes)")

    result = gan_cli.train(trainer)
    if result.interrupted:
        return cli.EXIT_INTERRUPTED

    final = gen.evaluate(trainer, target, args.seed)[0]
    logs = result.logs
    metrics = {
        **{k: final[k] for k in METRIC_KEYS},
        "steps": result.step, "seconds": result.seconds,
        "steps_per_second": result.step / result.seconds,
        "final_value": logs["value"][-1], "final_d_real": logs["d_real"][-1],
        "final_d_fake": logs["d_fake"][-1], "g_loss": method.config.g_loss,
        "config": config.to_dict(),
    }
    write_json(os.path.join(args.out, "metrics.json"), metrics)

    snap_metrics, eval_real = snapshot_metrics(result, target, args.seed)
    plot_snapshots(result.snapshots, eval_real, target, os.path.join(args.out, "samples.png"),
                   snap_metrics)
    plot_game_curves(logs, os.path.join(args.out, "curves.png"))
    print(summary_line(target, final))
    print(f"{result.step} steps in {result.seconds:.1f} s")
    print(f"wrote {args.out}/metrics.json, samples.png, curves.png")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
