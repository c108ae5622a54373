"""generator.runs.presets: Stacked MNIST runs on the MNIST networks."""

from generator.evaluation import SUITES, suite
from generator.runs.config import RunConfig


def test_stacked_mnist_has_the_mnist_networks_for_both_methods():
    for method in ("neural-dual", "mlp-ns"):
        config = RunConfig.from_preset(method, "stacked-mnist")
        mnist = RunConfig.from_preset(method, "mnist")
        assert (config.networks.generator, config.networks.d_input) == ("pixels", "centered")
        assert config.networks == mnist.networks
        assert config.training.batch_size == mnist.training.batch_size
    assert suite("stacked-mnist") is SUITES["stacked"] and suite("mnist") is SUITES["images"]
