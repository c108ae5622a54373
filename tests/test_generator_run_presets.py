"""generator.runs.presets: every preset is a valid run of every method its target can run, with
the preset's values (a method's own overrides on top) in the run; every name a preset uses is a
setting or a registered method; Stacked MNIST runs on the MNIST networks."""

import pytest

from generator.data import targets
from generator.evaluation import SUITES, suite
from generator.methods.registry import METHODS
from generator.runs.config import RunConfig
from generator.runs.presets import PRESETS

EVERY_SETTING = {name for method in METHODS for name in RunConfig.setting_names(method)}


def test_every_target_has_a_preset_and_every_preset_a_target():
    assert set(PRESETS) == set(targets.TARGET_KINDS)


@pytest.mark.parametrize("target", list(PRESETS))
def test_every_name_in_a_preset_is_a_setting_or_a_registered_method(target):
    for key, value in PRESETS[target].items():
        if isinstance(value, dict):  # one method's overrides
            assert key in METHODS, f"{target}: {key!r} is not a registered method"
            assert set(value) <= EVERY_SETTING, (target, key, set(value) - EVERY_SETTING)
        else:
            assert key in EVERY_SETTING, f"{target}: {key!r} is no method's setting"


@pytest.mark.parametrize("target", list(PRESETS))
@pytest.mark.parametrize("method", list(METHODS))
def test_a_preset_builds_a_valid_run_holding_its_values_for_every_method_it_can_run(method,
                                                                                   target):
    preset = PRESETS[target]
    if METHODS[method].needs_features and "features" not in preset:
        # a feature method on a target without a feature map: refused, naming what is missing
        with pytest.raises(ValueError, match=rf"method '{method}' needs a feature map, and "
                                             rf"target '{target}' has no preset for \['features'"):
            RunConfig.from_preset(method, target)
        return
    config = RunConfig.from_preset(method, target)
    METHODS[method].make_config(config)  # the method's own checks accept the settings
    flat = config.flat()
    allowed = set(RunConfig.setting_names(method))
    expected = {k: v for k, v in {**preset, **preset.get(method, {})}.items()
                if not isinstance(v, dict) and k in allowed}
    assert expected, "a preset that sets nothing for this method"
    assert {k: flat[k] for k in expected} == expected
    assert flat["method"] == method and flat["target"] == target
    # the same preset, built again, is the same run (nothing drawn, nothing shared)
    assert RunConfig.from_preset(method, target) == config


def test_stacked_mnist_has_the_mnist_networks_for_both_methods():
    for method in ("neural-dual", "mlp-ns"):
        config = RunConfig.from_preset(method, "stacked-mnist")
        mnist = RunConfig.from_preset(method, "mnist")
        assert (config.networks.generator, config.networks.d_input) == ("pixels", "centered")
        assert config.networks == mnist.networks
        assert config.training.batch_size == mnist.training.batch_size
    assert suite("stacked-mnist") is SUITES["stacked"] and suite("mnist") is SUITES["images"]
