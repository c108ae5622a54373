"""Samples of a trained generator, drawn reproducibly, and their metrics.

:func:`draw_samples` draws from an evaluation stream seeded apart from training, in fixed
blocks, so that the first samples of any draw are the same; :func:`evaluate` scores the first
``eval_size`` of them with the target's suite (:mod:`generator.evaluation.suites`);
:func:`save_samples` writes them as ``samples.npz``.
"""

import numpy as np
import torch

from dualgan.files import write_npz
from dualgan.validation import check_positive_int

from ..nets.generators import sample_latent
from .suites import suite

#: Latent codes are drawn in blocks of this many, and generated in chunks of :data:`CHUNK`, so
#: that the first samples of a draw do not depend on how many are drawn (the image generator's
#: batch normalization uses the statistics of the batch at hand).
BLOCK = 2500
CHUNK = 10000
NUM_SAMPLES = 10000  # samples written to OUT/samples.npz by default


def eval_size(target):
    """The number of samples the metrics of ``target`` are computed on (the first ones drawn),
    its suite's ``eval_size``: 2,500 points (the mode-collapse protocol), 10,000
    images, or 26,000 stacked images (the Stacked MNIST protocol)."""
    return suite(target).eval_size


def draw_samples(trainer, n, seed):
    """``n`` samples of the trained generator from the evaluation stream of ``seed``.

    The stream is seeded apart from training; latent codes are drawn in blocks of
    :data:`BLOCK` and pushed through the generator in whole chunks of :data:`CHUNK` (the last
    one filled up and cut), so the first ``k`` samples of any draw with n ≥ k are the same, and
    the metrics of :func:`evaluate` are those of the first :func:`eval_size` samples of any
    longer draw.

    Returns
    -------
    samples : Tensor, shape (n, dim), on the CPU, in the generator's dtype
    rng : torch.Generator
        The evaluation stream, positioned after the latent draw (for further evaluation draws).
    latent : Tensor, shape (n, latent_dim)
    """
    rng = torch.Generator().manual_seed(seed + 7_000_001)
    blocks, drawn = [], 0
    while drawn < -(-n // CHUNK) * CHUNK:  # whole chunks: each sample sees a full batch
        blocks.append(sample_latent(BLOCK, trainer.latent_dim, rng))
        drawn += BLOCK
    latent = torch.cat(blocks)
    samples = torch.cat([trainer.generate(latent[i:i + CHUNK])
                         for i in range(0, len(latent), CHUNK)])
    return samples[:n], rng, latent[:n]


def evaluate(trainer, target, seed, cache_dir=None, num_samples=None):
    """Metrics of the trained generator on fresh samples (seeded apart from training).

    2-D targets: mode metrics and moment errors on 2,500 samples. Image targets: the metrics of
    :data:`generator.evaluation.images.METRIC_KEYS` on 10,000 images, judged by the target's
    classifier (trained and cached in ``cache_dir`` on first use); Stacked MNIST: those of
    :data:`generator.evaluation.stacked.METRIC_KEYS` on 26,000, each channel judged by the MNIST
    classifier. The samples are the first of :func:`draw_samples`.

    Parameters
    ----------
    num_samples : int, optional
        How many samples to draw and return (default: the ones the metrics use).

    Returns
    -------
    metrics : dict
    rng : torch.Generator
        The evaluation stream, positioned after the latent draw (for further evaluation draws).
    latent : Tensor, shape (n, latent_dim)
    samples : Tensor, shape (n, dim)
        The drawn samples, n = max(``num_samples``, :func:`eval_size`), the metrics' first.
    """
    n_eval = eval_size(target)
    n = n_eval if num_samples is None else max(n_eval, check_positive_int(num_samples,
                                                                           "num_samples"))
    samples, rng, latent = draw_samples(trainer, n, seed)
    return score_samples(target, samples[:n_eval], cache_dir), rng, latent, samples


def score_samples(target, samples, cache_dir=None):
    """The metrics of generated ``samples`` (n, dim) of ``target``, in its data space: what
    :func:`evaluate` reports, computable from ``OUT/samples.npz`` too (its first
    :func:`eval_size` rows). Scored by the judge of the target's suite
    (:func:`generator.evaluation.suite`): the classifier metrics for images, the 1,000-mode
    metrics for stacked images, mode metrics and moment errors for 2-D points.
    """
    return suite(target).judge(target, cache_dir).score(torch.as_tensor(samples))


def save_samples(path, samples):
    """Write ``samples`` (n, dim) to ``path`` as an ``.npz`` with one array ``x``, float32, in
    the target's data space (pixels in [0, 1] for images), atomically."""
    write_npz(path, x=torch.as_tensor(samples).detach().cpu().numpy().astype(np.float32))
