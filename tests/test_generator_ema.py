"""The generator's weight average (``ema``): its recurrence, where samples come from, resume."""

import pytest
import torch

from dualgan.checkpoint import SettingsMismatchError, load_checkpoint, save_checkpoint
from generator import (
    DualConfig,
    DualMethod,
    GANTrainConfig,
    GANTrainer,
    MLPGenerator,
    RunConfig,
    make_features,
    make_target,
)
from generator.cli import parse_baseline


def _method(seed=0, cls=DualMethod):
    torch.manual_seed(seed)
    g = MLPGenerator(2, 2, hidden=(16, 16))
    phi = make_features("rff", 2, num_features=16, lengthscale=(0.3, 1.0), seed=seed)
    return cls(g, phi, DualConfig(c=5.0, lr=1e-2))


def _trainer(tmp_path, steps, ema, method=None, name="ckpt.pt"):
    config = GANTrainConfig(steps=steps, batch_size=32, seed=3, snapshots=2, snapshot_size=50,
                            progress=False, ema=ema)
    return GANTrainer(method if method is not None else _method(), make_target("ring"), config,
                      checkpoint_path=tmp_path / name)


class _Recording(DualMethod):
    """Keeps a copy of the generator's weights after every step."""

    def step(self, real, latent):
        logs = super().step(real, latent)
        self.iterates.append([p.detach().clone() for p in self.g_net.parameters()])
        return logs


def test_average_follows_the_exponential_recurrence_of_the_iterates(tmp_path):
    method = _method(cls=_Recording)
    method.iterates = []
    decay = 0.7
    trainer = _trainer(tmp_path, 6, decay, method)
    trainer.run()
    # a_1 = θ_1, a_t = decay·a_{t−1} + (1 − decay)·θ_t, written out as weights on the iterates
    weights = [decay ** 5] + [(1 - decay) * decay ** (6 - t) for t in range(2, 7)]
    assert sum(weights) == pytest.approx(1.0)
    for i, averaged in enumerate(trainer.sampler.parameters()):
        expected = sum(w * it[i] for w, it in zip(weights, method.iterates))
        torch.testing.assert_close(averaged, expected, rtol=1e-12, atol=1e-12)
    # the trained weights are the last iterate, not the average
    last = method.iterates[-1]
    assert all(torch.equal(p, q) for p, q in zip(method.g_net.parameters(), last))
    assert not all(torch.equal(p, q) for p, q in zip(trainer.sampler.parameters(), last))


def test_samples_and_snapshots_come_from_the_average(tmp_path):
    trainer = _trainer(tmp_path, 4, 0.5)
    result = trainer.run()
    latent = trainer.snapshot_latent
    with torch.no_grad():
        from_average = trainer.average.module(latent)
        from_trained = trainer.method.g_net(latent)
    assert torch.equal(trainer.generate(), from_average)
    assert torch.equal(result.snapshots[4], from_average)
    assert not torch.allclose(from_average, from_trained)


def test_without_ema_samples_come_from_the_trained_generator(tmp_path):
    trainer = _trainer(tmp_path, 2, None)
    trainer.run()
    assert trainer.average is None and trainer.sampler is trainer.method.g_net
    with torch.no_grad():
        assert torch.equal(trainer.generate(), trainer.method.g_net(trainer.snapshot_latent))


def test_interrupted_and_resumed_average_equals_one_long_run(tmp_path):
    full = _trainer(tmp_path, 6, 0.8, name="full.pt")
    full.run()
    half = _trainer(tmp_path, 3, 0.8, name="half.pt")
    half.run()
    # another initialization on purpose: the checkpoint must restore the average too
    resumed = _trainer(tmp_path, 6, 0.8, _method(seed=9), name="half.pt")
    resumed.resume(may_change=("train.steps",))
    resumed.run()
    for p, q in zip(full.sampler.parameters(), resumed.sampler.parameters()):
        assert torch.equal(p, q)


def test_resume_refuses_another_decay(tmp_path):
    _trainer(tmp_path, 2, 0.9).run()
    with pytest.raises(SettingsMismatchError, match="train.ema: checkpoint 0.9 vs now 0.99"):
        _trainer(tmp_path, 2, 0.99).resume()
    with pytest.raises(SettingsMismatchError, match="train.ema: checkpoint 0.9 vs now None"):
        _trainer(tmp_path, 2, None).resume()


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.1, float("nan")])
def test_decay_outside_the_open_unit_interval_is_refused(bad):
    with pytest.raises(ValueError, match=r"ema must be a finite number in \(0, 1\)"):
        GANTrainConfig(ema=bad)
    with pytest.raises(ValueError, match="ema must be"):
        RunConfig.from_preset("mlp-ns", "ring", ema=bad)


def test_stacked_mnist_preset_averages_both_methods_alike():
    dual = RunConfig.from_preset("neural-dual", "stacked-mnist")
    gradient = RunConfig.from_preset("mlp-ns", "stacked-mnist")
    assert dual.training.ema is not None and dual.training.ema == gradient.training.ema


def test_cli_refuses_a_bad_decay_in_one_line_before_any_work(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        parse_baseline(["--ema", "1.5", "--out", str(tmp_path / "run")])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and ": error: " in lines[0]
    assert "ema" in lines[0] and "1.5" in lines[0]
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("given, expected", [([], "preset"), (["--ema", "none"], None),
                                              (["--ema", "0.99"], 0.99)])
def test_cli_ema_overrides_the_preset_and_none_turns_it_off(given, expected):
    if expected == "preset":
        expected = RunConfig.from_preset("mlp-ns", "stacked-mnist").training.ema
    request = parse_baseline(["--target", "stacked-mnist", "--data-dir", "unused", *given,
                              "--out", "unused"])
    assert request.config.training.ema == expected


def test_a_checkpoint_written_before_ema_existed_resumes_without_an_average(tmp_path):
    _trainer(tmp_path, 2, None).run()
    state = load_checkpoint(tmp_path / "ckpt.pt")
    del state["settings"]["train.ema"]  # as the loop wrote it before the setting existed
    save_checkpoint(state, tmp_path / "ckpt.pt")
    resumed = _trainer(tmp_path, 3, None, _method(seed=5))
    assert resumed.resume(may_change=("train.steps",)).step == 2
    with pytest.raises(SettingsMismatchError, match="train.ema: checkpoint None vs now 0.9"):
        _trainer(tmp_path, 3, 0.9).resume(may_change=("train.steps",))
