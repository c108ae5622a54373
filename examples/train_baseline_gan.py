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
--discriminator network`` (with ``--architecture conv`` the same convolutional networks), and
report the same image metrics; ``--max-seconds`` gives both the same wall-clock budget.
Writes OUT/config.json, OUT/metrics.json, OUT/samples.png, OUT/curves.png, OUT/checkpoint.pt
(``--resume`` continues from it exactly) and OUT/classes.png (images). The options, their
checks and the run are :mod:`generator.cli`'s: a bad value is refused in one line, exit code 2,
before anything is written.

    python examples/train_baseline_gan.py --method mlp-ns --out runs/baseline_ring
    python examples/train_baseline_gan.py --method linear-gd --d-steps 5 --out runs/linear_gd
    python examples/train_baseline_gan.py --target mnist --data-dir ../shared/data/mnist \\
        --max-seconds 300 --out runs/baseline_mnist
    python examples/train_baseline_gan.py --target stacked-mnist --data-dir ../shared/data/mnist \\
        --architecture conv --max-seconds 2300 --out runs/baseline_stacked_conv
"""

import sys

from dualgan import cli
from generator import cli as gan_cli


def parse_args(argv=None):
    """The options, checked: the run's :class:`generator.cli.RunRequest`."""
    return gan_cli.parse_baseline(argv, description=__doc__)


def main(argv=None):
    return gan_cli.run_baseline_gan(parse_args(argv))


if __name__ == "__main__":
    sys.exit(cli.run(main))
