"""The tangent kernel of an MLP from per-layer factors (SPEC 7) against explicit per-sample
gradients from torch.func.vmap(grad), and the linearized score against forward differences."""

import numpy as np
import pytest
import torch
from torch import nn

from dualgan.nn import mlp
from generator.nets.discriminators import MLPDiscriminator, input_map
from generator.nets.ntk import linearized_score, tangent_factors
from ntk_oracle import explicit_jacobian, flat


class Scalar(nn.Module):
    """An MLP with a scalar output per sample, as the score networks are."""

    def __init__(self, widths, activation):
        super().__init__()
        self.net = mlp(widths, activation, dtype=torch.float64)

    def forward(self, x):
        return self.net(x).squeeze(-1)


NETWORKS = {
    "leaky-relu (the discriminator)": lambda: MLPDiscriminator(3, hidden=(7, 5)),
    "the discriminator, input centred as 2x - 1": lambda: MLPDiscriminator(
        3, hidden=(7, 5), inputs=input_map("centered")),
    "the discriminator, input minus a mean": lambda: MLPDiscriminator(
        3, hidden=(7, 5), inputs=input_map("mean-centered", torch.tensor([0.3, -1.0, 2.0]))),
    "tanh, three hidden layers": lambda: Scalar((3, 6, 4, 5, 1), nn.Tanh),
    "one hidden layer": lambda: Scalar((3, 9, 1), nn.Softplus),
}


@pytest.fixture(params=sorted(NETWORKS))
def net_and_inputs(request):
    torch.manual_seed(0)
    net = NETWORKS[request.param]()
    x = torch.from_numpy(np.random.default_rng(1).normal(size=(11, 3)))
    return net, x


def test_gram_from_layer_factors_equals_explicit_per_sample_gradients(net_and_inputs):
    net, x = net_and_inputs
    J = explicit_jacobian(net, x)
    K = tangent_factors(net, x).gram()
    expected = J @ J.T
    # two float64 sums of P products each: rounding far below 1e-10 of the largest entry
    assert torch.allclose(K, expected, rtol=0, atol=1e-10 * expected.abs().max())


def test_scores_are_the_network_outputs(net_and_inputs):
    net, x = net_and_inputs
    with torch.no_grad():
        assert torch.equal(tangent_factors(net, x).scores, net(x))


def test_transpose_times_equals_the_explicit_jacobian_transpose(net_and_inputs):
    net, x = net_and_inputs
    v = torch.from_numpy(np.random.default_rng(2).normal(size=x.shape[0]))
    got = flat(tangent_factors(net, x).transpose_times(v), net)
    expected = explicit_jacobian(net, x).T @ v
    assert torch.allclose(got, expected, rtol=0, atol=1e-12 * expected.abs().max())


def test_linearized_score_is_offset_plus_jacobian_times_step(net_and_inputs):
    net, x = net_and_inputs
    rng = np.random.default_rng(3)
    delta = {name: torch.from_numpy(rng.normal(size=tuple(p.shape))) * 0.1
             for name, p in net.named_parameters()}
    new_x = torch.from_numpy(rng.normal(size=(6, 3)))
    with torch.no_grad():
        expected = net(new_x) + explicit_jacobian(net, new_x) @ flat(delta, net)
    assert torch.allclose(linearized_score(net, new_x, delta), expected, rtol=0, atol=1e-12)


def test_linearized_score_gradient_in_the_inputs_matches_central_differences(net_and_inputs):
    net, x = net_and_inputs
    rng = np.random.default_rng(4)
    delta = {name: torch.from_numpy(rng.normal(size=tuple(p.shape))) * 0.1
             for name, p in net.named_parameters()}
    weights = torch.from_numpy(rng.normal(size=x.shape[0]))
    x_var = x.clone().requires_grad_(True)
    (weights * linearized_score(net, x_var, delta)).sum().backward()
    h = 1e-6
    for k, d in [(0, 0), (4, 2), (10, 1)]:
        step = torch.zeros_like(x)
        step[k, d] = h
        with torch.no_grad():
            plus = (weights * linearized_score(net, x + step, delta)).sum()
            minus = (weights * linearized_score(net, x - step, delta)).sum()
        # central difference error O(h²·f''') plus rounding O(ε·|f|/h) ≈ 1e-9 here
        assert float((plus - minus) / (2 * h)) == pytest.approx(float(x_var.grad[k, d]),
                                                                abs=1e-7)


def test_a_parameter_outside_linear_layers_is_refused():
    net = nn.Sequential(nn.Linear(3, 4, dtype=torch.float64), nn.LayerNorm(4, dtype=torch.float64),
                        nn.Linear(4, 1, dtype=torch.float64), nn.Flatten(0))
    with pytest.raises(ValueError, match=r"outside nn.Linear and nn.Conv2d layers "
                                         r"\(\['1.weight', '1.bias'\]\)"):
        tangent_factors(net, torch.zeros(5, 3, dtype=torch.float64))


def test_a_linear_layer_without_bias_is_refused():
    net = nn.Sequential(nn.Linear(3, 1, bias=False, dtype=torch.float64), nn.Flatten(0))
    with pytest.raises(ValueError, match="linear layer '0' has no bias"):
        tangent_factors(net, torch.zeros(5, 3, dtype=torch.float64))


def test_a_layer_applied_twice_is_refused():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(3, 3, dtype=torch.float64)

        def forward(self, x):
            return self.layer(torch.tanh(self.layer(x))).sum(dim=1)

    with pytest.raises(ValueError, match=r"exactly once per forward pass; calls per layer: "
                                         r"\{'layer': 2\}"):
        tangent_factors(Twice(), torch.zeros(5, 3, dtype=torch.float64))


def test_scores_of_the_wrong_shape_are_refused():
    net = mlp((3, 4, 1), dtype=torch.float64)  # (n, 1), not (n,)
    with pytest.raises(ValueError, match=r"must return shape \(5,\) for 5 inputs, got \(5, 1\)"):
        tangent_factors(net, torch.zeros(5, 3, dtype=torch.float64))
