"""Closed-form KL divergences between diagonal Gaussians (SPEC 6, 1b–1d), in nats."""

import math

import torch


def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    """KL(N(μ_q, diag σ_q²) ‖ N(μ_p, diag σ_p²)), summed over the last dimension.

    Parameters
    ----------
    mu_q, logvar_q, mu_p, logvar_p : torch.Tensor, broadcastable, shape (..., L)
        Means and log-variances (natural log) of q and p.

    Returns
    -------
    torch.Tensor, shape (...)
        The divergence in nats; zero iff the two Gaussians coincide (SPEC 6, 1b–1c).
    """
    # SPEC 6, 1d: per dimension log(σ_p/σ_q) + (σ_q² + (μ_q − μ_p)²)/(2σ_p²) − ½
    var_ratio = torch.exp(logvar_q - logvar_p)  # σ_q² / σ_p²
    sq = (mu_q - mu_p) ** 2 * torch.exp(-logvar_p)  # (μ_q − μ_p)² / σ_p²
    per_dim = 0.5 * (logvar_p - logvar_q) + 0.5 * (var_ratio + sq) - 0.5
    return per_dim.sum(dim=-1)


def kl_standard_normal(mu, logvar):
    """KL(N(μ, diag σ²) ‖ N(0, I)), summed over the last dimension.

    Parameters
    ----------
    mu, logvar : torch.Tensor, shape (..., L)

    Returns
    -------
    torch.Tensor, shape (...), nats.
    """
    # SPEC 6, 1d: −½ Σ (1 + log σ² − μ² − σ²)
    return -0.5 * torch.sum(1.0 + logvar - mu.pow(2) - logvar.exp(), dim=-1)


def kl_equal_variance(mu_q, mu_p, sigma):
    """KL(N(μ_q, σ²) ‖ N(μ_p, σ²)) for scalar Gaussians sharing the standard deviation σ > 0.

    Parameters
    ----------
    mu_q, mu_p : float or torch.Tensor
    sigma : float or torch.Tensor, > 0

    Returns
    -------
    Same type as the inputs, nats.

    Raises
    ------
    ValueError
        A non-positive σ.
    """
    if torch.any(torch.as_tensor(sigma) <= 0):
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    # SPEC 6, 1d: (μ_q − μ_p)² / (2σ²)
    return (mu_q - mu_p) ** 2 / (2.0 * sigma**2)


def log_normal(x, mu, logvar):
    """log N(x; μ, diag σ²) summed over the last dimension, shape (...), nats."""
    return -0.5 * torch.sum(
        math.log(2.0 * math.pi) + logvar + (x - mu) ** 2 * torch.exp(-logvar), dim=-1
    )
