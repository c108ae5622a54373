"""The discriminator's fixed input map against a direct computation; OUT/samples.npz (shape,
dtype, data space, round trip, the metrics recomputed from it); the device setting."""


import numpy as np
import pytest
import torch

from generator.evaluation.sampling import (
    draw_samples,
    eval_size,
    evaluate,
    save_samples,
    score_samples,
)
from generator.nets.discriminators import MLPDiscriminator, input_map
from generator.runs.build import build, make_trainer
from generator.runs.config import RunConfig


def first_layer_by_hand(disc, x):
    """The logits computed layer by layer from the weights, on a given first-layer input."""
    h = x
    for layer in disc.net:
        h = layer(h)
    return h.squeeze(-1)


@pytest.mark.parametrize("kind", ["raw", "centered", "mean-centered"])
def test_input_map_is_applied_before_the_first_layer(kind):
    torch.manual_seed(0)
    x = torch.rand(7, 5, dtype=torch.float64)
    mean = torch.rand(5, dtype=torch.float64)
    disc = MLPDiscriminator(5, hidden=(4,), inputs=input_map(kind, mean))
    direct = {"raw": x, "centered": 2.0 * x - 1.0, "mean-centered": 2.0 * (x - mean)}[kind]
    with torch.no_grad():
        torch.testing.assert_close(disc(x), first_layer_by_hand(disc, direct), rtol=0,
                                   atol=1e-15)


def test_input_map_has_no_parameters_so_neither_training_rule_moves_it():
    disc = MLPDiscriminator(4, hidden=(3,), inputs=input_map("centered"))
    names = [name for name, _ in disc.named_parameters()]
    assert names and all(name.startswith("net.") for name in names)
    assert "inputs.shift" in disc.state_dict()  # saved with the model, not trained


def test_mean_centered_needs_the_mean_and_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="needs the mean training sample"):
        input_map("mean-centered")
    with pytest.raises(ValueError, match="d_input.*'whiten'"):
        input_map("whiten")


def test_pixel_input_maps_are_refused_on_point_targets():
    with pytest.raises(ValueError, match="d_input='centered' maps pixels.*'ring'"):
        RunConfig.from_preset("neural-dual", "ring", d_input="centered")


@pytest.mark.parametrize("method", ["neural-dual", "mlp-ns"])
def test_both_methods_see_the_same_input_map(method):
    config = RunConfig.from_preset(method, "digits", steps=1, d_input="mean-centered")
    target, built = build(config)
    inputs = built.discriminator.inputs
    torch.testing.assert_close(inputs.shift, target.train.x.mean(dim=0).double())
    assert inputs.scale == 2.0


def trained(config):
    target, method = build(config)
    trainer = make_trainer(config, target, method, progress=False, snapshots=0)
    trainer.run()
    return target, trainer


def test_samples_npz_round_trips_float32_images_in_the_unit_interval(tmp_path):
    target, trainer = trained(RunConfig.from_preset("neural-dual", "digits", steps=3))
    samples = draw_samples(trainer, 300, seed=0)[0]
    path = tmp_path / "samples.npz"
    save_samples(path, samples)
    with np.load(path) as archive:
        assert list(archive.files) == ["x"]
        x = archive["x"]
    assert x.shape == (300, target.dim) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(x, samples.numpy().astype(np.float32))


def test_first_samples_do_not_depend_on_how_many_are_drawn():
    # the image generator's batch norm uses the batch's statistics: samples are drawn in fixed
    # chunks so that the evaluated ones are the first rows of any longer draw
    _, trainer = trained(RunConfig.from_preset("mlp-ns", "digits", steps=2))
    few = draw_samples(trainer, 3000, seed=5)[0]
    many = draw_samples(trainer, 12000, seed=5)[0]
    torch.testing.assert_close(many[:3000], few, rtol=0, atol=0)


def test_metrics_are_reproduced_from_the_samples_file(tmp_path):
    config = RunConfig.from_preset("dual", "ring", steps=3, batch_size=32, num_features=16)
    target, trainer = trained(config)
    metrics, _, _, samples = evaluate(trainer, target, seed=0, num_samples=4000)
    assert samples.shape == (4000, 2)
    save_samples(tmp_path / "samples.npz", samples)
    with np.load(tmp_path / "samples.npz") as archive:
        x = torch.from_numpy(archive["x"][: eval_size(target)]).double()
    again = score_samples(target, x)
    # float32 storage moves a point by ≤ 2^-24 of its size: no mode assignment changes here,
    # and the moment errors move by about that relative amount
    assert again["mode_counts"] == metrics["mode_counts"]
    assert again["high_quality_fraction"] == metrics["high_quality_fraction"]
    np.testing.assert_equal(again["reverse_kl"], metrics["reverse_kl"])  # nan when uncovered
    assert again["mean_error"] == pytest.approx(metrics["mean_error"], rel=1e-6)
    assert again["cov_error"] == pytest.approx(metrics["cov_error"], rel=1e-6)


@pytest.mark.parametrize("method", ["neural-dual", "mlp-ns"])
def test_device_cpu_trains_exactly_as_the_default(method):
    base = RunConfig.from_preset(method, "digits", steps=3, batch_size=16)
    explicit = base.replace(device="cpu")
    (_, a), (_, b) = trained(base), trained(explicit)
    for (name, p), (_, q) in zip(a.method.g_net.named_parameters(),
                                 b.method.g_net.named_parameters()):
        assert torch.equal(p, q), name
    timings = {"step_seconds", "kernel_seconds", "solve_seconds"}
    assert set(a.logs) == set(b.logs)
    for key in set(a.logs) - timings:
        np.testing.assert_equal(a.logs[key], b.logs[key], err_msg=key)


@pytest.mark.parametrize("device, message", [
    ("banana", "device must be a torch device"),
    ("cuda:7", "not available here"),
    ("xla", "device must be 'cpu', 'cuda"),
])
def test_an_unknown_or_absent_device_is_refused_naming_it(device, message):
    if device == "cuda:7" and torch.cuda.device_count() > 7:
        pytest.skip("this machine has eight CUDA devices")
    with pytest.raises(ValueError, match=message):
        RunConfig.from_preset("mlp-ns", "digits", device=device)


def test_feature_methods_refuse_another_device():
    with pytest.raises(ValueError, match="runs on the CPU only"):
        RunConfig.from_preset("dual", "ring", device="cuda")


def test_step_costs_times_both_methods_and_splits_the_dual_step():
    from generator.study.timing import step_costs

    costs = step_costs("digits", steps=3, warmup=1, batch_size=16)
    assert set(costs) == {"neural-dual", "mlp-ns"}
    dual = costs["neural-dual"]
    assert dual["kernel"] > 0 and dual["solve"] > 0 and dual["networks"] > 0
    assert dual["kernel"] + dual["solve"] < dual["wall"]
    assert all(c["cpu"] > 0 and c["wall"] > 0 for c in costs.values())
