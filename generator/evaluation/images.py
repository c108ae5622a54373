"""Image metrics through the project's own classifier (:mod:`generator.evaluation.classifier`).

For generated images x_1..x_n (the protocol uses n = 10,000) with predicted class
probabilities p(k | x):

* ``classes_covered``: classes k whose predicted count (argmax) is at least a quarter of the fair
  share, n_k ≥ n / (4K);
* ``class_reverse_kl``: KL(p̂ ‖ uniform) = Σ_k p̂_k log(K p̂_k) in nats, p̂ the histogram of the
  predicted classes (0 for a uniform histogram, log K when every image gets one class);
* ``confident_fraction``: the fraction with max_k p(k | x) ≥ 0.9;
* ``frechet_classifier_distance``: the Fréchet distance between Gaussian fits of the classifier's
  penultimate features of the generated and the test images,
  ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½ (Heusel et al. 2017, with this classifier);
* ``reference_frechet_classifier_distance``: the same between the training and the test images,
  the floor that a perfect generator would reach with this many training images.
"""

import os

import torch

from dualgan.checkpoint import load_checkpoint, save_checkpoint

from .classifier import cache_path, load_or_train
from .frechet import frechet_distance, gaussian_fit

EVAL_SAMPLES = 10_000  # generated images per evaluation
CONFIDENT = 0.9  # max class probability of a "confident" prediction
METRIC_KEYS = ("classes_covered", "num_classes", "class_reverse_kl", "confident_fraction",
               "frechet_classifier_distance", "reference_frechet_classifier_distance")


def class_metrics(probs, num_classes):
    """Coverage, reverse KL and confidence of predicted class probabilities (n, K).

    Returns
    -------
    dict
        ``classes_covered``, ``num_classes``, ``class_reverse_kl`` (nats),
        ``confident_fraction``, ``class_counts`` (list of int).
    """
    probs = torch.as_tensor(probs, dtype=torch.float64)
    n = probs.shape[0]
    counts = torch.bincount(probs.argmax(dim=1), minlength=num_classes)
    p = counts.double() / n
    nz = p > 0
    # KL(p̂ ‖ uniform) = Σ p̂_k log(K p̂_k), 0 log 0 = 0
    reverse_kl = float((p[nz] * torch.log(num_classes * p[nz])).sum())
    return {
        "classes_covered": int((counts >= n / (4.0 * num_classes)).sum()),
        "num_classes": int(num_classes),
        "class_reverse_kl": reverse_kl,
        "confident_fraction": float((probs.max(dim=1).values >= CONFIDENT).double().mean()),
        "class_counts": [int(c) for c in counts],
    }


class ImageJudge:
    """Scores images of one target with its classifier, against the test set's statistics.

    Build it with :func:`judge` (cached per process and on disk).

    Attributes
    ----------
    classifier : generator.evaluation.classifier.DigitClassifier
    test_accuracy : float
    test_fit : (ndarray, ndarray)
        Mean and covariance of the test images' penultimate features.
    reference_distance : float
        Fréchet classifier distance between the training and the test images.
    """

    def __init__(self, target, classifier, test_accuracy, test_fit, reference_distance):
        self.target = target
        self.classifier = classifier
        self.test_accuracy = test_accuracy
        self.test_fit = test_fit
        self.reference_distance = reference_distance

    def score(self, images):
        """The metrics of :data:`METRIC_KEYS` (and ``class_counts``) for images (n, H·W)."""
        probs, feats = self.classifier.predict(images)
        out = class_metrics(probs, self.target.num_classes)
        out["frechet_classifier_distance"] = frechet_distance(*gaussian_fit(feats),
                                                              *self.test_fit)
        out["reference_frechet_classifier_distance"] = self.reference_distance
        return out


_JUDGES = {}


def judge(target, cache_dir=None):
    """The :class:`ImageJudge` of ``target``: its classifier and the test-set statistics.

    The classifier comes from :func:`generator.evaluation.classifier.load_or_train`; the
    Gaussian fit of the test features and the reference distance (a pass over the training set)
    are cached beside it on disk, and the judge itself once per process.
    """
    path = cache_path(target, cache_dir)
    if path in _JUDGES:
        return _JUDGES[path]
    classifier, accuracy = load_or_train(target, cache_dir)
    stats_path = path[: -len(".pt")] + "-stats.pt"
    if os.path.isfile(stats_path):
        stats = load_checkpoint(stats_path)
        test_fit = (stats["test_mean"].numpy(), stats["test_cov"].numpy())
        reference = float(stats["reference_distance"])
    else:
        test_fit = gaussian_fit(classifier.predict(target.test.x)[1])
        train_fit = gaussian_fit(classifier.predict(target.train.x)[1])
        reference = frechet_distance(*train_fit, *test_fit)
        save_checkpoint({"test_mean": test_fit[0], "test_cov": test_fit[1],
                         "reference_distance": reference}, stats_path)
    _JUDGES[path] = ImageJudge(target, classifier, accuracy, test_fit, reference)
    return _JUDGES[path]
