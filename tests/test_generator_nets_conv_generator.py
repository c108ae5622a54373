"""generator.nets.generators.ConvGenerator: the DCGAN-style image generator, its shape and range,
its refusals, a run's checks of it, and a convolutional run that resumes bit for bit."""


import numpy as np
import pytest
import torch

from conftest import uninterrupted_and_resumed
from generator.nets.generators import ConvGenerator, make_generator, sample_latent
from generator.runs.build import build
from generator.runs.config import RunConfig

TINY = dict(steps=6, batch_size=16, hidden=(8,), d_hidden=(8,), latent_dim=4)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 28, 28), (1, 8, 8)])
def test_the_output_is_one_flat_image_per_code_with_pixels_in_the_unit_interval(shape):
    torch.manual_seed(0)
    net = ConvGenerator(5, shape, channels=(6, 4))
    z = sample_latent(7, 5, torch.Generator().manual_seed(1))
    with torch.no_grad():
        x = net(z)
    assert x.shape == (7, shape[0] * shape[1] * shape[2]) and x.dtype == torch.float64
    assert float(x.min()) > 0.0 and float(x.max()) < 1.0  # a sigmoid's open interval
    # channel-major: the images reshape to (n, C, H, W) as the image targets' samples do, and
    # the samples differ (the latent code reaches every pixel)
    assert x.reshape(7, *shape).shape == (7, *shape)
    assert float(x.std(dim=0).max()) > 0


def test_each_transposed_convolution_doubles_the_side():
    net = ConvGenerator(3, (1, 28, 28), channels=(8, 4))
    assert net.start == (8, 7, 7)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [(8, 4), (4, 1)]
    maps = torch.zeros(2, 8, 7, 7, dtype=torch.float64)
    with torch.no_grad():
        for conv in convs:
            maps = conv(maps)
    assert maps.shape == (2, 1, 28, 28)


def test_a_side_the_convolutions_cannot_reach_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"divisible by 8, got 28×28"):
        ConvGenerator(3, (1, 28, 28), channels=(8, 4, 2))
    with pytest.raises(ValueError, match="g_channels must list at least one width"):
        ConvGenerator(3, (1, 28, 28), channels=())
    with pytest.raises(ValueError, match=r"images of shape \(1, 8, 8\), 64 values, but the "
                                         r"samples have 784"):
        make_generator("conv", 3, 784, image_shape=(1, 8, 8), channels=(4,))


def test_a_run_refuses_the_conv_generator_on_points_and_on_sides_it_cannot_reach():
    with pytest.raises(ValueError, match="generator 'conv' makes images; target 'ring'"):
        RunConfig.from_preset("neural-dual", "ring", generator="conv")
    with pytest.raises(ValueError, match=r"target 'digits'.*divisible by 16"):
        RunConfig.from_preset("mlp-ns", "digits", generator="conv", g_channels=(8, 8, 8, 8))


def test_a_run_builds_it_with_the_targets_image_shape_and_its_channels():
    config = RunConfig.from_preset("neural-dual", "digits", generator="conv", g_channels=(6, 4),
                                   **TINY)
    _, method = build(config)
    assert isinstance(method.g_net, ConvGenerator)
    assert method.g_net.image_shape == (1, 8, 8) and method.g_net.start == (6, 2, 2)



@pytest.mark.parametrize("name", ["neural-dual", "mlp-ns"])
def test_a_convolutional_run_resumes_bit_for_bit(tmp_path, name):
    # both networks convolutional, on the 8×8 digits, interrupted at step 3 and resumed
    config = RunConfig.from_preset(name, "digits", generator="conv", g_channels=(6, 4),
                                   d_arch="conv", d_channels=(4,), **TINY)
    full, stopped, result = uninterrupted_and_resumed(config, tmp_path / "ckpt.pt", at=3)
    assert stopped.interrupted and stopped.step == 3
    for key in set(full.logs) - {"step_seconds", "solve_seconds", "kernel_seconds"}:
        np.testing.assert_array_equal(result.logs[key], full.logs[key], err_msg=key)
