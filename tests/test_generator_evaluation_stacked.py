"""generator.evaluation.stacked: the metrics of Stacked MNIST (three MNIST digits as the RGB
channels of one sample, 1,000 modes).

The metrics (modes covered, mode KL, all channels confident) against independent computations,
the finite-sample floor of the mode KL, and the protocol on real Stacked MNIST built from the test
split, judged by the MNIST classifier."""

import math
import os

import numpy as np
import pytest
import scipy.stats
import torch
from scipy.special import xlogy

from generator.data.targets import make_target
from generator.evaluation import stacked as stacked_metrics
from generator.evaluation import suite
from generator.evaluation.stacked import (
    expected_modes_covered,
    expected_uniform_mode_kl,
    mode_index,
    mode_metrics,
    total_correlation,
)

MNIST_DIR = os.environ.get("MNIST_DIR", "/work/shared/data/mnist")
NO_MNIST = f"MNIST IDX files not found in {MNIST_DIR} (set MNIST_DIR)"
N, M = 26_000, 1000  # the protocol's samples and modes


def _triples(modes):
    """Label triples (n, 3) of mode indices, written out digit by digit."""
    modes = np.asarray(modes)
    return np.stack([modes // 100, modes // 10 % 10, modes % 10], axis=1)


# ----------------------------------------------------------------- the metrics, no classifier


def test_one_mode_repeated_covers_one_mode_with_kl_log_1000():
    m = mode_metrics(torch.tensor([[3, 1, 4]]).repeat(500, 1))
    assert m["modes_covered"] == 1 and m["num_modes"] == M
    assert m["mode_kl"] == math.log(1000.0)  # p̂ = 1 on one mode: 1·log(1000·1)
    assert m["mode_counts"][314] == 500 and sum(m["mode_counts"]) == 500


def test_uniform_counts_cover_every_mode_with_kl_0():
    labels = torch.cartesian_prod(*[torch.arange(10)] * 3)  # (1000, 3), mode order
    assert torch.equal(mode_index(labels), torch.arange(M))  # 100·y0 + 10·y1 + y2
    m = mode_metrics(labels.repeat(3, 1))
    assert m["modes_covered"] == M and m["mode_counts"] == [3] * M
    assert abs(m["mode_kl"]) <= 1e-15


@pytest.mark.parametrize("alpha", [0.02, 1.0, 50.0])
def test_mode_metrics_match_numpy_and_scipy_on_random_histograms(alpha):
    rng = np.random.default_rng(int(alpha * 100))
    modes = rng.choice(M, size=3000, p=rng.dirichlet(np.full(M, alpha)))
    m = mode_metrics(_triples(modes))
    counts = np.bincount(modes, minlength=M)
    assert m["mode_counts"] == counts.tolist()
    assert m["modes_covered"] == np.count_nonzero(counts)
    # scipy normalizes both arguments: KL(p̂ ‖ uniform)
    assert m["mode_kl"] == pytest.approx(scipy.stats.entropy(counts, np.ones(M)), rel=1e-12)


def test_mode_index_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match=r"labels must be in 0..9, got 0..10"):
        mode_index([[0, 10, 2]])
    with pytest.raises(ValueError, match=r"shape \(n, channels\)"):
        mode_index([1, 2, 3])


def test_confidence_needs_every_channel_and_channel_kls_are_per_channel():
    rng = np.random.default_rng(3)
    n = 400
    labels = rng.integers(0, 10, size=(n, 3))
    top = rng.choice([0.95, 0.5], size=(n, 3))  # the winning class's probability
    probs = np.full((n, 3, 10), 0.0)
    probs[:] = ((1.0 - top) / 9.0)[..., None]
    np.put_along_axis(probs, labels[..., None], top[..., None], axis=2)
    m = stacked_metrics.stacked_metrics(torch.from_numpy(probs))
    assert m["confident_fraction"] == np.mean((top >= 0.9).all(axis=1))
    assert m["mode_counts"] == np.bincount(labels @ [100, 10, 1], minlength=M).tolist()
    for ch in range(3):
        expected = scipy.stats.entropy(np.bincount(labels[:, ch], minlength=10), np.ones(10))
        assert m["channel_class_kl"][ch] == pytest.approx(expected, rel=1e-12)
    assert m["mode_kl_floor"] == expected_uniform_mode_kl(n, M)


@pytest.mark.parametrize("alpha", [0.05, 1.0])
def test_channel_dependence_is_the_kl_to_the_product_of_marginals_and_completes_the_mode_kl(
        alpha):
    rng = np.random.default_rng(7)
    labels = _triples(rng.choice(M, size=2000, p=rng.dirichlet(np.full(M, alpha))))
    probs = np.full((len(labels), 3, 10), 0.01)
    np.put_along_axis(probs, labels[..., None], 0.91, axis=2)
    m = stacked_metrics.stacked_metrics(torch.from_numpy(probs))
    joint = np.bincount(labels @ [100, 10, 1], minlength=M) / len(labels)
    marginals = [np.bincount(labels[:, c], minlength=10) / len(labels) for c in range(3)]
    product = np.einsum("i,j,k->ijk", *marginals).reshape(-1)
    assert m["channel_dependence"] == pytest.approx(scipy.stats.entropy(joint, product),
                                                    rel=1e-10)
    assert m["mode_kl"] == pytest.approx(sum(m["channel_class_kl"]) + m["channel_dependence"],
                                         rel=1e-10)


def test_channel_dependence_is_0_for_independent_digits_and_2_log_10_for_equal_ones():
    independent = np.einsum("i,j,k->ijk", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [3] * 10,
                            np.arange(1, 11) ** 2).reshape(-1)  # counts of a product law
    assert abs(total_correlation(independent, 3)) <= 1e-12
    equal = np.zeros(M)
    equal[[111 * d for d in range(10)]] = 5  # (d, d, d): one digit decides the other two
    assert total_correlation(equal, 3) == pytest.approx(2 * math.log(10), rel=1e-14)
    with pytest.raises(ValueError, match="counts must have 10\\^3 = 1000 entries, got 999"):
        total_correlation(np.ones(999), 3)


# ----------------------------------------------------------------- the finite-sample floor


def test_the_mode_kl_floor_of_26000_uniform_samples():
    """E[KL(p̂ ‖ u)] for n = 26,000 samples of the uniform distribution over M = 1,000 modes.

    Second order: p̂_m = 1/M + ε_m, Σ ε_m = 0, E ε_m² = (1/M)(1 − 1/M)/n, and
    (1/M + ε) log(M(1/M + ε)) = ε + M ε²/2 + O(ε³), so E[KL] ≈ (M/2)·Σ_m E ε_m² = (M − 1)/(2n)
    = 0.019212 nats. Williams' next term, × (1 + (M + 1)/(6n)): 0.019335. Exact (each count
    Binomial(n, 1/M)): 0.019340. Monte Carlo, 400 multinomial draws (seed 0): 0.019361 ± 0.000047
    (one draw's spread: 0.00094). Modes covered: M(1 − (1 − 1/M)^n) = 1000 − 5.1e-9
    (≈ 1000 − 1000·e^{−26}).
    """
    exact = expected_uniform_mode_kl(N, M)
    second_order = (M - 1) / (2 * N)
    assert second_order == pytest.approx(0.019212, abs=5e-7)
    assert exact == pytest.approx(second_order * (1 + (M + 1) / (6 * N)), rel=1e-3)
    assert exact == pytest.approx(0.019340, abs=5e-7)

    rng = np.random.default_rng(0)
    counts = rng.multinomial(N, np.full(M, 1.0 / M), size=400)
    p = counts / N
    kl = xlogy(p, M * p).sum(axis=1)  # 0 log 0 = 0
    se = kl.std(ddof=1) / math.sqrt(len(kl))
    assert abs(kl.mean() - exact) <= 4 * se
    # the chi-square picture: 2n·KL ≈ χ²(M − 1), whose spread is √(2(M − 1))
    assert kl.std(ddof=1) == pytest.approx(math.sqrt(2 * (M - 1)) / (2 * N), rel=0.15)

    covered = expected_modes_covered(N, M)
    assert M - covered == pytest.approx(M * math.exp(-26.0), rel=0.02)  # (1 − 1/M)^n = e^{−26.01}
    assert np.all((counts > 0).sum(axis=1) == M)


# ----------------------------------------------------------------- the protocol on real data


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(MNIST_DIR), reason=NO_MNIST)
def test_the_protocol_on_stacked_mnist_from_the_test_split():
    """26,000 triples of MNIST test digits drawn uniformly, judged by the cached MNIST classifier
    (trained on first use into $DUALGAN_CACHE or ~/.cache/dualgan).

    With perfect labels the mode histogram p̂ is n draws of p = q⊗q⊗q, q the test split's digit
    frequencies, and E[KL(p̂ ‖ u)] = KL(p ‖ u) + E[KL(p̂ ‖ p)] = 3·KL(q ‖ u) + (M − 1)/(2n) to
    second order (whatever p is): 0.00521 + 0.01934 = 0.02455 nats. The classifier labels each
    test digit the same way wherever it is drawn, so its modes are q'⊗q'⊗q', q' the histogram of
    its predictions on the test split; a test error e moves at most e of q's mass, ‖q' − q‖₁ ≤ 2e
    with every |q'_k − q_k| ≤ e, and

        |KL(q' ‖ u) − KL(q ‖ u)| ≤ e·(max_k log 10q_k − min_k log 10q_k) + 2e²/min_k q_k

    (first-order term Σ δ_k log 10q_k; remainder Σ (q_k + δ_k) log(1 + δ_k/q_k) − δ_k ≤
    Σ δ_k²/q_k). With e = 0.0089: ≤ 0.0039 per channel, 0.0118 for three. The sampling spread
    of KL(p̂ ‖ u) (a linear term and a χ²(M − 1)/(2n) term): σ² ≈ 3·Var_q(log 10q)/n +
    (M − 1)/(2n²), σ = 0.0011. Bound: |mode_kl − 0.02455| ≤ 0.0118 + 4σ = 0.016, so mode_kl
    stays within 0.025 of the floor 0.0193 however the errors fall.

    Measured (seed 0, the classifier at 99.11%): 1000/1000 modes, mode_kl 0.02440 nats (0.00015
    below the expectation; the true labels' histogram of the same triples: 0.02437), 93.8% of
    the samples confident in all three channels (97.87% of test digits are confident alone,
    0.9787³ = 93.7%), and 2.6% of the samples with a mislabelled channel (1 − (1 − e)³ = 2.6%);
    per-channel class KL 0.0016, 0.0018, 0.0021.
    """
    target = make_target("stacked-mnist", MNIST_DIR)
    judge = stacked_metrics.judge(target)
    e = 1.0 - judge.test_accuracy
    assert e <= 0.015
    index = torch.randint(10_000, (N, 3), generator=torch.Generator().manual_seed(0))
    samples = target.test.x[index].reshape(N, -1)  # channel-major, as the target's samples
    # The classifier sees each test digit alone: classify the 10,000 once and look the channels
    # up (78,000 forward passes would take a minute on one thread); the judge gives the same.
    test_probs = judge.classifier.predict(target.test.x)[0]
    probs = test_probs[index]  # (N, 3, 10)
    torch.testing.assert_close(judge.channel_probs(samples[:500]), probs[:500], rtol=0,
                               atol=1e-6)
    m = stacked_metrics.stacked_metrics(probs)
    assert judge.score(samples[:500])["mode_counts"] == stacked_metrics.stacked_metrics(
        probs[:500])["mode_counts"]

    assert m["modes_covered"] >= 995 and m["num_modes"] == M
    q = np.bincount(target.test.y.numpy(), minlength=10) / 10_000
    log10q = np.log(10 * q)
    expected = 3 * float(np.sum(q * log10q)) + expected_uniform_mode_kl(N, M)
    classifier_shift = 3 * (e * (log10q.max() - log10q.min()) + 2 * e**2 / q.min())
    sigma = math.sqrt(3 * float(np.sum(q * (log10q - np.sum(q * log10q)) ** 2)) / N
                      + (M - 1) / (2 * N**2))
    assert abs(m["mode_kl"] - expected) <= classifier_shift + 4 * sigma
    assert m["mode_kl"] <= m["mode_kl_floor"] + 0.025  # near the floor 0.0193
    # all three channels confident: independent draws, so the single-digit rate cubed
    single = float((test_probs.max(dim=1).values >= 0.9).double().mean())
    spread = math.sqrt(single**3 * (1 - single**3) / N)
    assert abs(m["confident_fraction"] - single**3) <= 4 * spread
    assert m["confident_fraction"] >= 0.9
    assert "1000/1000 modes" in suite(target).summary(target, m)
