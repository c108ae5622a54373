"""Two-dimensional target distributions: Gaussian mixtures with equal weights.

``ring``: 8 Gaussians on a circle of radius 2, std 0.02, at angles 2πk/8, k = 0..7.
``grid``: 25 Gaussians at {−4, −2, 0, 2, 4}², std 0.05.
``gaussian``: one Gaussian with a non-diagonal covariance.
"""

import math
from dataclasses import dataclass

import torch

from common.validation import check_choice, check_positive_int

from .precision import DTYPE


@dataclass(frozen=True)
class Target:
    """An equal-weight mixture of Gaussians sharing one covariance.

    Attributes
    ----------
    name : str
    modes : torch.Tensor, shape (K, 2)
        Component means.
    covariance : torch.Tensor, shape (2, 2)
        Covariance shared by every component.
    """

    name: str
    modes: torch.Tensor
    covariance: torch.Tensor

    @property
    def num_modes(self):
        """K, the number of components."""
        return self.modes.shape[0]

    @property
    def dim(self):
        """Dimension of a sample (2)."""
        return self.modes.shape[1]

    @property
    def std(self):
        """Standard deviation of a component along its widest axis (the std of an isotropic one)."""
        return float(torch.linalg.eigvalsh(self.covariance).max().sqrt())

    @property
    def mean(self):
        """Mean of the mixture, shape (2,)."""
        return self.modes.mean(dim=0)

    @property
    def mixture_covariance(self):
        """Covariance of the mixture: the component covariance plus the spread of the modes."""
        centred = self.modes - self.mean
        return self.covariance + centred.T @ centred / self.num_modes

    def sample(self, n, rng):
        """Draw ``n`` points, shape (n, 2): a uniform component, then its Gaussian.

        Parameters
        ----------
        n : int
        rng : torch.Generator
        """
        n = check_positive_int(n, "n")
        if not isinstance(rng, torch.Generator):
            raise TypeError(f"rng must be a torch.Generator, got {type(rng).__name__}")
        k = torch.randint(self.num_modes, (n,), generator=rng)
        noise = torch.randn(n, self.dim, generator=rng, dtype=self.modes.dtype)
        return self.modes[k] + noise @ torch.linalg.cholesky(self.covariance).T


def ring(num_modes=8, radius=2.0, std=0.02):
    """8 modes at angles 2πk/K, k = 0..K−1 (K distinct angles: 2π itself is excluded)."""
    angles = 2.0 * math.pi * torch.arange(num_modes, dtype=DTYPE) / num_modes
    modes = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return Target("ring", modes, std**2 * torch.eye(2, dtype=DTYPE))


def grid(side=5, spacing=2.0, std=0.05):
    """25 modes at {−4, −2, 0, 2, 4}² (for the defaults)."""
    axis = spacing * (torch.arange(side, dtype=DTYPE) - (side - 1) / 2.0)
    modes = torch.cartesian_prod(axis, axis)
    return Target("grid", modes, std**2 * torch.eye(2, dtype=DTYPE))


def gaussian():
    """One Gaussian, mean (1, −1), covariance [[1.0, 0.6], [0.6, 0.5]] (correlation ≈ 0.85)."""
    mean = torch.tensor([[1.0, -1.0]], dtype=DTYPE)
    cov = torch.tensor([[1.0, 0.6], [0.6, 0.5]], dtype=DTYPE)
    return Target("gaussian", mean, cov)


TARGETS = {"ring": ring, "grid": grid, "gaussian": gaussian}


def make_target(name):
    """Build a target by name: one of ``"ring"``, ``"grid"``, ``"gaussian"``."""
    check_choice(name, "target", TARGETS)
    return TARGETS[name]()
