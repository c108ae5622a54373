"""Trainable discriminators for the standard GAN baseline (SPEC 1, 5), as logit modules.

Every discriminator here returns the *logit* a(x), shape (n,), with D(x) = σ(a(x)) the
probability that x is real; the losses work on logits so that
log D = −softplus(−a) and log(1 − D) = −softplus(a) stay exact for any a (the losses are in
:mod:`generator.methods.baseline`).

* :class:`MLPDiscriminator` — a flexible D (LeakyReLU perceptron).
* :class:`LinearFeatureDiscriminator` — the SPEC 1 discriminator of the dual method,
  D_w(x) = σ(−wᵀφ(x)) on the same fixed features φ, with the L2 term (c/2)‖w‖²; here w is
  trained by gradient steps instead of being solved exactly.
"""

import torch
from torch import nn

from common.nn import mlp
from common.validation import check_positive, check_positive_int

from ..precision import DTYPE


class MLPDiscriminator(nn.Module):
    """a(x) = MLP(x): LeakyReLU(0.2) hidden layers and a linear output of width 1.

    Parameters
    ----------
    in_dim : int
        Dimension of x.
    hidden : tuple of int, default (128, 128)
        Widths of the hidden layers (at least one).
    """

    def __init__(self, in_dim, hidden=(128, 128), dtype=DTYPE):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        hidden = tuple(hidden)
        if not hidden:
            raise ValueError("hidden must list at least one layer width, got ()")
        self.net = mlp((self.in_dim, *hidden, 1), lambda: nn.LeakyReLU(0.2), dtype=dtype)

    def forward(self, x):
        """(n, in_dim) → logits (n,)."""
        return self.net(x).squeeze(-1)

    def penalty(self):
        """No regularizer: 0."""
        return torch.zeros((), dtype=self.net[0].weight.dtype)


class LinearFeatureDiscriminator(nn.Module):
    """D_w(x) = σ(−wᵀφ(x)) (SPEC 1) with a trainable w and a fixed feature map φ.

    Parameters
    ----------
    features : torch.nn.Module
        The fixed map φ (attribute ``out_dim``); its buffers are not trained.
    c : float
        L2 weight of SPEC 1, > 0; :meth:`penalty` returns (c/2)‖w‖².

    Notes
    -----
    w starts at 0 (D ≡ 1/2), the natural start of the convex problem.
    """

    def __init__(self, features, c, dtype=DTYPE):
        super().__init__()
        self.c = check_positive(c, "c", why="SPEC 1 needs c > 0")
        self.features = features
        out_dim = check_positive_int(features.out_dim, "features.out_dim")
        self.w = nn.Parameter(torch.zeros(out_dim, dtype=dtype))

    def forward(self, x):
        """(n, in_dim) → logits (n,): a = −wᵀφ(x), so D = σ(a) = σ(−wᵀφ(x)) (SPEC 1)."""
        return -(self.features(x) @ self.w)

    def penalty(self):
        """(c/2)‖w‖² (SPEC 1)."""
        return 0.5 * self.c * (self.w @ self.w)
