"""Decoder log-likelihoods log p(x|z) (SPEC 6, 2d–2e), summed over pixels, in nats."""

import math

import torch
import torch.nn.functional as F

DECODERS = ("bernoulli", "gaussian")


def bernoulli_log_likelihood(logits, x):
    """log p(x|z) = Σ_d x_d log g_d + (1 − x_d) log(1 − g_d), g = sigmoid(logits).

    Computed from the logits as a negated binary cross-entropy with logits, never from a
    clipped sigmoid. For grayscale x in [0, 1] this is the (negated) cross-entropy used by the
    well-known PyTorch VAE example.

    Parameters
    ----------
    logits : torch.Tensor, shape (..., D)
        Decoder outputs before the sigmoid; broadcast against ``x``.
    x : torch.Tensor, shape (..., D), values in [0, 1]

    Returns
    -------
    torch.Tensor, shape (...), nats.
    """
    logits, x = torch.broadcast_tensors(logits, x)
    # SPEC 6, 2e: Σ x log g + (1 − x) log(1 − g), from logits
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)


def gaussian_log_likelihood(mean, x, sigma):
    """log N(x; f(z), σ² I) with a fixed σ > 0.

    Parameters
    ----------
    mean : torch.Tensor, shape (..., D)
        Decoder output f(z); broadcast against ``x``.
    x : torch.Tensor, shape (..., D)
    sigma : float, > 0

    Returns
    -------
    torch.Tensor, shape (...), nats.
    """
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    d = x.shape[-1]
    sq = ((x - mean) ** 2).sum(dim=-1)
    # SPEC 6, 2d: −log p = ‖x − f(z)‖²/(2σ²) + (D/2) log(2πσ²)
    return -(sq / (2.0 * sigma**2) + 0.5 * d * math.log(2.0 * math.pi * sigma**2))
