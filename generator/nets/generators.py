"""Generator networks G_θ: R^latent_dim → R^out_dim, and the latent prior N(0, I) (SPEC 4)."""

import torch
from torch import nn

from dualgan.nn import mlp
from dualgan.validation import check_choice, check_positive_int

from .device import DTYPE


def sample_latent(n, latent_dim, rng, dtype=DTYPE):
    """Draw ``n`` latent codes z ~ N(0, I), shape (n, latent_dim).

    Parameters
    ----------
    n, latent_dim : int
        Positive integers.
    rng : torch.Generator
        The random stream (the trainer owns it, so runs are reproducible and resumable).
    """
    n = check_positive_int(n, "n")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    if not isinstance(rng, torch.Generator):
        raise TypeError(f"rng must be a torch.Generator, got {type(rng).__name__}")
    return torch.randn(n, latent_dim, generator=rng, dtype=dtype)


class AffineGenerator(nn.Module):
    """G(z) = A z + b: pushes N(0, I) to N(b, A Aᵀ); enough to fit one Gaussian.

    Parameters
    ----------
    latent_dim, out_dim : int
        Sizes of z and of G(z).
    """

    def __init__(self, latent_dim, out_dim, dtype=DTYPE):
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.out_dim = check_positive_int(out_dim, "out_dim")
        self.linear = nn.Linear(self.latent_dim, self.out_dim, dtype=dtype)

    def forward(self, z):
        """(n, latent_dim) → (n, out_dim)."""
        return self.linear(z)


class MLPGenerator(nn.Module):
    """A ReLU multilayer perceptron G(z) with a linear output layer.

    Parameters
    ----------
    latent_dim, out_dim : int
        Sizes of z and of G(z).
    hidden : tuple of int, default (128, 128)
        Widths of the hidden layers (at least one).
    """

    def __init__(self, latent_dim, out_dim, hidden=(128, 128), dtype=DTYPE):
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.out_dim = check_positive_int(out_dim, "out_dim")
        hidden = tuple(hidden)
        if not hidden:
            raise ValueError("hidden must list at least one layer width, got ()")
        self.net = mlp((self.latent_dim, *hidden, self.out_dim), nn.ReLU, dtype=dtype,
                       **self._layer_options(dtype))

    @staticmethod
    def _layer_options(dtype):
        """Further :func:`dualgan.nn.mlp` options (none: linear output, no normalization)."""
        return {}

    def forward(self, z):
        """(n, latent_dim) → (n, out_dim)."""
        return self.net(z)


class PixelGenerator(MLPGenerator):
    """An MLP G(z) for images: batch normalization and ReLU in the hidden layers, and a sigmoid
    output, so that every pixel lies in (0, 1) like the data.

    Batch normalization always uses the statistics of the batch at hand (no running averages):
    training and sampling see the same network, and drawing samples changes no state. It couples
    the samples of a batch in the generator only; the discriminator still scores each sample on
    its own. ``forward`` needs n ≥ 2 latent codes.

    Parameters
    ----------
    latent_dim, out_dim : int
        Sizes of z and of G(z) (pixels per image).
    hidden : tuple of int, default (256, 512)
        Widths of the hidden layers (at least one).
    """

    def __init__(self, latent_dim, out_dim, hidden=(256, 512), dtype=DTYPE):
        super().__init__(latent_dim, out_dim, hidden, dtype)

    @staticmethod
    def _layer_options(dtype):
        def batch_norm(width):
            return nn.BatchNorm1d(width, track_running_stats=False, dtype=dtype)

        return {"out_activation": nn.Sigmoid, "norm": batch_norm}


GENERATORS = {"affine": AffineGenerator, "mlp": MLPGenerator, "pixels": PixelGenerator}


def make_generator(name, latent_dim, out_dim, **kwargs):
    """Build a generator by name: ``"affine"``, ``"mlp"`` or ``"pixels"`` (``hidden=...`` for
    the last two)."""
    check_choice(name, "generator", GENERATORS)
    return GENERATORS[name](latent_dim, out_dim, **kwargs)
