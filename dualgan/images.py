"""Image data sets, read from disk or from scikit-learn: MNIST's IDX files and the 8x8 digits.

Nothing is downloaded. MNIST is read from a directory holding the four original files
(``train-images-idx3-ubyte[.gz]`` and friends); the bundled digits need scikit-learn, imported
only when asked for. Both :mod:`vae` and :mod:`generator` read their images here.

Every loader returns :class:`Split` objects of float32 pixels in [0, 1], shape (N, D), with int64
labels. A file that is missing, truncated, not IDX, or inconsistent with its partner (images and
labels of different counts) raises an error that names the file.
"""

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass

import numpy as np
import torch

from .validation import check_int

#: The four MNIST files by (split, kind).
MNIST_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}

_IDX_UBYTE = 0x08  # IDX type byte for unsigned 8-bit data


class DataError(ValueError):
    """An input file exists but its contents are not what they should be (message names it)."""


@dataclass
class Split:
    """One split of an image data set.

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

    Returns
    -------
    numpy.ndarray of uint8 with the shape the header declares.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    DataError
        A gzip stream that is truncated or corrupt, bad magic (not two zero bytes and type
        0x08), or a payload whose size does not match the declared dimensions. The message
        starts with the path.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"IDX file not found: {path}")
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (EOFError, OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise DataError(f"{path}: not a readable gzip file ({err}); the copy may be truncated "
                         f"or damaged") from None
    if len(data) < 4:
        raise DataError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    zero0, zero1, dtype, ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0 or dtype != _IDX_UBYTE:
        raise DataError(
            f"{path}: bad IDX magic {data[:4].hex()}; expected 0000 08 followed by the number "
            f"of dimensions (unsigned-byte data)"
        )
    header_len = 4 + 4 * ndim
    if ndim == 0 or len(data) < header_len:
        raise DataError(f"{path}: IDX header declares {ndim} dimensions but is truncated")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(dims))
    if len(data) - header_len != expected:
        raise DataError(
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
        f"IDX files there ({', '.join(MNIST_FILES.values())}) or use the 'digits' data set"
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
        60000 and 10000 images for the original files, D = 784, pixels / 255.

    Raises
    ------
    FileNotFoundError
        ``data_dir`` or one of the files is missing (the message names it).
    DataError
        A file is unreadable or malformed, images are not 28 x 28, labels are not 0..9, or a
        split's images and labels differ in count (the message names the file).
    """
    if data_dir is None:
        raise ValueError("data_dir is required for the 'mnist' data set, got None")
    data_dir = os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"MNIST directory not found: {data_dir!r}")
    splits = []
    for split in ("train", "test"):
        image_path = _find_mnist_file(data_dir, MNIST_FILES[(split, "images")])
        label_path = _find_mnist_file(data_dir, MNIST_FILES[(split, "labels")])
        images, labels = read_idx(image_path), read_idx(label_path)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DataError(f"{image_path}: expected images of shape (n, 28, 28), the header "
                             f"declares {images.shape}")
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise DataError(f"{label_path}: declares {labels.shape} labels for the "
                             f"{images.shape[0]} images of {image_path}")
        if labels.size and labels.max() > 9:
            raise DataError(f"{label_path}: labels must be digits 0..9, found {labels.max()}")
        x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
        y = torch.from_numpy(labels.astype(np.int64))
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
            "(pip install scikit-learn, or the package's 'test' extra) or use the 'mnist' data "
            "set with --data-dir"
        ) from None
    bunch = _sk_load_digits()
    x = bunch.data.astype(np.float32) / 16.0  # pixel values are 0..16
    y = bunch.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test_idx, train_idx = perm[:n_test], perm[n_test:]

    def split(idx):
        return Split(torch.from_numpy(x[idx]), torch.from_numpy(y[idx]), (8, 8))

    return split(train_idx), split(test_idx)


def checksum(*tensors):
    """A short hex digest of the tensors' bytes: a cache key that changes with the data."""
    digest = hashlib.sha256()
    for t in tensors:
        array = t.detach().cpu().contiguous().numpy()
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def tile(images, image_shape, ncols, pad=2, background=0.0, channels=1):
    """Tile images of shape (n, C·H·W) into one array, ``pad`` pixels of ``background`` between
    and around them (as torchvision's ``make_grid``): shape (rows·(H + pad) + pad,
    ncols·(W + pad) + pad), with rows = ⌈n / ncols⌉, and a last axis of C for C > 1.

    Parameters
    ----------
    background : float
        The pixel value of the gaps and of empty cells: 0, the background of MNIST-like
        images (white under ``cmap="gray_r"``, black under ``"gray"`` and in colour).
    channels : int
        C. An image's pixels are channel-major: ``x[:H·W]`` is channel 0 (red for C = 3),
        ``x[H·W:2·H·W]`` channel 1 (green), and so on; each tile is then (H, W, C).

    Returns
    -------
    numpy.ndarray of float, for ``imshow`` with ``vmin=0, vmax=1`` (grey), or as RGB (C = 3).
    """
    h, w = image_shape
    pad = check_int(pad, "pad", minimum=0)
    channels = check_int(channels, "channels", minimum=1)
    n = len(images)
    nrows = -(-n // ncols)
    canvas = torch.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, channels),
                        float(background))
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        # (C·H·W,) channel-major → (H, W, C)
        canvas[top : top + h, left : left + w] = torch.as_tensor(img).reshape(
            channels, h, w).permute(1, 2, 0)
    return canvas.numpy() if channels > 1 else canvas[..., 0].numpy()
