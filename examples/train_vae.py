"""Train an MLP VAE on MNIST (original IDX files) or scikit-learn's 8x8 digits, for one seed or
for several one after another.

Writes to --out: checkpoint.pt (each epoch, atomic), metrics.json (per-epoch losses in nats per
image, the final IWAE NLL, timings and the configuration) and figures (reconstructions after the
first and the last epoch, samples, loss curves, and a latent scatter when --latent-dim is 2).
With --seeds, each seed has its own directory OUT/seed_<S>/ with those files, and OUT/summary.json
holds the mean, standard deviation and worst seed of the final test negative ELBO and of the
IWAE NLL, read back from the per-seed metrics.json files. The same command continues an
interrupted --seeds run: finished seeds are skipped, the interrupted one resumes.

Examples
--------
    python examples/train_vae.py --out runs/vae_digits                 # runs anywhere
    python examples/train_vae.py --dataset mnist --data-dir ../shared/data/mnist --out runs/vae
    python examples/train_vae.py ... --out runs/vae --resume           # continue after Ctrl-C
    python examples/train_vae.py --dataset mnist --data-dir ../shared/data/mnist \\
        --seeds 0 1 2 3 4 --out runs/vae_seeds                          # a result over seeds
    python examples/train_vae.py ... --binarize dynamic --iwae-images 0   # binarized MNIST

The defaults (two hidden layers 512-256, latent 32, batch 256, Adam 2e-3 warmed up over one
epoch then cosine-annealed per step, KL warm-up over 10 epochs, output bias from the mean image,
60 epochs, one torch thread) are chosen for MNIST. The recipe of the PyTorch VAE example is
``--hidden 400 --latent-dim 20 --batch-size 128 --lr 1e-3 --lr-schedule constant
--lr-warmup-epochs 0 --kl-warmup-epochs 0 --no-output-bias-from-data --epochs 10``.
"""

import sys

from dualgan import cli
from vae import cli as vae_cli


def main(argv=None):
    return vae_cli.main(argv, description=__doc__)


if __name__ == "__main__":
    sys.exit(cli.run(main))
