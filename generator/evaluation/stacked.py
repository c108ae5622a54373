"""Stacked MNIST metrics: the mode-collapse protocol of VEEGAN (Srivastava et al. 2017) and PacGAN
(Lin et al. 2018), with the project's own MNIST classifier.

Each of n = 26,000 generated samples (C = 3 channels of 28×28) has every channel classified by the
MNIST classifier of :mod:`generator.evaluation.classifier` (the very network that judges the
``mnist`` target: the channels are MNIST images); its mode is the triple of predicted digits
(y0, y1, y2), index m = 100·y0 + 10·y1 + y2 (:func:`mode_index`), one of M = 1,000. With p̂ the
histogram of the modes:

* ``modes_covered``: modes with at least one sample, out of ``num_modes`` = M;
* ``mode_kl``: KL(p̂ ‖ uniform) = Σ_m p̂_m log(M p̂_m) in nats (0 log 0 = 0): 0 for a uniform
  histogram, log M when every sample has one mode;
* ``confident_fraction``: the fraction of samples whose C channels are all confident,
  max_k p(k | channel) ≥ 0.9 (:data:`generator.evaluation.images.CONFIDENT`);
* ``channel_class_kl``: per channel, KL of its predicted digits' histogram to uniform over 10;
* ``channel_dependence``: KL(p̂ ‖ p̂_0 ⊗ … ⊗ p̂_{C−1}) in nats, the total correlation of the
  channels' digits (p̂_c the marginal histograms): 0 when the digits are independent. The mode KL
  splits exactly into the two: ``mode_kl = Σ_c channel_class_kl[c] + channel_dependence``, since
  log(M p̂_m) = Σ_c log(K p̂_c(y_c)) + log(p̂_m / Π_c p̂_c(y_c)). A generator can thus miss
  uniformity by drawing some digits too often (the first term, the same in every channel's
  MNIST) or by coupling the channels (the second, Stacked MNIST's own difficulty);
* ``mode_kl_floor``: E[KL(p̂ ‖ uniform)] for n samples of the uniform distribution itself
  (:func:`expected_uniform_mode_kl`), the value a perfect generator scores on average:
  ≈ (M − 1)/(2n) = 0.0192 nats for M = 1,000 and n = 26,000.

The finite-sample floor. For counts of n uniform draws over M modes, p̂_m = 1/M + ε_m with
Σ ε_m = 0 and E ε_m² = (1/M)(1 − 1/M)/n. To second order (p + ε) log(M(p + ε)) = ε + M ε²/2,
so E[KL] ≈ (M/2)·Σ_m E ε_m² = (M − 1)/(2n); Williams' next term multiplies it by
1 + (M + 1)/(6n) (0.01934 here). :func:`expected_uniform_mode_kl` computes it exactly: each count
is Binomial(n, 1/M), so E[KL] = log M + M·Σ_c P(c)·(c/n)·log(c/n).
"""

import math

import numpy as np
import torch

from .classifier import cache_path, load_or_train
from .images import CONFIDENT

EVAL_SAMPLES = 26_000  # generated samples per evaluation (the protocol's)
METRIC_KEYS = ("modes_covered", "num_modes", "mode_kl", "confident_fraction", "mode_kl_floor",
               "channel_class_kl", "channel_dependence")


def mode_index(labels, num_classes=10):
    """The mode of each label tuple: Σ_c y_c·K^(C−1−c) (100·y0 + 10·y1 + y2 for K = 10, C = 3).

    Parameters
    ----------
    labels : array-like of int, shape (n, C)
        Each in 0..K−1.

    Returns
    -------
    Tensor of int64, shape (n,), in 0..K^C − 1.
    """
    labels = torch.as_tensor(labels, dtype=torch.int64)
    if labels.ndim != 2:
        raise ValueError(f"labels must have shape (n, channels), got {tuple(labels.shape)}")
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise ValueError(f"labels must be in 0..{num_classes - 1}, got "
                         f"{int(labels.min())}..{int(labels.max())}")
    weights = num_classes ** torch.arange(labels.shape[1] - 1, -1, -1)
    return labels @ weights


def histogram_kl(counts):
    """KL(p̂ ‖ uniform) = Σ_m p̂_m log(M p̂_m) in nats, p̂ = counts / n, 0 log 0 = 0."""
    counts = torch.as_tensor(counts, dtype=torch.float64)
    p = counts / counts.sum()
    p = p[p > 0]
    return float((p * torch.log(len(counts) * p)).sum())


def mode_metrics(labels, num_classes=10):
    """Coverage and KL to uniform of the modes of label tuples (n, C).

    Returns
    -------
    dict
        ``modes_covered`` (modes with ≥ 1 sample), ``num_modes`` (K^C), ``mode_kl`` (nats),
        ``mode_counts`` (list of K^C ints, by mode index).
    """
    labels = torch.as_tensor(labels, dtype=torch.int64)
    num_modes = num_classes ** labels.shape[1]
    counts = torch.bincount(mode_index(labels, num_classes), minlength=num_modes)
    return {"modes_covered": int((counts > 0).sum()), "num_modes": int(num_modes),
            "mode_kl": histogram_kl(counts), "mode_counts": [int(c) for c in counts]}


def total_correlation(counts, channels, num_classes=10):
    """KL(p̂ ‖ Π_c p̂_c) in nats for a histogram over K^C label tuples (module docstring).

    Parameters
    ----------
    counts : array-like, shape (K^C,)
        Counts by :func:`mode_index`, i.e. a C-dimensional (K, …, K) table in C order.
    """
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.numel() != num_classes ** channels:
        raise ValueError(f"counts must have {num_classes}^{channels} = "
                         f"{num_classes ** channels} entries, got {counts.numel()}")
    joint = (counts / counts.sum()).reshape((num_classes,) * channels)
    product = torch.ones_like(joint)
    for c in range(channels):
        others = tuple(a for a in range(channels) if a != c)
        shape = [1] * channels
        shape[c] = num_classes
        product = product * joint.sum(dim=others).reshape(shape)  # p̂_c along axis c
    seen = joint > 0  # then every marginal of the cell is > 0 too
    return float((joint[seen] * torch.log(joint[seen] / product[seen])).sum())


def expected_uniform_mode_kl(n, num_modes):
    """E[KL(p̂ ‖ uniform)] for the histogram p̂ of ``n`` uniform draws over ``num_modes`` modes.

    Exact: each count c is Binomial(n, 1/M), so by linearity
    E[Σ_m p̂_m log(M p̂_m)] = log M + M·Σ_c P(c)·(c/n)·log(c/n); ≈ (M − 1)/(2n) (module docstring).
    """
    from scipy.stats import binom  # here: importing the metrics stays light

    c = np.arange(1, n + 1)
    share = c / n
    return float(math.log(num_modes)
                 + num_modes * np.sum(binom.pmf(c, n, 1.0 / num_modes) * share * np.log(share)))


def expected_modes_covered(n, num_modes):
    """E[modes with ≥ 1 sample] for ``n`` uniform draws: M·(1 − (1 − 1/M)^n)."""
    return num_modes * -math.expm1(n * math.log1p(-1.0 / num_modes))


def stacked_metrics(probs):
    """The metrics of :data:`METRIC_KEYS` (and ``mode_counts``) from per-channel class
    probabilities ``probs`` (n, C, K)."""
    probs = torch.as_tensor(probs, dtype=torch.float64)
    n, channels, num_classes = probs.shape
    labels = probs.argmax(dim=2)  # (n, C)
    out = mode_metrics(labels, num_classes)
    out["confident_fraction"] = float(
        (probs.max(dim=2).values >= CONFIDENT).all(dim=1).double().mean())
    out["mode_kl_floor"] = expected_uniform_mode_kl(n, out["num_modes"])
    out["channel_class_kl"] = [
        histogram_kl(torch.bincount(labels[:, ch], minlength=num_classes))
        for ch in range(channels)]
    out["channel_dependence"] = total_correlation(out["mode_counts"], channels, num_classes)
    return out


class StackedJudge:
    """Scores stacked images with the classifier of the one-channel data set, channel by channel.

    Build it with :func:`judge`.

    Attributes
    ----------
    target : generator.data.targets.StackedImageTarget
    classifier : generator.evaluation.classifier.DigitClassifier
    test_accuracy : float
        Of the classifier, on one channel's test split.
    """

    def __init__(self, target, classifier, test_accuracy):
        self.target = target
        self.classifier = classifier
        self.test_accuracy = test_accuracy

    def channel_probs(self, samples):
        """Class probabilities of every channel, (n, C·H·W) → (n, C, K), float64."""
        samples = torch.as_tensor(samples)
        n, channels = samples.shape[0], self.target.channels
        probs, _ = self.classifier.predict(samples.reshape(n * channels, -1))
        return probs.reshape(n, channels, -1)

    def score(self, samples):
        """The metrics of :data:`METRIC_KEYS` (and ``mode_counts``) of samples (n, C·H·W)."""
        return stacked_metrics(self.channel_probs(samples))


_JUDGES = {}


def judge(target, cache_dir=None):
    """The :class:`StackedJudge` of ``target``: the classifier of ``target.base`` (the same
    cached network as that target's, trained on first use), once per process."""
    path = cache_path(target.base, cache_dir)
    if (path, target.name) not in _JUDGES:
        classifier, accuracy = load_or_train(target.base, cache_dir)
        _JUDGES[path, target.name] = StackedJudge(target, classifier, accuracy)
    return _JUDGES[path, target.name]
