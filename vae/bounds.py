"""Monte Carlo bounds on log p(x): the negative ELBO (training) and the IWAE bound (evaluation)."""

import math

import torch

from dualgan.validation import check_positive_int

from .kl import kl_standard_normal, log_normal


def elbo_terms(model, x, mc_samples=1, rng=None):
    """The two terms of the per-image negative ELBO, estimated with M reparameterized samples.

    Parameters
    ----------
    model : vae.VAE
    x : torch.Tensor, shape (B, D)
    mc_samples : int
        M ≥ 1.
    rng : torch.Generator, optional
        Source of ε_m.

    Returns
    -------
    reconstruction : torch.Tensor, shape (B,)
        ``(1/M) Σ_m −log p(x|z_m)``, z_m = μ + σ·ε_m, nats per image; differentiable.
    kl : torch.Tensor, shape (B,)
        ``KL(q(z|x) ‖ N(0, I))`` in closed form, nats per image; differentiable.
    """
    mc_samples = check_positive_int(mc_samples, "mc_samples")
    mu, logvar = model.encode(x)
    if mc_samples == 1:
        z = model.reparameterize(mu, logvar, rng=rng)  # (B, L)
        rec = -model.log_likelihood(model.decode(z), x)  # (B,)
    else:
        z = model.reparameterize(mu, logvar, n_samples=mc_samples, rng=rng)
        # SPEC 6, 2c: (1/M) Σ_m −log p(x|z_m), z of shape (M, B, L)
        rec = -model.log_likelihood(model.decode(z), x).mean(dim=0)
    return rec, kl_standard_normal(mu, logvar)  # SPEC 6, 1d


def negative_elbo(model, x, mc_samples=1, rng=None):
    """Per-image negative ELBO, estimated with M reparameterized samples.

    ``−ELBO(x) = (1/M) Σ_m −log p(x|z_m) + KL(q(z|x) ‖ N(0, I))``, z_m = μ + σ·ε_m
    (the sum of :func:`elbo_terms`).

    Returns
    -------
    torch.Tensor, shape (B,)
        Unbiased estimates of −ELBO, nats per image (summed over pixels); differentiable.

    Examples
    --------
    The training loss: a cross-entropy and a KL divergence, both ≥ 0, so −ELBO > 0:

    >>> import torch
    >>> import vae
    >>> _ = torch.manual_seed(0)
    >>> model = vae.VAE(input_dim=64, hidden=(32,), latent_dim=2)
    >>> x = torch.rand(8, 64)
    >>> loss = vae.negative_elbo(model, x, mc_samples=4)   # (B,), nats per image
    >>> loss.shape, bool((loss > 0).all())
    (torch.Size([8]), True)
    >>> rec, kl = vae.elbo_terms(model, x, mc_samples=4, rng=torch.Generator().manual_seed(1))
    >>> again = vae.negative_elbo(model, x, mc_samples=4, rng=torch.Generator().manual_seed(1))
    >>> torch.allclose(rec + kl, again)                    # the sum of the two terms
    True
    >>> loss.mean().backward()                             # differentiable in the weights
    """
    rec, kl = elbo_terms(model, x, mc_samples, rng)
    # SPEC 6, 2b: −ELBO = E_q[−log p(x|z)] + KL(q(z|x) ‖ p(z)), KL in closed form (1d)
    return rec + kl


@torch.no_grad()
def iwae_log_likelihood(model, x, k, chunk_size=500, rng=None):
    """Importance-weighted lower bound on log p(x) with K samples (Burda et al. 2016).

    ``L_K(x) = log (1/K) Σ_k p(x, z_k) / q(z_k|x)``, z_k ~ q(z|x), computed with log-sum-exp.
    L_1 is the ELBO; E[L_K] grows with K towards log p(x).

    Parameters
    ----------
    model : vae.VAE
    x : torch.Tensor, shape (B, D)
    k : int
        Number K of importance samples per image.
    chunk_size : int
        Samples decoded at once; memory is about chunk_size · B · D floats.
    rng : torch.Generator, optional

    Returns
    -------
    torch.Tensor, shape (B,)
        The bound in nats; its negation is the reported IWAE NLL.
    """
    k = check_positive_int(k, "k")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    mu, logvar = model.encode(x)  # (B, L)
    log_w = []
    for start in range(0, k, chunk_size):
        n = min(chunk_size, k - start)
        z = model.reparameterize(mu, logvar, n_samples=n, rng=rng)  # (n, B, L)
        log_px_z = model.log_likelihood(model.decode(z), x)  # (n, B)
        log_pz = log_normal(z, torch.zeros_like(z), torch.zeros_like(z))  # N(0, I) prior
        log_qz = log_normal(z, mu, logvar)
        log_w.append(log_px_z + log_pz - log_qz)
    log_w = torch.cat(log_w, dim=0)  # (K, B)
    # SPEC 6 (Burda et al. 2016): log (1/K) Σ_k w_k = logsumexp(log w) − log K
    return torch.logsumexp(log_w, dim=0) - math.log(k)


@torch.no_grad()
def evaluate_iwae(model, x, k, batch_size=100, chunk_size=500, rng=None, progress=None):
    """Mean IWAE NLL ``−L_K`` over the rows of x (nats per image), batched over images.

    Parameters
    ----------
    model : vae.VAE
    x : torch.Tensor, shape (N, D)
    k : int
    batch_size : int
        Images per batch; peak memory about batch_size · chunk_size · D floats.
    chunk_size : int
    rng : torch.Generator, optional
    progress : callable, optional
        Called with the number of images done after each batch (e.g. a tqdm update).

    Returns
    -------
    float
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    total = 0.0
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size]
        total += -iwae_log_likelihood(model, xb, k, chunk_size, rng).sum().item()
        if progress is not None:
            progress(len(xb))
    return total / len(x)
