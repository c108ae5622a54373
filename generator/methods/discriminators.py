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

from dualgan.nn import mlp
from dualgan.validation import check_choice, check_positive, check_positive_int

from ..precision import DTYPE

#: How a discriminator sees its input x (a fixed first operation of the model, no parameters):
#: ``"raw"`` x as it is; ``"centered"`` 2x − 1, pixels in [0, 1] moved to [−1, 1];
#: ``"mean-centered"`` 2(x − x̄) with x̄ the mean training image.
INPUT_MAPS = ("raw", "centered", "mean-centered")


class InputMap(nn.Module):
    """The fixed affine map x ↦ scale·(x − shift) (buffers, not parameters).

    Parameters
    ----------
    shift : float or Tensor of shape (in_dim,)
    scale : float
    """

    def __init__(self, shift=0.0, scale=1.0, dtype=DTYPE):
        super().__init__()
        self.register_buffer("shift", torch.as_tensor(shift, dtype=dtype).clone())
        self.scale = check_positive(scale, "scale")

    def forward(self, x):
        return self.scale * (x - self.shift)

    def extra_repr(self):
        shift = (f"{float(self.shift):g}" if self.shift.dim() == 0
                 else f"per-feature ({self.shift.numel()})")
        return f"shift={shift}, scale={self.scale:g}"


def input_map(kind, mean=None, dtype=DTYPE):
    """The :class:`InputMap` of ``kind`` (one of :data:`INPUT_MAPS`).

    Parameters
    ----------
    kind : str
    mean : Tensor of shape (in_dim,), optional
        The mean training sample; needed for ``"mean-centered"``.
    """
    check_choice(kind, "d_input", INPUT_MAPS)
    if kind == "raw":
        return InputMap(0.0, 1.0, dtype)
    if kind == "centered":
        return InputMap(0.5, 2.0, dtype)
    if mean is None:
        raise ValueError("d_input='mean-centered' needs the mean training sample (mean=...)")
    return InputMap(torch.as_tensor(mean).reshape(-1), 2.0, dtype)


class MLPDiscriminator(nn.Module):
    """a(x) = MLP(m(x)): LeakyReLU(0.2) hidden layers and a linear output of width 1, after a
    fixed input map m (:class:`InputMap`; default the identity).

    The input map is part of the model, so no caller can forget it: with pixels in [0, 1] every
    image shares a large positive component, which dominates the tangent kernel of SPEC 7 (and
    slows the gradient-trained discriminator too); centring removes it.

    Parameters
    ----------
    in_dim : int
        Dimension of x.
    hidden : tuple of int, default (128, 128)
        Widths of the hidden layers (at least one).
    inputs : InputMap, optional
        The map m; default the identity.
    """

    def __init__(self, in_dim, hidden=(128, 128), dtype=DTYPE, inputs=None):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        hidden = tuple(hidden)
        if not hidden:
            raise ValueError("hidden must list at least one layer width, got ()")
        self.inputs = InputMap(dtype=dtype) if inputs is None else inputs
        self.net = mlp((self.in_dim, *hidden, 1), lambda: nn.LeakyReLU(0.2), dtype=dtype)

    def forward(self, x):
        """(n, in_dim) → logits (n,)."""
        return self.net(self.inputs(x)).squeeze(-1)

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
