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


def check_g_channels(channels, sides, name="g_channels"):
    """``channels`` as a tuple, checked for :class:`ConvGenerator` making images of ``sides``
    (H, W); ``name`` is how the message names them.

    Raises
    ------
    ValueError
        No channels, a width < 1, or a side not divisible by 2^len(channels) (each transposed
        convolution doubles the side).
    """
    channels = tuple(check_positive_int(w, name) for w in channels)
    if not channels:
        raise ValueError(f"{name} must list at least one width, got ()")
    factor = 2 ** len(channels)
    if any(side % factor for side in sides):
        raise ValueError(f"{name} {channels}: {len(channels)} transposed convolutions double the "
                         f"side {len(channels)} times, so the image's sides must be divisible "
                         f"by {factor}, got {'×'.join(map(str, sides))}")
    return channels


class ConvGenerator(nn.Module):
    """A DCGAN-style image generator (Radford, Metz and Chintala 2016): a linear layer from z to
    ``channels[0]`` maps of side H/2^k, then k = len(``channels``) transposed convolutions (kernel
    4, stride 2, padding 1), each doubling the side, after batch normalization and ReLU; the last
    one gives the C image channels, through a sigmoid, so every pixel lies in (0, 1) like the
    data. The output is flattened channel-major, (n, C·H·W), as the image targets' samples.

    Batch normalization uses the statistics of the batch at hand, as :class:`PixelGenerator`'s
    (``forward`` needs n ≥ 2 latent codes).

    Parameters
    ----------
    latent_dim : int
    image_shape : tuple of int
        (C, H, W); H and W divisible by 2^len(``channels``).
    channels : tuple of int, default (128, 64)
        The feature maps before each transposed convolution (at least one).

    Raises
    ------
    ValueError
        No channels, a width < 1, or a side not divisible by 2^len(``channels``) (the message
        names it).
    """

    def __init__(self, latent_dim, image_shape, channels=(128, 64), dtype=DTYPE):
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        c, height, width = (check_positive_int(s, "image_shape") for s in image_shape)
        channels = check_g_channels(channels, (height, width))
        factor = 2 ** len(channels)
        self.image_shape = (c, height, width)
        self.out_dim = c * height * width
        self.start = (channels[0], height // factor, width // factor)  # (C0, h, w)
        self.linear = nn.Linear(self.latent_dim, channels[0] * self.start[1] * self.start[2],
                                dtype=dtype)
        layers = []
        for fan_in, fan_out in zip(channels, (*channels[1:], c)):
            layers += [nn.BatchNorm2d(fan_in, track_running_stats=False, dtype=dtype), nn.ReLU(),
                       nn.ConvTranspose2d(fan_in, fan_out, 4, stride=2, padding=1, dtype=dtype)]
        self.net = nn.Sequential(*layers, nn.Sigmoid())

    def forward(self, z):
        """(n, latent_dim) → (n, C·H·W), pixels in (0, 1), channel-major."""
        maps = self.linear(z).reshape(z.shape[0], *self.start)  # (n, C0, h, w)
        return self.net(maps).reshape(z.shape[0], self.out_dim)


GENERATORS = {"affine": AffineGenerator, "mlp": MLPGenerator, "pixels": PixelGenerator,
              "conv": ConvGenerator}


def make_generator(name, latent_dim, out_dim, **kwargs):
    """Build a generator by name: ``"affine"``, ``"mlp"`` or ``"pixels"`` (``hidden=...`` for
    the last two), or ``"conv"`` (``image_shape=(C, H, W)`` with C·H·W = ``out_dim``, and
    ``channels=...``).

    Raises
    ------
    ValueError
        An unknown name, or an image shape that does not hold ``out_dim`` values.
    """
    check_choice(name, "generator", GENERATORS)
    if name != "conv":
        return GENERATORS[name](latent_dim, out_dim, **kwargs)
    net = ConvGenerator(latent_dim, **kwargs)
    if net.out_dim != out_dim:
        raise ValueError(f"generator 'conv' makes images of shape {net.image_shape}, "
                         f"{net.out_dim} values, but the samples have {out_dim}")
    return net
