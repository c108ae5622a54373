"""The VAE's configuration: a small dataclass with commented defaults, validated once."""

import numbers
from dataclasses import asdict, dataclass, field

from .likelihoods import DECODERS


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@dataclass
class VAEConfig:
    """Architecture of an MLP VAE.

    Attributes
    ----------
    input_dim : int
        Pixels per image, D (784 for MNIST, 64 for the 8x8 digits).
    hidden : tuple of int
        Hidden-layer widths of the encoder; the decoder mirrors them in reverse order.
    latent_dim : int
        Size L of the latent code z.
    decoder : str
        'bernoulli' (logits, SPEC 6 2e) or 'gaussian' (fixed σ, SPEC 6 2d).
    sigma : float
        Standard deviation of the Gaussian decoder; ignored by the Bernoulli one.
    """

    input_dim: int = 784  # MNIST, 28 x 28
    hidden: tuple = field(default=(512, 256))  # encoder widths, decoder reversed
    latent_dim: int = 32  # size of z
    decoder: str = "bernoulli"  # likelihood p(x|z)
    sigma: float = 0.1  # σ of the Gaussian decoder, in pixel units

    def __post_init__(self):
        self.input_dim = _positive_int("input_dim", self.input_dim)
        self.latent_dim = _positive_int("latent_dim", self.latent_dim)
        if isinstance(self.hidden, numbers.Integral):
            self.hidden = (self.hidden,)
        try:
            hidden = tuple(self.hidden)
        except TypeError:
            raise ValueError(
                f"hidden must be a non-empty sequence of positive integers, got {self.hidden!r}"
            ) from None
        if not hidden:
            raise ValueError("hidden must be a non-empty sequence of positive integers, got ()")
        self.hidden = tuple(_positive_int("each hidden size", h) for h in hidden)
        if self.decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {DECODERS}, got {self.decoder!r}")
        real = isinstance(self.sigma, numbers.Real) and not isinstance(self.sigma, bool)
        if not real or not self.sigma > 0:
            raise ValueError(f"sigma must be a positive number, got {self.sigma!r}")
        self.sigma = float(self.sigma)

    def to_dict(self):
        """A JSON-serializable dict (``hidden`` as a list)."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d
