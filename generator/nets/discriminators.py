"""Trainable discriminators for the standard GAN baseline (SPEC 1, 5), as logit modules.

Every discriminator here returns the *logit* a(x), shape (n,), with D(x) = σ(a(x)) the
probability that x is real; the losses work on logits so that
log D = −softplus(−a) and log(1 − D) = −softplus(a) stay exact for any a (the losses are in
:mod:`generator.methods.baseline`).

* :class:`MLPDiscriminator` — a flexible D (LeakyReLU perceptron).
* :class:`ConvDiscriminator` — a DCGAN-style D for images (two stride-2 convolutions), no batch
  normalization, so that it can be linearized exactly too (SPEC 7, :mod:`generator.nets.ntk`).
* :func:`make_discriminator` — either network by name (:data:`D_ARCHS`), as a run asks for it.
* :class:`LinearFeatureDiscriminator` — the SPEC 1 discriminator of the dual method,
  D_w(x) = σ(−wᵀφ(x)) on the same fixed features φ, with the L2 term (c/2)‖w‖²; here w is
  trained by gradient steps instead of being solved exactly.
"""

import torch
from torch import nn

from dualgan.nn import mlp
from dualgan.validation import check_choice, check_positive, check_positive_int

from .device import DTYPE

#: How a discriminator sees its input x (a fixed first operation of the model, no parameters):
#: ``"raw"`` x as it is; ``"centered"`` 2x − 1, pixels in [0, 1] moved to [−1, 1];
#: ``"mean-centered"`` 2(x − x̄) with x̄ the mean training image.
INPUT_MAPS = ("raw", "centered", "mean-centered")
#: The network discriminators by name: ``"mlp"`` (:class:`MLPDiscriminator`, any input) and
#: ``"conv"`` (:class:`ConvDiscriminator`, images only).
D_ARCHS = ("mlp", "conv")


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


def input_map(name, mean=None, dtype=DTYPE):
    """The :class:`InputMap` of ``name`` (one of :data:`INPUT_MAPS`).

    Parameters
    ----------
    name : str
    mean : Tensor of shape (in_dim,), optional
        The mean training sample; needed for ``"mean-centered"``.
    """
    check_choice(name, "d_input", INPUT_MAPS)
    if name == "raw":
        return InputMap(0.0, 1.0, dtype)
    if name == "centered":
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


def check_conv_widths(widths, sides, name="widths"):
    """``widths`` as a tuple, checked for :class:`ConvDiscriminator` on images of ``sides``.

    Parameters
    ----------
    widths : sequence of int
        Output channels of the stride-2 convolutions.
    sides : tuple of int
        (H, W) of the images.
    name : str
        How the message names ``widths`` (``"d_channels"`` for a run's setting).

    Raises
    ------
    ValueError
        No widths, a width < 1, or a side not divisible by 2^len(widths) (each convolution
        halves the image).
    """
    widths = tuple(check_positive_int(w, name) for w in widths)
    if not widths:
        raise ValueError(f"{name} must list at least one convolution's channels, got ()")
    factor = 2 ** len(widths)
    if any(side % factor for side in sides):
        raise ValueError(f"{name} {widths}: {len(widths)} stride-2 convolutions halve the image "
                         f"{len(widths)} times, so its sides must be divisible by "
                         f"2^{len(widths)} = {factor}, got {'×'.join(map(str, sides))}")
    return widths


class ConvDiscriminator(nn.Module):
    """a(x) = Linear(flatten(conv_L(… conv_1(m(x) as images)))): DCGAN-style stride-2
    convolutions, each Conv2d(·, w, 4, stride 2, padding 1) + LeakyReLU(0.2), then one linear
    output of width 1, after the fixed input map m (:class:`InputMap`).

    No batch normalization: every sample is scored on its own, as SPEC 7's per-sample gradients
    need (the tangent kernel of :mod:`generator.nets.ntk` covers these layers exactly).

    Parameters
    ----------
    in_dim : int
        Dimension of x, C·H·W: pixels flattened channel-major (as the image targets give them).
    image_shape : tuple of int
        (C, H, W); H and W divisible by 2^len(widths) (each convolution halves them).
    widths : tuple of int, default (32, 64)
        Output channels of the convolutions (at least one).
    inputs : InputMap, optional
        The map m, applied to the flat x; default the identity.

    Raises
    ------
    ValueError
        ``in_dim`` ≠ C·H·W, a side not divisible by 2^len(widths), or no widths (the message
        names the values).
    """

    def __init__(self, in_dim, image_shape, widths=(32, 64), dtype=DTYPE, inputs=None):
        super().__init__()
        self.in_dim = check_positive_int(in_dim, "in_dim")
        shape = tuple(image_shape)
        if len(shape) != 3:
            raise ValueError(f"image_shape must be (channels, height, width), got {shape}")
        self.image_shape = tuple(check_positive_int(s, "image_shape") for s in shape)
        channels, height, width = self.image_shape
        if channels * height * width != self.in_dim:
            raise ValueError(f"in_dim must be C·H·W = {channels}·{height}·{width} = "
                             f"{channels * height * width} for image_shape {self.image_shape}, "
                             f"got {self.in_dim}")
        widths = check_conv_widths(widths, (height, width))
        factor = 2 ** len(widths)
        self.inputs = InputMap(dtype=dtype) if inputs is None else inputs
        layers, fan_in = [], channels
        for fan_out in widths:
            layers += [nn.Conv2d(fan_in, fan_out, 4, stride=2, padding=1, dtype=dtype),
                       nn.LeakyReLU(0.2)]
            fan_in = fan_out
        out_features = widths[-1] * (height // factor) * (width // factor)
        self.net = nn.Sequential(*layers, nn.Flatten(),
                                 nn.Linear(out_features, 1, dtype=dtype))

    def forward(self, x):
        """(n, C·H·W) → logits (n,)."""
        images = self.inputs(x).reshape(x.shape[0], *self.image_shape)  # (n, C, H, W)
        return self.net(images).squeeze(-1)

    def penalty(self):
        """No regularizer: 0."""
        return torch.zeros((), dtype=self.net[0].weight.dtype)


def make_discriminator(arch, in_dim, widths, *, image_shape=None, dtype=DTYPE, inputs=None):
    """The network discriminator ``arch`` (one of :data:`D_ARCHS`).

    Parameters
    ----------
    arch : str
        ``"mlp"``: :class:`MLPDiscriminator` with hidden widths ``widths``; ``"conv"``:
        :class:`ConvDiscriminator` with convolution channels ``widths``.
    in_dim : int
    widths : tuple of int
    image_shape : tuple of int, optional
        (C, H, W) of the images; needed for ``"conv"``.
    dtype, inputs
        As the classes take them.

    Raises
    ------
    ValueError
        An unknown ``arch``, or ``"conv"`` without ``image_shape``.
    """
    check_choice(arch, "d_arch", D_ARCHS)
    if arch == "mlp":
        return MLPDiscriminator(in_dim, widths, dtype, inputs)
    if image_shape is None:
        raise ValueError("d_arch='conv' needs the images' shape (image_shape=(C, H, W))")
    return ConvDiscriminator(in_dim, image_shape, widths, dtype, inputs)


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
