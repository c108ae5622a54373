"""Image targets (digits, MNIST) and the pixel generator."""

import os

import pytest
import torch

from generator.data.targets import ImageTarget, make_target
from generator.nets.generators import PixelGenerator, make_generator, sample_latent

MNIST_DIR = os.environ.get("MNIST_DIR", "/work/shared/data/mnist")


def test_digits_target_draws_training_images_reproducibly():
    target = make_target("digits")
    assert isinstance(target, ImageTarget)
    assert target.dim == 64 and target.image_shape == (8, 8) and target.num_classes == 10
    assert target.train.x.shape == (1438, 64) and target.test.x.shape == (359, 64)
    a = target.sample(50, torch.Generator().manual_seed(4))
    b = target.sample(50, torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and a.dtype == torch.float64
    # every drawn row is one of the training images
    assert torch.cdist(a, target.train.x.double()).min(dim=1).values.max() == 0.0
    assert 0.0 <= float(a.min()) and float(a.max()) <= 1.0


def test_the_checksum_is_a_digest_of_both_splits():
    target = make_target("digits")
    assert target.checksum == make_target("digits").checksum
    other = ImageTarget("digits", target.test, target.train)  # the splits swapped
    assert other.checksum != target.checksum


def test_mnist_needs_its_directory():
    with pytest.raises(ValueError, match="the 'mnist' target needs data_dir"):
        make_target("mnist")


@pytest.mark.skipif(not os.path.isdir(MNIST_DIR), reason=f"MNIST IDX files not found in "
                                                         f"{MNIST_DIR} (set MNIST_DIR)")
def test_mnist_target_reads_the_idx_files():
    target = make_target("mnist", MNIST_DIR)
    assert target.train.x.shape == (60000, 784) and target.test.x.shape == (10000, 784)
    assert target.image_shape == (28, 28) and target.num_classes == 10


def test_pixel_generator_outputs_pixels_and_keeps_no_state_between_batches():
    torch.manual_seed(0)
    g = make_generator("pixels", 6, 64, hidden=(16, 32))
    assert isinstance(g, PixelGenerator)
    z = sample_latent(40, 6, torch.Generator().manual_seed(1))
    before = {k: v.clone() for k, v in g.state_dict().items()}
    x = g(z).detach()
    assert x.shape == (40, 64) and float(x.min()) > 0.0 and float(x.max()) < 1.0
    assert list(g.buffers()) == []  # batch statistics only: sampling changes nothing
    assert all(torch.equal(before[k], v) for k, v in g.state_dict().items())
    assert torch.equal(g(z), x)
    kinds = [type(m).__name__ for m in g.net]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d", "ReLU", "Linear",
                     "Sigmoid"]
