"""generator.runs.presets: every preset is a valid run of every method its target can run, with
the preset's values (a method's own overrides on top) in the run; every name a preset uses is a
setting or a registered method; Stacked MNIST runs on the MNIST networks."""

import pytest

from generator.data import targets
from generator.evaluation import SUITES, suite
from generator.methods.registry import METHODS
from generator.runs.config import RunConfig
from generator.runs.presets import ARCHITECTURES, PRESETS, architecture_preset

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


# --------------------------------------------------------------------------- architectures


@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_every_name_in_an_architecture_is_a_setting_or_a_registered_method(architecture):
    for key, value in ARCHITECTURES[architecture].items():
        if isinstance(value, dict):
            assert key in METHODS and set(value) <= EVERY_SETTING, (key, value)
        else:
            assert key in EVERY_SETTING, key


@pytest.mark.parametrize("target", ["digits", "mnist", "stacked-mnist"])
def test_conv_gives_both_methods_the_same_convolutional_networks_on_every_image_target(target):
    dual = RunConfig.from_preset("neural-dual", target, architecture="conv")
    baseline = RunConfig.from_preset("mlp-ns", target, architecture="conv")
    assert dual.networks == baseline.networks
    assert (dual.networks.generator, dual.networks.d_arch) == ("conv", "conv")
    # the target's own settings that the architecture does not name are kept
    mlp = RunConfig.from_preset("neural-dual", target)
    assert dual.networks.d_input == mlp.networks.d_input
    assert dual.training.batch_size == mlp.training.batch_size
    assert dual.data == mlp.data
    for method, config in (("neural-dual", dual), ("mlp-ns", baseline)):
        METHODS[method].make_config(config)
        flat = config.flat()
        overlay = {**ARCHITECTURES["conv"], **ARCHITECTURES["conv"].get(method, {})}
        assert {k: flat[k] for k in overlay if k not in METHODS} == \
            {k: v for k, v in overlay.items() if k not in METHODS}


def test_an_architectures_settings_take_the_place_of_the_targets_in_its_method_entries_too():
    # stacked-mnist's dual decays its rate (lr_final in its own entry); conv's constant rate wins,
    # and the target's other entries for the method are kept
    merged = architecture_preset("stacked-mnist", "conv")
    conv = ARCHITECTURES["conv"]
    assert PRESETS["stacked-mnist"]["neural-dual"]["lr_final"] == 1e-4
    assert merged["lr_final"] is None is conv["lr_final"]
    assert "lr_final" not in merged["neural-dual"]
    assert merged["neural-dual"] == {**{k: v for k, v in
                                        PRESETS["stacked-mnist"]["neural-dual"].items()
                                        if k not in conv}, **conv["neural-dual"]}
    config = RunConfig.from_preset("neural-dual", "stacked-mnist", architecture="conv")
    assert config.training.lr_final is None and config.training.lr == conv["lr"]


def test_mlp_is_the_presets_as_they_are():
    for target in PRESETS:
        assert architecture_preset(target, "mlp") == PRESETS[target]
        assert RunConfig.from_preset("mlp-ns", target, architecture="mlp") == \
            RunConfig.from_preset("mlp-ns", target)


def test_an_architecture_off_the_image_targets_or_unknown_is_refused_by_name():
    with pytest.raises(ValueError, match=r"architecture 'conv' is for the image targets "
                                         r"\['digits', 'mnist', 'stacked-mnist'\], got target "
                                         r"'ring'"):
        RunConfig.from_preset("neural-dual", "ring", architecture="conv")
    with pytest.raises(ValueError, match=r"architecture must be one of .*'conv'.*got 'resnet'"):
        architecture_preset("mnist", "resnet")
