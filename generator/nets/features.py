"""Fixed discriminator feature maps φ (SPEC 1, 4), as torch modules differentiable in x.

A feature map is chosen once and never trained: all its tensors are buffers, so the discriminator
problem stays convex in w while φ makes it nonlinear in x. Random maps are drawn from their own
seeded ``torch.Generator``, so the same seed gives the same map.
"""

import math

import torch
from torch import nn

from dualgan.validation import check_choice, check_positive, check_positive_int

from .device import DTYPE


class Identity(nn.Module):
    """φ(x) = x, shape (n, D) → (n, D). The linear discriminator of SPEC 1."""

    def __init__(self, in_dim):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        self.out_dim = self.in_dim

    def forward(self, x):
        return x


class IdentityBias(nn.Module):
    """φ(x) = [x, 1], shape (n, D) → (n, D + 1): a linear discriminator with a bias."""

    def __init__(self, in_dim):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        self.out_dim = self.in_dim + 1

    def forward(self, x):
        return torch.cat([x, torch.ones_like(x[:, :1])], dim=1)


class Quadratic(nn.Module):
    """φ(x) = [x, x_a x_b for a ≤ b], shape (n, D) → (n, D + D(D+1)/2): first and second moments."""

    def __init__(self, in_dim):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        rows, cols = torch.triu_indices(self.in_dim, self.in_dim)
        self.register_buffer("rows", rows)
        self.register_buffer("cols", cols)
        self.out_dim = self.in_dim + len(rows)

    def forward(self, x):
        return torch.cat([x, x[:, self.rows] * x[:, self.cols]], dim=1)


class RandomFourier(nn.Module):
    """Random Fourier features φ(x) = √(2/F) cos(Ωx + β) (SPEC 4; Rahimi & Recht 2007).

    With Ω ~ N(0, ℓ⁻² I) (F rows) and β ~ U[0, 2π], E[φ(x)ᵀφ(y)] = exp(−‖x − y‖²/(2ℓ²)).

    Parameters
    ----------
    in_dim : int
        Dimension D of x.
    num_features : int
        F, the number of features.
    lengthscale : float
        ℓ > 0, in the units of x.
    seed : int
        Seed of the draw of Ω and β.
    """

    def __init__(self, in_dim, num_features, lengthscale, seed, dtype=DTYPE):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        self.out_dim = check_positive_int(num_features, "num_features")
        self.lengthscale = check_positive(lengthscale, "lengthscale")
        rng = torch.Generator().manual_seed(int(seed))
        # SPEC 4: Ω ~ N(0, ℓ⁻² I), β ~ U[0, 2π]
        omega = torch.randn(self.out_dim, self.in_dim, generator=rng, dtype=dtype)
        omega = omega / self.lengthscale
        beta = 2.0 * math.pi * torch.rand(self.out_dim, generator=rng, dtype=dtype)
        self.register_buffer("omega", omega)  # (F, D)
        self.register_buffer("beta", beta)  # (F,)

    def forward(self, x):
        # SPEC 4: √(2/F) cos(Ωx + β), (n, D) → (n, F)
        return math.sqrt(2.0 / self.out_dim) * torch.cos(x @ self.omega.T + self.beta)


class Concat(nn.Module):
    """φ(x) = [φ_1(x), ..., φ_k(x)], concatenated along the feature axis."""

    def __init__(self, *maps):
        super().__init__()
        if not maps:
            raise ValueError("Concat needs at least one feature map")
        in_dims = {m.in_dim for m in maps}
        if len(in_dims) != 1:
            raise ValueError(f"all maps of a Concat must share in_dim, got {sorted(in_dims)}")
        self.maps = nn.ModuleList(maps)
        self.in_dim = in_dims.pop()
        self.out_dim = sum(m.out_dim for m in maps)

    def forward(self, x):
        return torch.cat([m(x) for m in self.maps], dim=1)


class _Constant(nn.Module):
    """φ(x) = [1], the bias feature alone (used by ``"rff+bias"``)."""

    def __init__(self, in_dim):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        self.out_dim = 1

    def forward(self, x):
        return torch.ones_like(x[:, :1])


def _rff(in_dim, num_features, lengthscale, seed):
    """One RFF map, or one per lengthscale (seeds seed, seed+1, ...) concatenated."""
    scales = lengthscale if isinstance(lengthscale, (tuple, list)) else (lengthscale,)
    if not scales:
        raise ValueError("lengthscale must be a number or a non-empty sequence of numbers")
    maps = [RandomFourier(in_dim, num_features, ell, seed + k) for k, ell in enumerate(scales)]
    return maps[0] if len(maps) == 1 else Concat(*maps)


FEATURES = ("identity", "bias", "quadratic", "quadratic+bias", "rff", "rff+bias",
            "rff+quadratic")


def make_features(name, in_dim, num_features=128, lengthscale=1.0, seed=0):
    """Build a feature map by name.

    Parameters
    ----------
    name : str
        One of ``FEATURES``: ``"identity"`` (x), ``"bias"`` ([x, 1]), ``"quadratic"``
        (x and its second-order monomials), ``"quadratic+bias"``, ``"rff"``, ``"rff+bias"``
        (RFF and a constant), ``"rff+quadratic"``.
    in_dim : int
        Dimension of x.
    num_features : int
        RFF count F per lengthscale (ignored by the maps without RFF).
    lengthscale : float or sequence of float
        RFF lengthscale ℓ; a sequence concatenates one RFF block of ``num_features`` per value.
    seed : int
        Seed of the RFF draw.

    Returns
    -------
    torch.nn.Module
        With attributes ``in_dim`` and ``out_dim``; no trainable parameters.
    """
    check_choice(name, "features", FEATURES)
    if name == "identity":
        return Identity(in_dim)
    if name == "bias":
        return IdentityBias(in_dim)
    if name == "quadratic":
        return Quadratic(in_dim)
    if name == "quadratic+bias":
        return Concat(Quadratic(in_dim), _Constant(in_dim))
    rff = _rff(in_dim, num_features, lengthscale, seed)
    if name == "rff":
        return rff
    if name == "rff+bias":
        return Concat(rff, _Constant(in_dim))
    return Concat(rff, Quadratic(in_dim))
