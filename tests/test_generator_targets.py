"""Targets (generator.data.targets): distinct modes where they should be, the right spread,
seeded sampling; every kind of target provides the :class:`generator.data.targets.Target`
protocol, and ``make_target`` builds the class of each name; Stacked MNIST on a tiny fake MNIST
(so every machine runs it) and on the real one."""

import itertools
import math
import os

import numpy as np
import pytest
import torch

from generator.data import targets
from generator.data.targets import (
    KINDS,
    GaussianMixture,
    ImageTarget,
    StackedImageTarget,
    Target,
    make_target,
)
from generator.evaluation import classifier
from generator.evaluation.sampling import eval_size
from generator.runs.build import build, make_trainer
from generator.runs.config import RunConfig

N, M = 26_000, 1000  # Stacked MNIST: the protocol's samples and modes
MNIST_DIR = os.environ.get("MNIST_DIR", "/work/shared/data/mnist")
NEEDS_MNIST = pytest.mark.skipif(not os.path.isdir(MNIST_DIR), reason=f"MNIST IDX files not "
                                 f"found in {MNIST_DIR} (set MNIST_DIR)")


def test_ring_has_eight_distinct_evenly_spaced_modes():
    t = make_target("ring")
    modes = t.modes.numpy()
    assert modes.shape == (8, 2)
    np.testing.assert_allclose(np.hypot(modes[:, 0], modes[:, 1]), 2.0, rtol=1e-12)
    angles = np.sort(np.mod(np.arctan2(modes[:, 1], modes[:, 0]), 2 * np.pi))
    # eight distinct angles, consecutive ones (cyclically) 2π/8 apart: no repeated mode
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    np.testing.assert_allclose(gaps, 2 * np.pi / 8, atol=1e-12)
    assert t.std == pytest.approx(0.02)


def test_grid_modes_are_the_product_set():
    t = make_target("grid")
    expected = set(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
    got = {tuple(float(v) for v in row) for row in t.modes}
    assert got == expected and t.num_modes == 25
    assert t.std == pytest.approx(0.05)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mixture_samples_have_the_stated_spread_and_weights(name):
    t = make_target(name)
    x = t.sample(40_000, torch.Generator().manual_seed(0)).numpy()
    modes = t.modes.numpy()
    nearest = np.argmin(((x[:, None, :] - modes[None]) ** 2).sum(-1), axis=1)
    resid = x - modes[nearest]
    assert resid.std(axis=0) == pytest.approx([t.std, t.std], rel=0.03)
    counts = np.bincount(nearest, minlength=t.num_modes) / len(x)
    # equal weights: multinomial standard error √(p(1−p)/n)
    p = 1 / t.num_modes
    assert np.max(np.abs(counts - p)) < 5 * math.sqrt(p * (1 - p) / len(x))


def test_gaussian_target_is_anisotropic_and_matches_its_moments():
    t = make_target("gaussian")
    cov = t.covariance.numpy()
    assert cov[0, 1] != 0
    x = t.sample(100_000, torch.Generator().manual_seed(1)).numpy()
    np.testing.assert_allclose(x.mean(0), t.mean.numpy(), atol=0.015)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.02)
    assert t.std == pytest.approx(math.sqrt(np.linalg.eigvalsh(cov).max()))


def test_sampling_is_seeded():
    t = make_target("ring")
    a = t.sample(10, torch.Generator().manual_seed(4))
    b = t.sample(10, torch.Generator().manual_seed(4))
    c = t.sample(10, torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_unknown_target_names_the_choices():
    with pytest.raises(ValueError, match=r"target must be one of \['ring', 'grid', 'gaussian', "
                                         r"'digits', 'mnist', 'stacked-mnist'\]"):
        make_target("spiral")


@pytest.mark.parametrize("name", ["ring", "grid", "gaussian"])
def test_mixture_sample_mean_is_within_four_standard_errors_of_the_mixture_mean(name):
    t = make_target(name)
    x = t.sample(20_000, torch.Generator().manual_seed(2)).numpy()
    # the mean of the equal-weight mixture is the mean of its modes
    expected = t.modes.numpy().mean(axis=0)
    standard_error = x.std(axis=0, ddof=1) / math.sqrt(len(x))
    assert np.all(np.abs(x.mean(axis=0) - expected) < 4 * standard_error)
    np.testing.assert_allclose(t.mean.numpy(), expected, rtol=0, atol=1e-15)


def _stacked_digits():
    """A stacked target that needs no download: two channels of the 8×8 digits."""
    return StackedImageTarget("stacked-digits", make_target("digits"), channels=2)


TARGET_CASES = [
    pytest.param(lambda: make_target("ring"), id="ring"),
    pytest.param(lambda: make_target("grid"), id="grid"),
    pytest.param(lambda: make_target("gaussian"), id="gaussian"),
    pytest.param(lambda: make_target("digits"), id="digits"),
    pytest.param(_stacked_digits, id="stacked-digits"),
    pytest.param(lambda: make_target("mnist", MNIST_DIR), id="mnist", marks=NEEDS_MNIST),
    pytest.param(lambda: make_target("stacked-mnist", MNIST_DIR), id="stacked-mnist",
                 marks=NEEDS_MNIST),
]


@pytest.mark.parametrize("build_target", TARGET_CASES)
def test_every_target_provides_the_target_protocol_with_the_right_types_and_shapes(build_target):
    t = build_target()
    assert isinstance(t, Target)
    assert isinstance(t.name, str) and t.kind in KINDS
    assert isinstance(t.dim, int) and t.dim > 0
    assert isinstance(t.mean, torch.Tensor) and t.mean.shape == (t.dim,)
    x = t.sample(3, torch.Generator().manual_seed(0))
    assert isinstance(x, torch.Tensor) and x.shape == (3, t.dim) and x.dtype == torch.float64
    assert isinstance(t.recorded_settings(), dict)


@pytest.mark.parametrize("name, cls, kind", [
    ("ring", GaussianMixture, "points"),
    ("grid", GaussianMixture, "points"),
    ("gaussian", GaussianMixture, "points"),
    ("digits", ImageTarget, "images"),
    pytest.param("mnist", ImageTarget, "images", marks=NEEDS_MNIST),
    pytest.param("stacked-mnist", StackedImageTarget, "stacked", marks=NEEDS_MNIST),
])
def test_make_target_builds_the_class_and_kind_of_each_name(name, cls, kind):
    t = make_target(name, MNIST_DIR if name in targets.FILE_TARGETS else None)
    assert type(t) is cls and t.kind == kind and t.name == name
    assert targets.TARGET_KINDS[name] == kind  # known before the target is built


def test_the_checkpoint_records_the_image_checksum_and_nothing_for_a_mixture():
    recorded = {}
    for method, name in (("dual", "ring"), ("neural-dual", "digits")):
        config = RunConfig.from_preset(method, name, steps=1)
        target, built = build(config)
        settings = make_trainer(config, target, built, progress=False, snapshots=0).extra_settings
        recorded[name] = {k: v for k, v in settings.items() if k.startswith("run.data")}
    assert recorded == {"ring": {}, "digits": {"run.data_checksum": make_target("digits").checksum}}
    stacked = _stacked_digits()
    assert stacked.recorded_settings() == {"data_checksum": stacked.base.checksum}


def test_mode_metrics_refuse_an_image_target_by_naming_the_mixture_class():
    from generator.evaluation.points import mode_metrics

    with pytest.raises(TypeError, match=r"target must be a generator\.data\.targets\."
                                        r"GaussianMixture \(the metrics need its modes\), got "
                                        r"ImageTarget"):
        mode_metrics(torch.zeros(4, 64), make_target("digits"))


# ----------------------------------------------------------------- Stacked MNIST


def _rows(samples, train):
    """The training row of each channel of each sample, (n, C); fails if one is not a row."""
    channels, d = samples.shape[1] // train.shape[1], train.shape[1]
    # candidates by a random projection, then exact equality
    v = torch.randn(d, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    keys = train.double() @ v
    rows = []
    for ch in range(channels):
        part = samples[:, ch * d:(ch + 1) * d]
        nearest = ((part @ v)[:, None] - keys[None, :]).abs().argmin(dim=1)
        assert torch.equal(part, train[nearest].double()), f"channel {ch}: not training images"
        rows.append(nearest)
    return torch.stack(rows, dim=1)


def test_the_target_stacks_three_independent_training_images(fake_mnist):
    target = make_target("stacked-mnist", fake_mnist)
    assert isinstance(target, StackedImageTarget) and target.kind == "stacked"
    assert target.channels == 3 and target.num_modes == M and target.dim == 3 * 784
    assert target.image_shape == (28, 28) and eval_size(target) == N
    mnist = make_target("mnist", fake_mnist)
    assert target.checksum == mnist.checksum  # the same images, judged by the same classifier
    assert classifier.cache_path(target.base) == classifier.cache_path(mnist)
    x = target.sample(600, torch.Generator().manual_seed(1))
    assert x.shape == (600, 2352) and x.dtype == torch.float64
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    rows = _rows(x, target.train.x)  # (600, 3)
    # independent uniform draws among 50 rows: two channels share their row with chance 1/50
    # (12 of 600 expected), and the rows of two channels are uncorrelated (sd of r: 1/√600)
    for a, b in ((0, 1), (0, 2), (1, 2)):
        assert int((rows[:, a] == rows[:, b]).sum()) <= 30
        r = np.corrcoef(rows[:, a].numpy(), rows[:, b].numpy())[0, 1]
        assert abs(r) <= 4 / math.sqrt(600)
    # every row is drawn: 50·(1 − 1/50)^1800 ≈ 1e-14 rows expected to be missing
    assert len(torch.unique(rows)) == 50
    assert torch.equal(target.sample(600, torch.Generator().manual_seed(1)), x)
    assert not torch.equal(target.sample(600, torch.Generator().manual_seed(2)), x)
    # the mean of a sample: the mean image in every channel
    assert torch.equal(target.mean, target.train.x.mean(dim=0).repeat(3))


def test_stacked_mnist_needs_its_directory():
    with pytest.raises(ValueError, match="the 'stacked-mnist' target needs data_dir"):
        make_target("stacked-mnist")


@NEEDS_MNIST
def test_the_real_target_draws_mnist_training_digits():
    target = make_target("stacked-mnist", MNIST_DIR)
    x = target.sample(40, torch.Generator().manual_seed(0))
    assert x.shape == (40, 2352)
    rows = _rows(x, target.train.x)
    assert not torch.equal(rows[:, 0], rows[:, 1])
