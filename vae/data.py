"""Data sets for the VAE: MNIST from its original IDX files, and scikit-learn's 8x8 digits.

Nothing is downloaded. MNIST is read from a directory holding the four original files
(``train-images-idx3-ubyte[.gz]`` and friends); the bundled digits need scikit-learn, which is a
test extra and is imported only when asked for.

Every loader returns a :class:`Split` of float32 pixels in [0, 1], shape (N, D), and int64 labels.
"""

import gzip
import os
from dataclasses import dataclass

import numpy as np
import torch

DATASETS = ("mnist", "digits")

#: The four MNIST files, by (split, kind), with the dimensions their headers must declare.
MNIST_FILES = {
    ("train", "images"): ("train-images-idx3-ubyte", (60000, 28, 28)),
    ("train", "labels"): ("train-labels-idx1-ubyte", (60000,)),
    ("test", "images"): ("t10k-images-idx3-ubyte", (10000, 28, 28)),
    ("test", "labels"): ("t10k-labels-idx1-ubyte", (10000,)),
}

_IDX_UBYTE = 0x08  # IDX type byte for unsigned 8-bit data


@dataclass
class Split:
    """One split of a data set.

    Attributes
    ----------
    x : torch.Tensor, shape (N, D), float32
        Pixels scaled to [0, 1].
    y : torch.Tensor, shape (N,), int64
        Class labels (the digit).
    image_shape : tuple of int
        (height, width) of one image; ``height * width == D``.
    """

    x: torch.Tensor
    y: torch.Tensor
    image_shape: tuple


def read_idx(path):
    """Read an unsigned-byte IDX file (gzipped when the name ends in ``.gz``).

    The header is two zero bytes, the type byte 0x08, the number of dimensions, then each
    dimension as a big-endian uint32; the raw bytes follow.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    numpy.ndarray of uint8 with the shape the header declares.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Bad magic (not two zero bytes and type 0x08), or a payload whose size does not match
        the declared dimensions.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"IDX file not found: {path}")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    zero0, zero1, dtype, ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0 or dtype != _IDX_UBYTE:
        raise ValueError(
            f"{path}: bad IDX magic {data[:4].hex()}; expected 0000 08 followed by the number "
            f"of dimensions (unsigned-byte data)"
        )
    header_len = 4 + 4 * ndim
    if ndim == 0 or len(data) < header_len:
        raise ValueError(f"{path}: IDX header declares {ndim} dimensions but is truncated")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(dims))
    if len(data) - header_len != expected:
        raise ValueError(
            f"{path}: IDX header declares shape {dims} ({expected} bytes) but the payload has "
            f"{len(data) - header_len} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims)


def _find_mnist_file(data_dir, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(data_dir, candidate)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"MNIST file {name} (or {name}.gz) not found in {data_dir!r}; put the four original "
        f"IDX files there ({', '.join(n for n, _ in MNIST_FILES.values())}) or use the "
        f"'digits' data set"
    )


def load_mnist(data_dir):
    """Load MNIST from the original IDX files in ``data_dir``.

    Parameters
    ----------
    data_dir : str or os.PathLike
        Directory holding ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
        ``t10k-images-idx3-ubyte[.gz]`` and ``t10k-labels-idx1-ubyte[.gz]``.

    Returns
    -------
    train, test : Split
        60000 and 10000 images, D = 784, pixels / 255.

    Raises
    ------
    FileNotFoundError
        ``data_dir`` or one of the files is missing (the message names it).
    ValueError
        A header is malformed or declares dimensions other than MNIST's.
    """
    if data_dir is None:
        raise ValueError("data_dir is required for the 'mnist' data set, got None")
    data_dir = os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"MNIST directory not found: {data_dir!r}")
    arrays = {}
    for key, (name, shape) in MNIST_FILES.items():
        path = _find_mnist_file(data_dir, name)
        arr = read_idx(path)
        if arr.shape != shape:
            raise ValueError(f"{path}: expected shape {shape}, header declares {arr.shape}")
        arrays[key] = arr
    splits = []
    for split in ("train", "test"):
        images = arrays[(split, "images")]
        x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
        y = torch.from_numpy(arrays[(split, "labels")].astype(np.int64))
        splits.append(Split(x, y, (28, 28)))
    return tuple(splits)


def load_digits(test_fraction=0.2, seed=0):
    """Load scikit-learn's bundled 8x8 digits (1797 images), scaled to [0, 1], split at random.

    Parameters
    ----------
    test_fraction : float in (0, 1)
        Fraction of the images held out for testing.
    seed : int
        Seed of the split (numpy ``default_rng``), so the split is reproducible.

    Returns
    -------
    train, test : Split
        D = 64, pixels / 16.

    Raises
    ------
    ImportError
        scikit-learn is not installed (it is the ``test`` extra).
    ValueError
        ``test_fraction`` outside (0, 1).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError:
        raise ImportError(
            "the 'digits' data set needs scikit-learn, which is not installed; install it "
            "(pip install scikit-learn, or the package's 'test' extra) or use --dataset mnist "
            "with --data-dir"
        ) from None
    bunch = _sk_load_digits()
    x = bunch.data.astype(np.float32) / 16.0  # pixel values are 0..16
    y = bunch.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    make = lambda idx: Split(torch.from_numpy(x[idx]), torch.from_numpy(y[idx]), (8, 8))
    return make(train_idx), make(test_idx)


def load_dataset(name, data_dir=None, seed=0):
    """Load ``name`` in {'mnist', 'digits'}; returns (train, test) :class:`Split` objects."""
    if name == "mnist":
        return load_mnist(data_dir)
    if name == "digits":
        return load_digits(seed=seed)
    raise ValueError(f"dataset must be one of {DATASETS}, got {name!r}")


def binarize(x, generator):
    """Dynamic binarization: draw x_bin ~ Bernoulli(x) elementwise.

    Parameters
    ----------
    x : torch.Tensor, values in [0, 1]
    generator : torch.Generator
        Source of randomness, so a run is reproducible and resumable.

    Returns
    -------
    torch.Tensor of the same shape and dtype, entries 0 or 1.
    """
    return (torch.rand(x.shape, generator=generator, dtype=x.dtype) < x).to(x.dtype)
