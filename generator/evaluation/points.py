"""Mode-collapse metrics for 2-D mixtures (the protocol of VEEGAN and PacGAN), and moments.

Protocol: assign every generated point to its nearest mode (Euclidean); the point is
*high quality* when it lies within 3 standard deviations of that mode (Mahalanobis distance ≤ 3
under the component covariance, i.e. ‖x − μ‖ ≤ 3σ for isotropic components). A mode is covered
when at least one high-quality point is assigned to it. The reverse KL is
KL(p̂ ‖ uniform) = Σ_k p̂_k log(K p̂_k) in nats, where p̂ is the histogram over modes of the
high-quality points only (the PacGAN convention); it is log K when all of them sit on one mode.
"""

import math

import torch

from ..data.targets import GaussianMixture


def _as_points(points):
    points = torch.as_tensor(points, dtype=torch.float64)
    if points.ndim != 2 or points.shape[0] == 0:
        raise ValueError(f"points must have shape (n, d) with n ≥ 1, got {tuple(points.shape)}")
    return points


def assign_modes(points, target):
    """Nearest mode and Mahalanobis distance to it.

    Returns
    -------
    nearest : LongTensor, shape (n,)
    distance : Tensor, shape (n,)
        In units of the component standard deviation.
    """
    points = _as_points(points)
    if not isinstance(target, GaussianMixture):
        raise TypeError(f"target must be a generator.data.targets.GaussianMixture (the "
                        f"metrics need its modes), got {type(target).__name__}")
    modes = target.modes.to(torch.float64)
    nearest = torch.cdist(points, modes).argmin(dim=1)
    diff = points - modes[nearest]  # (n, 2)
    chol = torch.linalg.cholesky(target.covariance.to(torch.float64))
    whitened = torch.linalg.solve_triangular(chol, diff.T, upper=False)  # (2, n)
    return nearest, whitened.norm(dim=0)


def mode_metrics(points, target, num_std=3.0):
    """Modes covered, high-quality fraction and reverse KL of generated points.

    Parameters
    ----------
    points : array_like, shape (n, 2)
        Generated samples (the protocol uses n = 2500).
    target : GaussianMixture
    num_std : float, default 3.0
        Radius of a high-quality point, in component standard deviations.

    Returns
    -------
    dict
        ``modes_covered`` (int), ``num_modes`` (int), ``high_quality_fraction`` (float in
        [0, 1]), ``reverse_kl`` (float, nats; nan when no point is high quality),
        ``mode_counts`` (list of int: high-quality points per mode), ``num_points`` (int).
    """
    nearest, distance = assign_modes(points, target)
    good = distance <= num_std
    counts = torch.bincount(nearest[good], minlength=target.num_modes)
    total = int(counts.sum())
    if total == 0:
        reverse_kl = math.nan
    else:
        p = counts.to(torch.float64) / total
        nz = p > 0
        # KL(p̂ ‖ uniform) = Σ p̂_k log(K p̂_k), with 0 log 0 = 0
        reverse_kl = float((p[nz] * torch.log(target.num_modes * p[nz])).sum())
    return {
        "modes_covered": int((counts > 0).sum()),
        "num_modes": target.num_modes,
        "high_quality_fraction": float(good.to(torch.float64).mean()),
        "reverse_kl": reverse_kl,
        "mode_counts": [int(c) for c in counts],
        "num_points": int(good.numel()),
    }


def sample_mean(points):
    """Mean of the rows, shape (d,)."""
    return _as_points(points).mean(dim=0)


def sample_covariance(points):
    """Unbiased covariance of the rows, shape (d, d)."""
    points = _as_points(points)
    return torch.cov(points.T, correction=1).reshape(points.shape[1], points.shape[1])


def moment_errors(points, target):
    """How far the sample moments are from the target mixture's.

    Returns
    -------
    dict
        ``mean_error`` = ‖m̂ − m‖₂ and ``cov_error`` = ‖Σ̂ − Σ‖_F / ‖Σ‖_F (relative).
    """
    mean_error = (sample_mean(points) - target.mean.to(torch.float64)).norm()
    cov = target.mixture_covariance.to(torch.float64)
    cov_error = (sample_covariance(points) - cov).norm() / cov.norm()
    return {"mean_error": float(mean_error), "cov_error": float(cov_error)}
