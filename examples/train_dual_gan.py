"""Train a generator against an exactly solved discriminator (SPEC 4, SPEC 7).

Two discriminators, each step solved exactly through the dual and certified by its gap:

* ``--discriminator features`` (the default on 2-D targets): logistic regression on fixed
  features φ (``dual.solve``); the generator ascends the optimal dual value g(λ*; θ);
* ``--discriminator network`` (the neural dual; ``mlp``, its former name, still works): a
  network discriminator, an MLP or with ``--d-arch conv`` a convolutional one, linearized at its
  current weights inside a trust region (c = κ·mean diag K) and solved from its tangent kernel
  (``dual.solve_kernel``, SPEC 7).

Targets: the 2-D mixtures ``ring``, ``grid``, ``gaussian``, and the images ``digits`` (bundled
with scikit-learn), ``mnist`` and ``stacked-mnist`` (three digits as RGB channels, 1,000 modes;
both with ``--data-dir``, the four IDX files); image targets take the ``network`` discriminator.
Every setting defaults to the target's preset (``generator/runs/presets.py``); on images,
``--architecture conv`` takes the preset's convolutional networks (a DCGAN-style generator and
a convolutional discriminator) instead of its MLPs. Writes
OUT/config.json, OUT/metrics.json, OUT/samples.png, OUT/curves.png, OUT/checkpoint.pt
(``--resume`` continues from it exactly), OUT/weights.png (features), OUT/classes.png (images)
and OUT/modes.png (stacked-mnist). The options, their checks and the run are
:mod:`generator.cli`'s: a bad value is refused in one line, exit code 2, before anything is
written.

    python examples/train_dual_gan.py --out runs/ring                    # features, 8/8 modes
    python examples/train_dual_gan.py --discriminator network --out runs/ring_network
    python examples/train_dual_gan.py --target grid --out runs/grid       # 40000 steps, 25/25
    python examples/train_dual_gan.py --target digits --out runs/digits
    python examples/train_dual_gan.py --target mnist --data-dir ../shared/data/mnist \\
        --out runs/mnist
    python examples/train_dual_gan.py --target stacked-mnist --data-dir ../shared/data/mnist \\
        --architecture conv --out runs/stacked_conv
"""

import sys

from dualgan import cli
from generator import cli as gan_cli


def parse_args(argv=None):
    """The options, checked: the run's :class:`generator.cli.RunRequest`."""
    return gan_cli.parse_dual(argv, description=__doc__)


def main(argv=None):
    return gan_cli.run_dual_gan(parse_args(argv))


if __name__ == "__main__":
    sys.exit(cli.run(main))
