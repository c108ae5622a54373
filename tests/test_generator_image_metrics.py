"""Image metrics (classes covered, class reverse KL, Fréchet classifier distance) on real images,
the Fréchet distance against closed forms, and the classifier cache."""

import math
import os

import numpy as np
import pytest
import scipy.linalg
import torch

from generator.data.targets import ImageTarget, make_target
from generator.evaluation import classifier
from generator.evaluation import images as image_metrics
from generator.evaluation.images import class_metrics, frechet_distance

MNIST_DIR = os.environ.get("MNIST_DIR", "/work/shared/data/mnist")
LOG10 = math.log(10.0)


def entropy_continuity(error, k=10):
    """Largest change of the entropy of a K-class histogram when a fraction ``error`` of the
    mass moves (Fannes–Audenaert): error·log(K − 1) + h(error), h the binary entropy."""
    h = 0.0 if error in (0.0, 1.0) else -error * math.log(error) - (1 - error) * math.log(1 - error)
    return error * math.log(k - 1) + h


def label_reverse_kl(labels, k=10):
    """KL(label histogram ‖ uniform) in nats, computed with numpy from the true labels."""
    p = np.bincount(np.asarray(labels), minlength=k) / len(labels)
    p = p[p > 0]
    return float(np.sum(p * np.log(k * p)))


@pytest.fixture
def digits_judge(digits_classifier):
    return digits_classifier["target"], digits_classifier["judge"]


# ----------------------------------------------------------------- the Fréchet distance


def test_frechet_distance_of_diagonal_gaussians_is_the_closed_form():
    rng = np.random.default_rng(0)
    m1, m2 = rng.normal(size=6), rng.normal(size=6)
    a, b = rng.uniform(0.1, 3.0, size=6), rng.uniform(0.1, 3.0, size=6)
    # commuting covariances: W₂² = ‖m1 − m2‖² + Σ (√a − √b)²
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_matches_scipy_sqrtm_for_general_covariances():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(5, 5)), rng.normal(size=(5, 3))  # the second is rank-deficient
    c1, c2 = A @ A.T, B @ B.T
    m1, m2 = rng.normal(size=5), rng.normal(size=5)
    cross = np.real(scipy.linalg.sqrtm(c1 @ c2))  # tr √(Σ₁Σ₂) = tr (Σ₁^½ Σ₂ Σ₁^½)^½
    expected = np.sum((m1 - m2) ** 2) + np.trace(c1) + np.trace(c2) - 2 * np.trace(cross)
    assert frechet_distance(m1, c1, m2, c2) == pytest.approx(expected, rel=1e-8)


# ----------------------------------------------------------------- class histogram metrics


def test_class_metrics_of_one_class_and_of_a_uniform_histogram():
    one = torch.zeros(40, 10, dtype=torch.float64)
    one[:, 3] = 1.0
    m = class_metrics(one, 10)
    assert m["classes_covered"] == 1 and m["class_reverse_kl"] == pytest.approx(LOG10, rel=1e-15)
    assert m["confident_fraction"] == 1.0
    uniform = torch.eye(10, dtype=torch.float64).repeat(4, 1) * 0.85 + 0.015
    m = class_metrics(uniform, 10)
    assert m["classes_covered"] == 10 and m["class_reverse_kl"] == 0.0
    assert m["confident_fraction"] == 0.0 and m["class_counts"] == [4] * 10


def test_a_class_counts_from_a_quarter_of_its_fair_share():
    # n = 400, K = 10: fair share 40, a quarter of it 10 predictions
    labels = np.array([0] * 10 + [1] * 9 + [2] * 381)
    probs = torch.nn.functional.one_hot(torch.from_numpy(labels), 10).double()
    assert class_metrics(probs, 10)["classes_covered"] == 2  # classes 0 and 2, not 1


# ----------------------------------------------------------------- real images (digits)


def test_the_digits_classifier_reaches_97_percent(digits_judge):
    _, judge = digits_judge
    assert judge.test_accuracy >= 0.97


def test_the_test_set_covers_every_class_with_its_label_histogram(digits_judge):
    target, judge = digits_judge
    m = judge.score(target.test.x)
    assert m["classes_covered"] == 10 and m["num_classes"] == 10
    error = 1.0 - judge.test_accuracy
    assert abs(m["class_reverse_kl"] - label_reverse_kl(target.test.y)) <= entropy_continuity(error)
    assert m["class_reverse_kl"] < 0.01
    # The test set against its own fit: 0 up to rounding. Σ^½ Σ Σ^½ is formed and diagonalized
    # with an error of order d·eps·‖Σ‖² and the square root is only Hölder-½ continuous
    # (|√a − √b| ≤ √|a − b|), so each of the d square roots errs by at most √(d·eps)·‖Σ‖.
    cov = judge.test_fit[1]
    d = cov.shape[0]
    bound = d * np.sqrt(d * np.finfo(np.float64).eps) * np.linalg.norm(cov, 2)
    assert abs(m["frechet_classifier_distance"]) <= bound


def test_held_out_real_images_score_near_the_reference_distance(digits_judge):
    target, judge = digits_judge
    half = torch.randperm(target.train.x.shape[0], generator=torch.Generator().manual_seed(0))
    m = judge.score(target.train.x[half[: len(half) // 2]])
    reference = judge.reference_distance
    # two samples of one distribution differ by sampling noise ∝ 1/n₁ + 1/n₂: halving the
    # 1,438 training images raises it by a factor of about 1.2 against the 359 test images
    assert 0.5 * reference <= m["frechet_classifier_distance"] <= 2.0 * reference
    assert m["classes_covered"] == 10


def test_one_class_alone_covers_one_class_with_kl_near_log_10(digits_judge):
    target, judge = digits_judge
    images = torch.cat([target.train.x[target.train.y == 3], target.test.x[target.test.y == 3]])
    probs, _ = judge.classifier.predict(images)
    m = judge.score(images)
    error = float((probs.argmax(dim=1) != 3).double().mean())
    assert m["classes_covered"] == 1
    assert LOG10 - entropy_continuity(error) <= m["class_reverse_kl"] <= LOG10
    assert m["frechet_classifier_distance"] > 20 * judge.reference_distance


# ----------------------------------------------------------------- the cache


def test_a_second_judge_reads_the_classifier_from_the_cache(digits_classifier, monkeypatch):
    target, first, cache = (digits_classifier[k] for k in ("target", "judge", "cache"))
    monkeypatch.setattr(image_metrics, "_JUDGES", {})  # a fresh process

    def no_training(_):
        raise AssertionError("the cached classifier should have been read")

    monkeypatch.setattr(classifier, "train_classifier", no_training)
    second = image_metrics.judge(target, cache)
    assert second is not first
    assert second.reference_distance == first.reference_distance
    assert second.test_accuracy == first.test_accuracy
    for (name, p), (_, q) in zip(first.classifier.named_parameters(),
                                 second.classifier.named_parameters()):
        assert torch.equal(p, q), name


def test_the_cache_key_changes_with_the_data(tmp_path):
    target = make_target("digits")
    x = target.train.x.clone()
    x[0, 0] += 1.0 / 16
    changed = ImageTarget("digits", type(target.train)(x, target.train.y, (8, 8)), target.test)
    assert classifier.cache_path(changed, tmp_path) != classifier.cache_path(target, tmp_path)


def test_training_the_classifier_leaves_the_global_random_state_alone(digits_classifier):
    before, after = digits_classifier["rng"]
    assert torch.equal(before, after)


# ----------------------------------------------------------------- MNIST (slow)


@pytest.mark.slow
def test_mnist_classifier_and_metrics_on_real_images(tmp_path):
    if not os.path.isdir(MNIST_DIR):
        pytest.skip(f"MNIST IDX files not found in {MNIST_DIR} (set MNIST_DIR)")
    target = make_target("mnist", MNIST_DIR)
    judge = image_metrics.judge(target, tmp_path)
    assert judge.test_accuracy >= 0.99
    m = judge.score(target.test.x)
    assert m["classes_covered"] == 10 and m["class_reverse_kl"] < 0.01
    # The test set against its own fit: 0 up to rounding. Σ^½ Σ Σ^½ is formed and diagonalized
    # with an error of order d·eps·‖Σ‖² and the square root is only Hölder-½ continuous
    # (|√a − √b| ≤ √|a − b|), so each of the d square roots errs by at most √(d·eps)·‖Σ‖.
    cov = judge.test_fit[1]
    d = cov.shape[0]
    bound = d * np.sqrt(d * np.finfo(np.float64).eps) * np.linalg.norm(cov, 2)
    assert abs(m["frechet_classifier_distance"]) <= bound
    sevens = target.test.x[target.test.y == 7]
    probs, _ = judge.classifier.predict(sevens)
    one = judge.score(sevens)
    error = float((probs.argmax(dim=1) != 7).double().mean())
    assert one["classes_covered"] == 1
    assert LOG10 - entropy_continuity(error) <= one["class_reverse_kl"] <= LOG10
