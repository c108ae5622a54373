"""The training methods as code: the registry of method specifications, the protocol every method
satisfies, the shared optimizer settings and the learning-rate schedule (closed form, refusal of
bad settings, exact resume of a decaying run, checkpoints written before the schedule was
saved)."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from conftest import uninterrupted_and_resumed
from dualgan.checkpoint import load_checkpoint, save_checkpoint
from generator import cli
from generator.data.targets import IMAGE_SHAPES, make_target
from generator.methods import METHODS, MethodSpec, TrainingMethod, method_spec, protocol
from generator.methods.baseline import BaselineConfig
from generator.methods.feature_dual import DualConfig
from generator.methods.neural_dual import NeuralDualConfig
from generator.methods.schedule import OptimizerSettings, make_optimizer
from generator.nets.discriminators import ConvDiscriminator, MLPDiscriminator
from generator.nets.generators import sample_latent
from generator.runs import config as run_config
from generator.runs.build import build, make_trainer
from generator.runs.config import RunConfig
from generator.study import engine

TINY = dict(steps=6, batch_size=16, num_features=8, hidden=(8,), d_hidden=(8,))


def _run_config(name, **overrides):
    return RunConfig.from_preset(name, "ring", seed=2, **{**TINY, **overrides})


def _weights_only_copy(state, directory):
    """``state`` written as a checkpoint and read back with ``torch.load(weights_only=True)``."""
    save_checkpoint(state, directory / "state.pt")
    return load_checkpoint(directory / "state.pt")


def _batch(config, seed=0):
    rng = torch.Generator().manual_seed(seed)
    target, batch_size = make_target(config.data.target), config.training.batch_size
    return target.sample(batch_size, rng), sample_latent(batch_size, config.networks.latent_dim,
                                                         rng)


# --------------------------------------------------------------------------- the registry


@pytest.mark.parametrize("name", list(METHODS))
def test_every_registered_method_satisfies_the_protocol_and_trains_one_step(name, tmp_path):
    spec = METHODS[name]
    assert isinstance(spec, MethodSpec) and spec.name == name and spec.description
    config = _run_config(name)
    _, method = build(config)
    assert isinstance(method, TrainingMethod)
    assert isinstance(method.config, spec.config_class)
    assert method.config == spec.make_config(config)
    before = [p.detach().clone() for p in method.g_net.parameters()]
    logs = method.step(*_batch(config))
    assert all(isinstance(v, float) and not isinstance(v, bool) for v in logs.values()), logs
    assert set(protocol.progress_fields(method)) <= set(logs)
    assert any(not torch.equal(p, q) for p, q in zip(before, method.g_net.parameters()))
    # the state, through a weights-only load, continues in a method built afresh
    _, other = build(config)
    other.load_state_dict(_weights_only_copy(method.state_dict(), tmp_path))
    for p, q in zip(method.g_net.parameters(), other.g_net.parameters()):
        assert torch.equal(p, q)


def test_the_registry_names_are_the_scripts_method_choices():
    # argparse keeps an option's choices on its action; there is no public accessor
    baseline = cli.baseline_parser()._option_string_actions["--method"].choices
    discriminator = cli.dual_parser()._option_string_actions["--discriminator"].choices
    scripts = set(baseline) | {cli.DISCRIMINATORS[d] for d in discriminator}
    assert scripts == set(METHODS)
    assert set(baseline).isdisjoint(cli.DISCRIMINATORS.values())
    assert run_config.METHODS == tuple(METHODS)
    assert set(engine.WARM_UP_METHODS) == set(METHODS)


def test_feature_methods_come_from_the_specs_and_the_bar_shows_the_methods_own_fields():
    assert run_config.FEATURE_METHODS == ("dual", "linear-gd")
    for name, spec in METHODS.items():
        config = _run_config(name)
        target, method = build(config)
        trainer = make_trainer(config, target, method, progress=False)
        assert trainer.config.postfix_keys is None  # the method's own progress_fields
        assert protocol.progress_fields(method) == type(method).progress_fields
        assert (getattr(method, "features", None) is not None
                or getattr(getattr(method, "discriminator", None), "features", None)
                is not None) == spec.needs_features


def test_an_unregistered_method_is_refused_listing_the_registered_ones():
    with pytest.raises(ValueError, match=r"method must be one of \['dual', 'neural-dual', "
                                         r"'mlp-ns', 'mlp-minimax', 'linear-gd'\], got 'wgan'"):
        method_spec("wgan")
    with pytest.raises(ValueError, match="got 'wgan'"):
        RunConfig.from_preset("wgan", "ring")


def test_a_run_refuses_a_bad_method_setting_through_the_method_settings_class():
    config = _run_config("neural-dual")
    with pytest.raises(ValueError, match="trust must be one of"):
        config.replace(trust="wide")
    with pytest.raises(ValueError, match="d_steps must be an integer >= 1, got 0"):
        _run_config("mlp-ns").replace(d_steps=0)


def test_a_runs_kappa_min_reaches_the_method_and_bounds_the_adaptive_kappa():
    config = _run_config("neural-dual", trust="adaptive", kappa=1.0, kappa_min=0.5)
    target, method = build(config)
    assert method.config.kappa_min == 0.5
    result = make_trainer(config, target, method, progress=False).run()
    assert len(result.logs["kappa"]) == config.training.steps and min(result.logs["kappa"]) >= 0.5


# --------------------------------------------------------------------------- the discriminator

TINY_IMAGES = dict(steps=2, batch_size=8, hidden=(16,), latent_dim=4, d_channels=(3, 4))


@pytest.mark.parametrize("name", ["neural-dual", "mlp-ns", "mlp-minimax"])
def test_a_conv_discriminator_is_built_and_trained_on_images(name):
    config = RunConfig.from_preset(name, "digits", d_arch="conv", **TINY_IMAGES)
    assert (config.networks.d_arch, config.networks.d_channels) == ("conv", (3, 4))
    target, method = build(config)
    assert target.image_shape == IMAGE_SHAPES["digits"][1:]
    disc = method.discriminator
    assert isinstance(disc, ConvDiscriminator) and disc.image_shape == (1, 8, 8)
    assert [m.out_channels for m in disc.modules() if isinstance(m, torch.nn.Conv2d)] == [3, 4]
    result = make_trainer(config, target, method, progress=False, snapshots=0).run()
    assert result.step == 2
    assert all(np.isfinite(v) for values in result.logs.values() for v in values)
    if name == "neural-dual":
        assert max(abs(g) for g in result.logs["gap"]) <= 1e-8


def test_the_same_seed_gives_the_same_conv_discriminator_to_both_methods():
    dual = build(RunConfig.from_preset("neural-dual", "digits", d_arch="conv", **TINY_IMAGES))[1]
    ns = build(RunConfig.from_preset("mlp-ns", "digits", d_arch="conv", **TINY_IMAGES))[1]
    for (name, p), (_, q) in zip(dual.discriminator.state_dict().items(),
                                 ns.discriminator.state_dict().items()):
        assert torch.equal(p, q), name


def test_the_default_discriminator_is_the_mlp_of_d_hidden():
    config = RunConfig.from_preset("neural-dual", "digits", **TINY_IMAGES)
    assert config.networks.d_arch == "mlp"
    assert isinstance(build(config)[1].discriminator, MLPDiscriminator)


@pytest.mark.parametrize("method, target, settings, message", [
    ("neural-dual", "ring", {}, r"d_arch must be 'mlp' on target 'ring', got 'conv' \(a "
                                r"convolutional discriminator needs an image target: 'digits', "
                                r"'mnist', 'stacked-mnist'\)"),
    ("mlp-ns", "gaussian", {}, "d_arch must be 'mlp' on target 'gaussian'"),
    ("linear-gd", "ring", {}, "d_arch must be 'mlp' on target 'ring'"),
    ("mlp-ns", "mnist", {"d_channels": (8, 8, 8)},
     r"d_channels \(8, 8, 8\): 3 stride-2 convolutions halve the image 3 times, so its sides "
     r"must be divisible by 2\^3 = 8, got 28×28"),
    ("neural-dual", "digits", {"d_channels": (0, 4)}, "d_channels must be an integer >= 1"),
    ("neural-dual", "digits", {"d_channels": ()}, "d_channels must list at least one"),
])
def test_a_conv_discriminator_the_run_cannot_use_is_refused(method, target, settings, message):
    with pytest.raises(ValueError, match=message):
        RunConfig.from_preset(method, target, d_arch="conv", **settings)


def test_an_unknown_architecture_and_conv_with_fixed_features_are_refused():
    with pytest.raises(ValueError, match=r"d_arch must be one of \['mlp', 'conv'\], got 'resnet'"):
        RunConfig.from_preset("neural-dual", "digits", d_arch="resnet")
    config = RunConfig.from_preset("linear-gd", "ring", **TINY)
    with pytest.raises(ValueError, match=r"d_arch must be 'mlp' for method 'linear-gd'.*"
                                         r"'neural-dual', 'mlp-ns', 'mlp-minimax'"):
        config.replace(target="digits", d_arch="conv")


# --------------------------------------------------------------------------- optimizer settings


@pytest.mark.parametrize("settings", [DualConfig, NeuralDualConfig, BaselineConfig])
def test_method_settings_inherit_the_optimizer_settings_flat_and_keyword_only(settings):
    assert issubclass(settings, OptimizerSettings)
    fields = dataclasses.asdict(settings(lr=2e-3, lr_final=1e-4, decay_steps=5))
    assert {"lr": 2e-3, "betas": (0.5, 0.999), "lr_final": 1e-4, "decay_steps": 5}.items() \
        <= fields.items()
    with pytest.raises(TypeError):
        OptimizerSettings(1e-3)  # keyword-only: a method's own fields come first by position
    assert DualConfig(2.0).c == 2.0


@pytest.mark.parametrize("settings", [DualConfig, NeuralDualConfig, BaselineConfig])
@pytest.mark.parametrize("bad, error, message", [
    ({"lr": -1.0}, ValueError, "lr must be a finite number > 0, got -1.0"),
    ({"lr": "1e-3"}, TypeError, "lr must be a real number > 0, got '1e-3'"),
    ({"lr_final": 0.0}, ValueError, "lr_final must be a finite number > 0, got 0.0"),
    ({"decay_steps": -1}, ValueError, "decay_steps must be an integer >= 0, got -1"),
    ({"decay_steps": 2.5}, TypeError, "decay_steps must be an integer >= 0, got 2.5"),
    ({"betas": (0.5, 1.0)}, ValueError, r"betas\[1\] must be a finite number in \[0, 1\), "
                                        r"got 1.0"),
    ({"betas": 0.9}, TypeError, "betas must be a pair of numbers in \\[0, 1\\), got 0.9"),
])
def test_a_bad_optimizer_setting_is_refused_naming_the_value(settings, bad, error, message):
    with pytest.raises(error, match=message):
        settings(**bad)


# --------------------------------------------------------------------------- the schedule


def _closed_form(lr, lr_final, decay_steps, step):
    """exp of the linear interpolation of log lr: an independent form of the geometric decay."""
    t = min(step / decay_steps, 1.0)
    return math.exp((1 - t) * math.log(lr) + t * math.log(lr_final))


def _rates(settings, steps, **kwargs):
    param = torch.nn.Parameter(torch.zeros(3))
    optimizer, scheduler = make_optimizer([param], settings, **kwargs)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        param.grad = torch.ones(3)
        optimizer.step()
        scheduler.step()
    return rates


def test_the_schedule_gives_the_closed_form_rate_and_stays_after_the_decay():
    lr, lr_final, decay = 2e-3, 1e-4, 10
    rates = _rates(OptimizerSettings(lr=lr, lr_final=lr_final, decay_steps=decay), 16)
    assert rates[0] == lr
    for step in (1, 3, 5, 9, 10):
        assert rates[step] == pytest.approx(_closed_form(lr, lr_final, decay, step), rel=1e-13)
    assert rates[5] == pytest.approx(math.sqrt(lr * lr_final), rel=1e-13)  # halfway: the mean
    assert all(b < a for a, b in zip(rates[:decay], rates[1:decay + 1]))
    assert rates[decay:] == [rates[decay]] * (16 - decay)  # then constant, to the bit
    assert rates[decay] == pytest.approx(lr_final, rel=1e-13)


def test_the_discriminator_rate_decays_by_the_generators_factor():
    settings = OptimizerSettings(lr=2e-3, lr_final=1e-4, decay_steps=8)
    g_rates, d_rates = _rates(settings, 12), _rates(settings, 12, algorithm="sgd", rate=5e-2)
    for g, d in zip(g_rates, d_rates):
        assert d == pytest.approx(5e-2 * g / 2e-3, rel=1e-15)


@pytest.mark.parametrize("settings", [OptimizerSettings(lr=3e-4),
                                      OptimizerSettings(lr=3e-4, lr_final=1e-5),
                                      OptimizerSettings(lr=3e-4, decay_steps=7)])
def test_without_lr_final_or_decay_steps_the_rate_is_constant(settings):
    assert _rates(settings, 9) == [3e-4] * 9



@pytest.mark.parametrize("name, extra", [("dual", {}), ("neural-dual", {}),
                                         ("mlp-ns", {"d_lr": 3e-3, "d_steps": 2}),
                                         ("linear-gd", {})])
def test_resume_of_a_decaying_run_equals_the_uninterrupted_run(tmp_path, name, extra):
    config = _run_config(name, lr_final=1e-4, **extra)
    full, stopped, result = uninterrupted_and_resumed(config, tmp_path / "ckpt.pt", at=3)
    assert stopped.interrupted and stopped.step == 3
    assert result.logs["lr"] == full.logs["lr"]
    assert result.logs["lr"][0] > result.logs["lr"][-1]  # the rate did decay
    for key in set(full.logs) - {"step_seconds", "solve_seconds", "kernel_seconds"}:
        np.testing.assert_array_equal(result.logs[key], full.logs[key], err_msg=key)


def test_a_checkpoint_written_before_the_schedule_was_saved_resumes_at_its_rate(tmp_path):
    config = _run_config("dual", lr_final=1e-4)
    _, full = build(config)
    batches = [_batch(config, seed) for seed in range(5)]
    for batch in batches[:3]:
        full.step(*batch)
    # the state of an older checkpoint: no scheduler, and the optimizer's groups hold the rate
    # of the last step taken, without the scheduler's initial_lr
    old = _weights_only_copy(full.state_dict(), tmp_path)
    del old["scheduler"]
    for group in old["optimizer"]["param_groups"]:
        group["lr"] = 123.0
        del group["initial_lr"]
    _, resumed = build(config)
    resumed.load_state_dict(old)
    for batch in batches[3:]:
        assert resumed.step(*batch)["lr"] == full.step(*batch)["lr"]
    for p, q in zip(full.g_net.parameters(), resumed.g_net.parameters()):
        assert torch.equal(p, q)
