"""The Fréchet distance between Gaussian fits of two sets of features (Heusel et al. 2017).

Separate from the feature extractor that makes the features (:mod:`.classifier`) and from the
cached statistics of the reference set (:mod:`.images`), as torch-fidelity and
pytorch-gan-metrics split them: the arithmetic here is the same for any features.
"""

import numpy as np


def gaussian_fit(feats):
    """Mean (d,) and unbiased covariance (d, d) of the rows of ``feats`` (n, d), float64 numpy."""
    feats = np.asarray(feats, dtype=np.float64)
    if feats.ndim != 2 or feats.shape[0] < 2:
        raise ValueError(f"feats must have shape (n, d) with n >= 2, got {feats.shape}")
    return feats.mean(axis=0), np.cov(feats, rowvar=False).reshape(feats.shape[1], -1)


def frechet_distance(mean1, cov1, mean2, cov2):
    """Fréchet (2-Wasserstein²) distance between N(mean1, cov1) and N(mean2, cov2).

    tr (Σ₁^½ Σ₂ Σ₁^½)^½ is the sum of the square roots of the eigenvalues of the symmetric PSD
    matrix Σ₁^½ Σ₂ Σ₁^½, with Σ₁^½ from an eigendecomposition (eigenvalues clipped at 0, so a
    rank-deficient fit is fine).
    """
    vals, vecs = np.linalg.eigh(cov1)
    root1 = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    middle = root1 @ cov2 @ root1
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2.0), 0.0, None)).sum()
    diff = np.asarray(mean1) - np.asarray(mean2)
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * cross)
