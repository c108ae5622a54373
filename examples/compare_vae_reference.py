"""The VAE against the well-known PyTorch VAE example, seed by seed, on the same data tensors.

"reference" is a faithful copy of the example (pytorch/examples, vae/main.py: 784-400-20 with
ReLU, sigmoid output, binary cross-entropy summed plus KL, Adam 1e-3, batch 128, a shuffled
DataLoader, 10 epochs, ``torch.manual_seed(seed)``); "package" is :class:`vae.VAETrainer` with the
same recipe (``--hidden 400 --latent-dim 20 --batch-size 128 --lr 1e-3 --lr-schedule constant
--lr-warmup-epochs 0 --kl-warmup-epochs 0 --no-output-bias-from-data --epochs 10`` of
train_vae.py). Both are scored by the package's test negative ELBO with a fixed noise seed
(:func:`vae.evaluate_nelbo`, seed + 4); the reference's own printed test loss (noise from the
global RNG) is kept beside it. The two run interleaved per seed, in one process, on one thread.

The models, the loops and the comparison are :mod:`vae.reference`'s. Each run is saved as
OUT/<impl>/seed_<S>.json and skipped when present, so the same command
continues an interrupted comparison; OUT/comparison.json holds mean, standard deviation and worst
seed of each, computed from those files.

    python examples/compare_vae_reference.py --data-dir ../shared/data/mnist --seeds 0 1 2 \\
        --out runs/vae_reference
    python examples/compare_vae_reference.py --data-dir ../shared/data/mnist --seeds 3 \\
        --out runs/vae_reference                     # one more seed into the same comparison
"""

import sys

from dualgan import cli
from dualgan.cli import ArgumentParser
from dualgan.lock import hold_directory
from dualgan.validation import check_int, check_positive_int
from vae import load_dataset
from vae.reference import compare


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", required=True, help="directory of the four MNIST IDX files")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                   help="seeds, each a run of both implementations")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--out", default="runs/vae_reference",
                   help="output directory (one JSON per implementation and seed)")
    args = p.parse_args(argv)
    with p.library_checks():
        check_positive_int(args.threads, "threads")
        for seed in args.seeds:
            check_int(seed, "seeds", minimum=0)
    return args


def main(argv=None):
    args = parse_args(argv)
    with hold_directory(args.out, f"the runs already in {args.out} are complete; {{fix}} and "
                                  f"run the same command again to continue"):  # before the data
        train, test = load_dataset("mnist", args.data_dir)
        compare(train, test, args.seeds, args.out, threads=args.threads)
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
