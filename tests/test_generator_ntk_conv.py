"""The tangent kernel of convolutional score networks (SPEC 7, weights shared over positions)
against explicit per-sample gradients from torch.func.vmap(grad); the convolutional
discriminator's checks; and one certified linearized-dual step with it on images."""

import numpy as np
import pytest
import torch
from torch import nn

from generator.methods.neural_dual import NeuralDualConfig, NeuralDualMethod
from generator.nets.discriminators import ConvDiscriminator, input_map, make_discriminator
from generator.nets.generators import MLPGenerator
from generator.nets.ntk import ConvFactors, LinearFactors, linearized_score, tangent_factors
from ntk_oracle import explicit_jacobian, flat

F64 = torch.float64


class GeneralConv(nn.Module):
    """Convolutions with every geometry ``unfold`` must reproduce: a non-square kernel, unequal
    strides, dilation, asymmetric padding, a 1×1 convolution; then a linear output."""

    in_dim = 2 * 8 * 8

    def __init__(self):
        super().__init__()
        self.first = nn.Conv2d(2, 3, (3, 2), stride=(1, 2), padding=(2, 0), dilation=(2, 1),
                               dtype=F64)
        self.pointwise = nn.Conv2d(3, 2, 1, dtype=F64)
        self.out = nn.Linear(2 * 8 * 4, 1, dtype=F64)

    def forward(self, x):
        h = torch.tanh(self.first(x.reshape(-1, 2, 8, 8)))  # (n, 3, 8, 4)
        return self.out(torch.tanh(self.pointwise(h)).flatten(1)).squeeze(-1)


NETWORKS = {
    "the conv discriminator": lambda: ConvDiscriminator(128, (2, 8, 8), widths=(3, 4)),
    "the conv discriminator, input centred as 2x - 1": lambda: ConvDiscriminator(
        128, (2, 8, 8), widths=(3, 4), inputs=input_map("centered")),
    "three convolutions, 16×8 images": lambda: ConvDiscriminator(256, (2, 16, 8), (2, 3, 2)),
    "dilated, strided, non-square kernels": GeneralConv,
}


@pytest.fixture(params=sorted(NETWORKS))
def net_and_inputs(request):
    torch.manual_seed(0)
    net = NETWORKS[request.param]()
    x = torch.from_numpy(np.random.default_rng(1).uniform(size=(5, net.in_dim)))
    return net, x


def test_gram_from_conv_factors_equals_explicit_per_sample_gradients(net_and_inputs):
    net, x = net_and_inputs
    factors = tangent_factors(net, x)
    assert any(isinstance(layer, ConvFactors) for layer in factors.layers)
    J = explicit_jacobian(net, x)
    expected = J @ J.T
    K = factors.gram()
    assert torch.allclose(K, expected, rtol=0, atol=1e-10 * expected.abs().max())


def test_scores_are_the_network_outputs(net_and_inputs):
    net, x = net_and_inputs
    with torch.no_grad():
        assert torch.equal(tangent_factors(net, x).scores, net(x))


def test_transpose_times_equals_the_explicit_jacobian_transpose(net_and_inputs):
    net, x = net_and_inputs
    v = torch.from_numpy(np.random.default_rng(2).normal(size=x.shape[0]))
    step = tangent_factors(net, x).transpose_times(v)
    for name, param in net.named_parameters():
        assert step[name].shape == param.shape, name
    expected = explicit_jacobian(net, x).T @ v
    assert torch.allclose(flat(step, net), expected, rtol=0, atol=1e-10 * expected.abs().max())


def test_linearized_score_is_offset_plus_jacobian_times_step(net_and_inputs):
    net, x = net_and_inputs
    rng = np.random.default_rng(3)
    delta = {name: torch.from_numpy(rng.normal(size=tuple(p.shape))) * 0.1
             for name, p in net.named_parameters()}
    new_x = torch.from_numpy(rng.uniform(size=(4, x.shape[1])))
    with torch.no_grad():
        expected = net(new_x) + explicit_jacobian(net, new_x) @ flat(delta, net)
    assert torch.allclose(linearized_score(net, new_x, delta), expected, rtol=0,
                          atol=1e-10 * expected.abs().max())


def test_the_mlp_keeps_its_hadamard_factors():
    net = make_discriminator("mlp", 3, (7, 5))
    factors = tangent_factors(net, torch.zeros(4, 3, dtype=F64))
    assert [type(layer) for layer in factors.layers] == [LinearFactors] * 3


def test_a_grouped_convolution_is_refused_naming_the_layer():
    net = nn.Sequential(nn.Unflatten(1, (2, 4, 4)), nn.Conv2d(2, 2, 3, groups=2, dtype=F64),
                        nn.Flatten(), nn.Linear(8, 1, dtype=F64), nn.Flatten(0))
    with pytest.raises(ValueError, match="conv layer '1' has groups=2"):
        tangent_factors(net, torch.zeros(5, 32, dtype=F64))


@pytest.mark.parametrize("conv, message", [
    (lambda: nn.Conv2d(2, 2, 3, padding="same", dtype=F64), "padding='same'"),
    (lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect", dtype=F64),
     "padding_mode='reflect'"),
    (lambda: nn.Conv2d(2, 2, 3, padding=1, bias=False, dtype=F64), "conv layer '1' has no bias"),
])
def test_a_convolution_the_formula_does_not_cover_is_refused(conv, message):
    net = nn.Sequential(nn.Unflatten(1, (2, 4, 4)), conv(), nn.Flatten(),
                        nn.Linear(32, 1, dtype=F64), nn.Flatten(0))
    with pytest.raises(ValueError, match=message):
        tangent_factors(net, torch.zeros(5, 32, dtype=F64))


@pytest.mark.parametrize("args, message", [
    ((100, (2, 8, 8)), r"in_dim must be C·H·W = 2·8·8 = 128 for image_shape \(2, 8, 8\), got "
                       r"100"),
    ((2 * 6 * 6, (2, 6, 6)), r"widths \(32, 64\): 2 stride-2 convolutions halve the image 2 "
                             r"times, so its sides must be divisible by 2\^2 = 4, got 6×6"),
    ((64, (8, 8)), r"image_shape must be \(channels, height, width\), got \(8, 8\)"),
    ((64, (1, 8, 8), ()), r"widths must list at least one"),
    ((64, (1, 8, 8), (4, 0)), "widths must be an integer >= 1, got 0"),
])
def test_conv_discriminator_refuses_bad_shapes(args, message):
    with pytest.raises(ValueError, match=message):
        ConvDiscriminator(*args)


def test_make_discriminator_needs_the_image_shape_for_conv():
    with pytest.raises(ValueError, match=r"d_arch='conv' needs the images' shape"):
        make_discriminator("conv", 64, (4, 4))
    with pytest.raises(ValueError, match="d_arch must be one of"):
        make_discriminator("resnet", 64, (4, 4))


def test_a_neural_dual_step_with_a_conv_discriminator_is_certified():
    torch.manual_seed(0)
    g = MLPGenerator(4, 2 * 8 * 8, hidden=(16,))
    d = ConvDiscriminator(128, (2, 8, 8), widths=(3, 4), inputs=input_map("centered"))
    method = NeuralDualMethod(g, d, NeuralDualConfig(kappa=2.0, generator_step="exact"))
    rng = torch.Generator().manual_seed(0)
    real = torch.rand(6, 128, generator=rng, dtype=F64)
    latent = torch.randn(6, 4, generator=rng, dtype=F64)
    psi0 = {k: v.detach().clone() for k, v in d.named_parameters()}
    logs = method.step(real, latent)
    assert abs(logs["gap"]) <= 1e-8
    assert method.last_solution.gap == logs["gap"]
    assert any(not torch.equal(p, psi0[k]) for k, p in d.named_parameters())
    assert all(np.isfinite(v) for v in logs.values())


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("shape", [(7, 300), (1, 5), (40, 3)])
def test_outer_gram_is_the_exactly_symmetric_product_of_a_matrix_with_its_transpose(dtype,
                                                                                     shape):
    from generator.nets.ntk import outer_gram

    A = torch.randn(*shape, generator=torch.Generator().manual_seed(3), dtype=dtype)
    K = outer_gram(A)
    reference = A.double() @ A.double().T  # float64 products of the same entries
    # each entry a sum of m products: its rounding is at most m·eps·Σ|a_ik a_jk| (Higham 3.5)
    eps = torch.finfo(dtype).eps
    bound = shape[1] * eps * (A.double().abs() @ A.double().abs().T)
    assert K.dtype == dtype and K.shape == (shape[0], shape[0])
    assert torch.all((K.double() - reference).abs() <= bound)
    assert torch.equal(K, K.T)
    # a strided view (a column slice) gives the same product as its contiguous copy
    view = torch.randn(shape[0], 2 * shape[1], dtype=dtype)[:, ::2]
    assert torch.allclose(outer_gram(view), outer_gram(view.contiguous()), rtol=0, atol=0)
