"""The VAE's configuration: a small dataclass with commented defaults, validated once."""

import numbers
from dataclasses import asdict, dataclass, field

from dualgan.validation import check_choice, check_positive, check_positive_int

from .likelihoods import DECODERS


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
        self.input_dim = check_positive_int(self.input_dim, "input_dim")
        self.latent_dim = check_positive_int(self.latent_dim, "latent_dim")
        if isinstance(self.hidden, numbers.Integral):
            self.hidden = (self.hidden,)
        try:
            hidden = tuple(self.hidden)
        except TypeError:
            raise TypeError(
                f"hidden must be a non-empty sequence of positive integers, got {self.hidden!r}"
            ) from None
        if not hidden:
            raise ValueError("hidden must be a non-empty sequence of positive integers, got ()")
        self.hidden = tuple(check_positive_int(h, "each hidden size") for h in hidden)
        check_choice(self.decoder, "decoder", DECODERS)
        self.sigma = check_positive(self.sigma, "sigma")

    def to_dict(self):
        """A JSON-serializable dict (``hidden`` as a list)."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d
