"""Generators G_θ: R^latent_dim → R^out_dim, and the latent prior N(0, I) (SPEC 4).

Every module here works in float64 by default (``DTYPE``): the discriminator is solved in float64
(``dual.solve``) and its dual value is evaluated in torch at the same precision.
"""

import numbers

import torch
from torch import nn

#: The dtype used throughout :mod:`generator` (models, features, targets).
DTYPE = torch.float64


def check_positive_int(value, name):
    """Return ``value`` as an int if it is a positive integer, else raise TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r} "
                        f"of type {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def sample_latent(n, latent_dim, generator, dtype=DTYPE):
    """Draw ``n`` latent codes z ~ N(0, I), shape (n, latent_dim).

    Parameters
    ----------
    n, latent_dim : int
        Positive integers.
    generator : torch.Generator
        The random stream (the trainer owns it, so runs are reproducible and resumable).
    """
    n = check_positive_int(n, "n")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    return torch.randn(n, latent_dim, generator=generator, dtype=dtype)


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
        widths = [self.latent_dim] + [check_positive_int(h, "hidden width") for h in hidden]
        layers = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(fan_in, fan_out, dtype=dtype), nn.ReLU()]
        layers.append(nn.Linear(widths[-1], self.out_dim, dtype=dtype))
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        """(n, latent_dim) → (n, out_dim)."""
        return self.net(z)


GENERATORS = {"affine": AffineGenerator, "mlp": MLPGenerator}


def make_generator(name, latent_dim, out_dim, **kwargs):
    """Build a generator by name: ``"affine"`` or ``"mlp"`` (``hidden=...`` for the MLP)."""
    if name not in GENERATORS:
        raise ValueError(f"generator must be one of {sorted(GENERATORS)}, got {name!r}")
    return GENERATORS[name](latent_dim, out_dim, **kwargs)
