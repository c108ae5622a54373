"""The MLP variational autoencoder: encoder q(z|x), reparameterization, decoder p(x|z)."""

import torch
from torch import nn

from dualgan.nn import mlp

from .config import VAEConfig
from .likelihoods import bernoulli_log_likelihood, gaussian_log_likelihood


class VAE(nn.Module):
    """A VAE with MLP encoder and decoder, a N(0, I) prior and a diagonal Gaussian posterior.

    Parameters
    ----------
    config : VAEConfig, optional
        Architecture; keyword arguments override its fields (``VAE(latent_dim=2)``).

    Notes
    -----
    Encoder: D → hidden[0] → … → hidden[-1] → (μ, log σ²), each of size L.
    Decoder: L → hidden[-1] → … → hidden[0] → D outputs: Bernoulli logits, or for the Gaussian
    decoder the mean f(z) = sigmoid(output), which keeps the mean in the pixel range [0, 1].

    Examples
    --------
    >>> import torch
    >>> import vae
    >>> _ = torch.manual_seed(0)
    >>> model = vae.VAE(input_dim=64, hidden=(32,), latent_dim=2)
    >>> x = torch.rand(5, 64)                          # (B, D), pixels in [0, 1]
    >>> mu, logvar = model.encode(x)                   # q(z|x): (B, L) each
    >>> z = model.reparameterize(mu, logvar)           # z = μ + ε·σ (SPEC 6, 1g)
    >>> mu.shape, z.shape, model.decode(z).shape       # the decoder gives Bernoulli logits
    (torch.Size([5, 2]), torch.Size([5, 2]), torch.Size([5, 64]))
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = VAEConfig(**overrides)
        elif overrides:
            config = VAEConfig(**{**config.to_dict(), **overrides})
        if not isinstance(config, VAEConfig):
            raise TypeError(f"config must be a VAEConfig, got {type(config).__name__}")
        self.config = config
        hidden = list(config.hidden)
        self.encoder = mlp([config.input_dim] + hidden, nn.ReLU, out_activation=nn.ReLU)
        self.to_mu = nn.Linear(hidden[-1], config.latent_dim)
        self.to_logvar = nn.Linear(hidden[-1], config.latent_dim)
        self.decoder = mlp([config.latent_dim] + hidden[::-1] + [config.input_dim], nn.ReLU)

    def encode(self, x):
        """Parameters of q(z|x): μ and log σ², each of shape (B, L), for x of shape (B, D)."""
        h = self.encoder(x)
        return self.to_mu(h), self.to_logvar(h)

    def reparameterize(self, mu, logvar, n_samples=None, rng=None):
        """Draw z ~ q(z|x) as a differentiable function of (μ, log σ²).

        Parameters
        ----------
        mu, logvar : torch.Tensor, shape (B, L)
        n_samples : int, optional
            If given, draw that many samples: the result has shape (n_samples, B, L);
            otherwise one sample of shape (B, L).
        rng : torch.Generator, optional
            Source of ε (the global RNG when omitted).

        Returns
        -------
        torch.Tensor, shape (B, L) or (n_samples, B, L)
        """
        # SPEC 6, 1g: std = exp(½·logvar), eps ~ N(0, I), z = μ + eps·std
        std = torch.exp(0.5 * logvar)
        shape = mu.shape if n_samples is None else (n_samples,) + tuple(mu.shape)
        eps = torch.randn(shape, generator=rng, dtype=mu.dtype, device=mu.device)
        return mu + eps * std

    def decode(self, z):
        """Decoder output for z of shape (..., L): logits (Bernoulli) or mean (Gaussian), (..., D).
        """
        out = self.decoder(z)
        if self.config.decoder == "gaussian":
            return torch.sigmoid(out)
        return out

    @torch.no_grad()
    def set_output_bias(self, mean_image):
        """Set the decoder's last bias so that a zero last hidden layer decodes to ``mean_image``.

        Parameters
        ----------
        mean_image : torch.Tensor, shape (D,), values in [0, 1]
            Clipped to [0.001, 0.999]; the bias becomes its logit, the inverse of the sigmoid
            that turns the output into a pixel mean for both decoders.
        """
        p = mean_image.clamp(1e-3, 1 - 1e-3)
        self.decoder[-1].bias.copy_(torch.log(p) - torch.log1p(-p))

    def log_likelihood(self, decoded, x):
        """log p(x|z) in nats, summed over pixels, from the output of :meth:`decode`; shape (...).
        """
        if self.config.decoder == "gaussian":
            return gaussian_log_likelihood(decoded, x, self.config.sigma)  # SPEC 6, 2d
        return bernoulli_log_likelihood(decoded, x)  # SPEC 6, 2e

    def mean_image(self, decoded):
        """E[x|z] in [0, 1] from the output of :meth:`decode`, for figures."""
        if self.config.decoder == "gaussian":
            return decoded
        return torch.sigmoid(decoded)

    def forward(self, x, rng=None):
        """One reparameterized pass: returns (decoded, μ, log σ²) for x of shape (B, D)."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, rng=rng)
        return self.decode(z), mu, logvar

    @torch.no_grad()
    def sample(self, n, rng=None):
        """Mean images E[x|z] of n draws z ~ N(0, I), shape (n, D)."""
        p = next(self.parameters())
        z = torch.randn((n, self.config.latent_dim), generator=rng, dtype=p.dtype)
        return self.mean_image(self.decode(z))
