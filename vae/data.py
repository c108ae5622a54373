"""The VAE's data: the image sets of :mod:`dualgan.images` by name, and dynamic binarization."""

import torch

from dualgan.images import load_digits, load_mnist
from dualgan.validation import check_choice

DATASETS = ("mnist", "digits")


def load_dataset(name, data_dir=None, seed=0):
    """Load ``name`` in {'mnist', 'digits'}; returns (train, test) :class:`dualgan.images.Split`.

    ``data_dir`` is the directory of the MNIST IDX files; ``seed`` seeds the digits' split.
    """
    check_choice(name, "dataset", DATASETS)
    if name == "mnist":
        return load_mnist(data_dir)
    return load_digits(seed=seed)


def binarize(x, rng):
    """Dynamic binarization: draw x_bin ~ Bernoulli(x) elementwise.

    Parameters
    ----------
    x : torch.Tensor, values in [0, 1]
    rng : torch.Generator
        Source of randomness, so a run is reproducible and resumable.

    Returns
    -------
    torch.Tensor of the same shape and dtype, entries 0 or 1.
    """
    return (torch.rand(x.shape, generator=rng, dtype=x.dtype) < x).to(x.dtype)
