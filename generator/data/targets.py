"""Target distributions: 2-D Gaussian mixtures with equal weights, and image data sets.

``ring``: 8 Gaussians on a circle of radius 2, std 0.02, at angles 2πk/8, k = 0..7.
``grid``: 25 Gaussians at {−4, −2, 0, 2, 4}², std 0.05.
``gaussian``: one Gaussian with a non-diagonal covariance.
``digits``: scikit-learn's bundled 8×8 digits (1,797 images, no download).
``mnist``: 28×28 MNIST, read from the IDX files in a directory (``data_dir``).
``stacked-mnist``: three MNIST training images drawn independently, stacked as the red, green and
blue channels of one image: 1,000 modes, the triples of digits (the mode-collapse benchmark).

Image targets draw real minibatches from the training split, pixels in [0, 1]; the test split is
kept for evaluation (:mod:`generator.evaluation.images`, :mod:`generator.evaluation.stacked`).

Every target, whatever its kind, provides what :class:`Target` (a protocol) lists: its ``name``,
the dimension ``dim`` and ``mean`` of a sample, ``sample(n, rng)``, its ``kind`` (``"points"``,
``"images"``, ``"stacked"``), and ``recorded_settings()``, what a checkpoint records of the
data. The kind picks the target's metric suite (:func:`generator.evaluation.suite`), the one
place that knows what a kind is judged by: the targets import no metrics.
:class:`GaussianMixture` is kind ``"points"``, :class:`ImageTarget` ``"images"``,
:class:`StackedImageTarget` ``"stacked"``.
"""

import functools
import math
import os
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch

from dualgan.images import checksum, load_digits, load_mnist
from dualgan.validation import check_choice, check_positive_int

from ..nets.device import DTYPE

#: The kinds of target, each judged by its own suite of metrics (:mod:`generator.evaluation`).
KINDS = ("points", "images", "stacked")


@runtime_checkable
class Target(Protocol):
    """What every target provides, whatever its kind: what the training loop, the methods and
    the evaluation ask of it.

    Implemented by :class:`GaussianMixture` (kind ``"points"``), :class:`ImageTarget`
    (``"images"``) and :class:`StackedImageTarget` (``"stacked"``). What one kind only has (a
    mixture's ``modes`` and ``covariance``, an image set's splits, ``image_shape`` and
    ``checksum``, the stacked set's ``channels``) is documented on its class; code that needs it
    first asks ``kind``.

    Attributes
    ----------
    name : str
        The name :func:`make_target` builds it from (``"ring"``, ``"mnist"``, …).
    kind : str
        One of :data:`KINDS`: which metrics judge its samples.

    Its properties ``dim`` and ``mean`` (the centring of ``d_input="mean-centered"``) and the
    methods ``sample`` and ``recorded_settings`` are documented below.
    """

    name: str
    kind: str

    @property
    def dim(self) -> int:
        """D, the dimension of a sample."""

    @property
    def mean(self) -> torch.Tensor:
        """The mean of a sample, shape (D,)."""

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        """``n`` samples drawn with ``rng``, shape (n, D); float64 for the targets of
        :func:`make_target`.

        Raises
        ------
        TypeError
            ``n`` is not an integer, or ``rng`` is not a ``torch.Generator``.
        ValueError
            ``n`` < 1.
        """

    def recorded_settings(self) -> dict:
        """What a checkpoint records of the data beyond the run's settings (checked on resume),
        keys without the ``run.`` prefix: what the samples are, not where they are read from."""


@dataclass(frozen=True)
class GaussianMixture:
    """An equal-weight mixture of Gaussians sharing one covariance: a :class:`Target` of kind
    ``"points"``.

    Attributes
    ----------
    name : str
    modes : torch.Tensor, shape (K, 2)
        Component means.
    covariance : torch.Tensor, shape (2, 2)
        Covariance shared by every component.
    """

    name: str
    modes: torch.Tensor
    covariance: torch.Tensor

    kind = "points"  # (a class attribute, not a field): judged by generator.evaluation

    @property
    def num_modes(self):
        """K, the number of components."""
        return self.modes.shape[0]

    @property
    def dim(self):
        """Dimension of a sample (2)."""
        return self.modes.shape[1]

    @property
    def std(self):
        """Standard deviation of a component along its widest axis (the std of an isotropic one)."""
        return float(torch.linalg.eigvalsh(self.covariance).max().sqrt())

    @property
    def mean(self):
        """Mean of the mixture, shape (2,)."""
        return self.modes.mean(dim=0)

    @property
    def mixture_covariance(self):
        """Covariance of the mixture: the component covariance plus the spread of the modes."""
        centred = self.modes - self.mean
        return self.covariance + centred.T @ centred / self.num_modes

    def sample(self, n, rng):
        """Draw ``n`` points, shape (n, 2): a uniform component, then its Gaussian.

        Parameters
        ----------
        n : int
        rng : torch.Generator
        """
        n = _check_rng(n, rng)
        k = torch.randint(self.num_modes, (n,), generator=rng)
        noise = torch.randn(n, self.dim, generator=rng, dtype=self.modes.dtype)
        return self.modes[k] + noise @ torch.linalg.cholesky(self.covariance).T

    def recorded_settings(self):
        """Nothing: the target's name in the run's settings defines the mixture."""
        return {}


def ring(num_modes=8, radius=2.0, std=0.02):
    """8 modes at angles 2πk/K, k = 0..K−1 (K distinct angles: 2π itself is excluded)."""
    angles = 2.0 * math.pi * torch.arange(num_modes, dtype=DTYPE) / num_modes
    modes = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return GaussianMixture("ring", modes, std**2 * torch.eye(2, dtype=DTYPE))


def grid(side=5, spacing=2.0, std=0.05):
    """25 modes at {−4, −2, 0, 2, 4}² (for the defaults)."""
    axis = spacing * (torch.arange(side, dtype=DTYPE) - (side - 1) / 2.0)
    modes = torch.cartesian_prod(axis, axis)
    return GaussianMixture("grid", modes, std**2 * torch.eye(2, dtype=DTYPE))


def gaussian():
    """One Gaussian, mean (1, −1), covariance [[1.0, 0.6], [0.6, 0.5]] (correlation ≈ 0.85)."""
    mean = torch.tensor([[1.0, -1.0]], dtype=DTYPE)
    cov = torch.tensor([[1.0, 0.6], [0.6, 0.5]], dtype=DTYPE)
    return GaussianMixture("gaussian", mean, cov)


def _check_rng(n, rng):
    n = check_positive_int(n, "n")
    if not isinstance(rng, torch.Generator):
        raise TypeError(f"rng must be a torch.Generator, got {type(rng).__name__}")
    return n


class ImageTarget:
    """An image data set as a target: real samples are training images, drawn with replacement.
    A :class:`Target` of kind ``"images"``.

    Parameters
    ----------
    name : str
    train, test : dualgan.images.Split
        Pixels in [0, 1], shape (n, H·W), and int64 class labels.

    Attributes
    ----------
    num_classes : int
        The number of distinct labels in the training split (10 for digits).
    """

    kind = "images"  # judged by generator.evaluation
    channels = 1

    def __init__(self, name, train, test):
        self.name = name
        self.train = train
        self.test = test
        self.num_classes = int(train.y.max()) + 1
        self._checksum = None

    @property
    def dim(self):
        """Pixels per image, H·W."""
        return self.train.x.shape[1]

    @property
    def image_shape(self):
        """(H, W)."""
        return tuple(self.train.image_shape)

    @property
    def mean(self):
        """The mean training image, shape (H·W,), float32."""
        return self.train.x.mean(dim=0)

    @property
    def checksum(self):
        """A digest of both splits (:func:`dualgan.images.checksum`), computed once."""
        if self._checksum is None:
            self._checksum = checksum(self.train.x, self.train.y, self.test.x, self.test.y)
        return self._checksum

    def recorded_settings(self):
        """``data_checksum``, the :attr:`checksum` of the images: a moved copy of the same files
        resumes, other images do not."""
        return {"data_checksum": self.checksum}

    def sample(self, n, rng, dtype=DTYPE):
        """``n`` training images drawn uniformly with replacement, shape (n, H·W), in ``dtype``.

        Parameters
        ----------
        n : int
        rng : torch.Generator
        """
        n = _check_rng(n, rng)
        index = torch.randint(self.train.x.shape[0], (n,), generator=rng)
        return self.train.x[index].to(dtype)


class StackedImageTarget(ImageTarget):
    """Images of a one-channel data set stacked as channels: a real sample is ``channels``
    training images drawn independently and uniformly (with replacement), channel-major. A
    :class:`Target` of kind ``"stacked"``.

    With 3 channels of MNIST this is Stacked MNIST: x[:, :784] is channel 0 (red), x[:, 784:1568]
    channel 1 (green), x[:, 1568:] channel 2 (blue); D = 3·784 = 2,352. A sample's mode is the
    tuple of its channels' labels, index Σ_c y_c·K^(C−1−c) (100·y0 + 10·y1 + y2 for MNIST), so
    there are K^C = 1,000 modes, all equally likely (up to the training labels' frequencies).

    Parameters
    ----------
    name : str
    base : ImageTarget
        The one-channel data set: its splits are this target's (``train``, ``test``), and its
        classifier judges each channel (:mod:`generator.evaluation.stacked`).
    channels : int

    Attributes
    ----------
    num_modes : int
        K^C.
    """

    kind = "stacked"  # judged by generator.evaluation

    def __init__(self, name, base, channels=3):
        super().__init__(name, base.train, base.test)
        self.base = base
        self.channels = check_positive_int(channels, "channels")
        self.num_modes = self.num_classes**self.channels

    @property
    def dim(self):
        """C·H·W."""
        return self.channels * self.train.x.shape[1]

    @property
    def checksum(self):
        """The base data set's digest (the same images)."""
        return self.base.checksum

    @property
    def mean(self):
        """The mean of a sample, shape (C·H·W,): the mean training image in every channel."""
        return self.base.mean.repeat(self.channels)

    def sample(self, n, rng, dtype=DTYPE):
        """``n`` stacked images, shape (n, C·H·W), in ``dtype``: each channel an independent
        uniform draw (with replacement) from the training images.

        Parameters
        ----------
        n : int
        rng : torch.Generator
        """
        n = _check_rng(n, rng)
        index = torch.randint(self.train.x.shape[0], (n, self.channels), generator=rng)
        return self.train.x[index].reshape(n, -1).to(dtype)  # (n, C, H·W) → channel-major


@functools.lru_cache(maxsize=4)
def _image_splits(name, data_dir):
    # one read per process and data set: a study builds many runs on the same images
    return load_mnist(data_dir) if name == "mnist" else load_digits()


def digits():
    """scikit-learn's 8×8 digits: 1,438 training and 359 test images (a fixed split)."""
    return ImageTarget("digits", *_image_splits("digits", None))


def _mnist_splits(data_dir, target):
    check_target(target, data_dir)
    return _image_splits("mnist", os.path.abspath(os.fspath(data_dir)))


def mnist(data_dir):
    """MNIST from the IDX files in ``data_dir``: 60,000 training and 10,000 test images.

    Raises
    ------
    ValueError
        ``data_dir`` is None.
    FileNotFoundError, dualgan.images.DataError
        A missing or damaged file (the message names it).
    """
    return ImageTarget("mnist", *_mnist_splits(data_dir, "mnist"))


def stacked_mnist(data_dir):
    """Stacked MNIST from the IDX files in ``data_dir``: three training digits as the red, green
    and blue channels (:class:`StackedImageTarget`), 1,000 modes.

    Raises
    ------
    ValueError, FileNotFoundError, dualgan.images.DataError
        As :func:`mnist`.
    """
    base = ImageTarget("mnist", *_mnist_splits(data_dir, "stacked-mnist"))
    return StackedImageTarget("stacked-mnist", base, channels=3)


TARGETS = {"ring": ring, "grid": grid, "gaussian": gaussian, "digits": digits, "mnist": mnist,
           "stacked-mnist": stacked_mnist}
#: The kind of each target, known before it is built (its objects' ``kind``).
TARGET_KINDS = {"ring": "points", "grid": "points", "gaussian": "points", "digits": "images",
                "mnist": "images", "stacked-mnist": "stacked"}
IMAGE_TARGETS = ("digits", "mnist", "stacked-mnist")
#: (C, H, W) of each image target's samples, known before any file is read (so that a run's
#: settings can be checked against it first); the targets built give the same
#: (``channels``, ``*image_shape``).
IMAGE_SHAPES = {"digits": (1, 8, 8), "mnist": (1, 28, 28), "stacked-mnist": (3, 28, 28)}
#: The targets read from files in ``data_dir``.
FILE_TARGETS = ("mnist", "stacked-mnist")


def check_target(name, data_dir=None):
    """Refuse, before anything is read, a target that cannot be built: an unknown name, or a
    target of :data:`FILE_TARGETS` without ``data_dir`` (``ValueError``, naming what is
    missing)."""
    check_choice(name, "target", TARGETS)
    if name in FILE_TARGETS and data_dir is None:
        raise ValueError(f"the {name!r} target needs data_dir, the directory holding the four "
                         f"MNIST IDX files (--data-dir on the command line); got None")


def make_target(name, data_dir=None):
    """Build a target by name: ``"ring"``, ``"grid"``, ``"gaussian"``, ``"digits"``,
    ``"mnist"`` or ``"stacked-mnist"`` (the last two read their files from ``data_dir``)."""
    check_choice(name, "target", TARGETS)
    return TARGETS[name](data_dir) if name in FILE_TARGETS else TARGETS[name]()
