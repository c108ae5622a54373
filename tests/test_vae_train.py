"""Training, checkpoints, exact resume, and the example script's argument errors."""

import json
import os
import signal

import pytest
import torch

from common import cli
from common.checkpoint import SettingsMismatchError, load_checkpoint
from common.images import load_digits
from vae import TrainConfig, Trainer, VAE, VAEConfig, evaluate_nelbo

from conftest import load_example

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def digits():
    train, test = load_digits(seed=0)
    return train.x[:300], test.x[:100]


def _trainer(digits, out_dir, **overrides):
    train_x, test_x = digits
    cfg = dict(epochs=2, batch_size=32, mc_samples=2, binarize=True, seed=7, lr=3e-3)
    cfg.update(overrides)
    return Trainer(VAEConfig(input_dim=64, hidden=(24, 12), latent_dim=3), TrainConfig(**cfg),
                   train_x, test_x, checkpoint_path=out_dir / "checkpoint.pt", progress=False,
                   log_epochs=False)


@pytest.mark.parametrize("schedule", ["cosine", "constant"])
def test_resume_equals_an_uninterrupted_run(digits, tmp_path, schedule):
    straight = _trainer(digits, tmp_path / "a", lr_schedule=schedule)
    straight.run()
    first = _trainer(digits, tmp_path / "b", lr_schedule=schedule)
    first.run(until_epoch=1)
    # global RNG draws between the runs must not matter
    torch.rand(17)
    resumed = _trainer(digits, tmp_path / "b", lr_schedule=schedule)
    assert resumed.resume() is resumed
    assert resumed.epoch == 1
    resumed.run()
    resumed_state = resumed.model.state_dict()
    for name, p in straight.model.state_dict().items():
        q = resumed_state[name]
        assert torch.equal(p, q), name
    assert straight.history["train_loss"] == resumed.history["train_loss"]
    assert straight.history["test_loss"] == resumed.history["test_loss"]


def test_resume_rejects_a_different_configuration(digits, tmp_path):
    _trainer(digits, tmp_path, epochs=1).run()
    other = _trainer(digits, tmp_path, epochs=1, lr=1e-2)
    with pytest.raises(SettingsMismatchError, match="train.lr: checkpoint 0.003 vs now 0.01"):
        other.resume()
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume from"):
        _trainer(digits, tmp_path / "empty").resume()


def test_ctrl_c_mid_epoch_checkpoints_there_and_resumes_exactly(digits, tmp_path):
    straight = _trainer(digits, tmp_path / "a")
    straight.run()

    stopped = _trainer(digits, tmp_path / "b")
    batches = []

    def interrupt_on_the_fifth_batch(module, inputs):
        batches.append(1)
        if len(batches) == 5:
            os.kill(os.getpid(), signal.SIGINT)

    hook = stopped.model.encoder.register_forward_pre_hook(interrupt_on_the_fifth_batch)
    result = stopped.run()
    hook.remove()
    assert result.interrupted and result.epoch == 0
    state = load_checkpoint(tmp_path / "b" / "checkpoint.pt")
    assert state["epoch"] == 0 and state["partial_epoch"]["start"] == 5 * 32

    resumed = _trainer(digits, tmp_path / "b").resume()
    assert not resumed.run().interrupted
    for name, p in straight.model.state_dict().items():
        assert torch.equal(p, resumed.model.state_dict()[name]), name
    assert straight.history["test_loss"] == resumed.history["test_loss"]


def test_short_training_lowers_the_test_loss(digits):
    train_x, test_x = digits
    trainer = Trainer(VAEConfig(input_dim=64, hidden=(32,), latent_dim=4),
                      TrainConfig(epochs=6, batch_size=32, lr=3e-3, seed=1),
                      train_x, test_x, progress=False, log_epochs=False)
    before = evaluate_nelbo(trainer.model, test_x, seed=0)
    hist = trainer.run().history
    assert len(hist["test_loss"]) == 6 and len(hist["epoch_seconds"]) == 6
    assert hist["test_loss"][-1] < before - 5.0  # nats per image
    assert hist["train_loss"][-1] < hist["train_loss"][0]


def test_config_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="latent_dim must be an integer >= 1, got 0"):
        VAEConfig(latent_dim=0)
    with pytest.raises(ValueError, match="each hidden size must be an integer >= 1, got -4"):
        VAEConfig(hidden=(8, -4))
    with pytest.raises(ValueError, match=r"hidden must be a non-empty sequence"):
        VAEConfig(hidden=())
    with pytest.raises(ValueError, match=r"decoder must be one of \['bernoulli', 'gaussian'\]"):
        VAEConfig(decoder="poisson")
    with pytest.raises(TypeError, match="latent_dim must be an integer >= 1, got 2.0"):
        VAEConfig(latent_dim=2.0)
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        TrainConfig(lr_schedule="step")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        TrainConfig(batch_size=0)
    with pytest.raises(ValueError, match=r"train_x must have shape \(N, 784\)"):
        Trainer(VAEConfig(), TrainConfig(), torch.zeros(5, 64), torch.zeros(5, 784))


def test_gaussian_decoder_mean_is_the_sigmoid_of_the_last_layer():
    torch.manual_seed(0)
    model = VAE(input_dim=10, hidden=7, latent_dim=2, decoder="gaussian")
    z = torch.randn(3, 2)
    with torch.no_grad():
        torch.testing.assert_close(model.decode(z), torch.sigmoid(model.decoder(z)))


def _load_script():
    return load_example("train_vae")


@pytest.mark.parametrize("argv, message", [
    (["--hidden", "64", "0"], "must be a positive integer, got 0"),
    (["--dataset", "mnist"], "--data-dir is required with --dataset mnist"),
    (["--decoder", "poisson"], "invalid choice: 'poisson'"),
    (["--sigma", "-1"], "sigma must be a finite number > 0, got -1.0"),
    (["--lr", "0"], "lr must be a finite number > 0, got 0.0"),
    (["--iwae-images", "-2"], "--iwae-images must be >= 0, got -2"),
])
def test_script_argument_errors(argv, message, capsys):
    script = _load_script()
    with pytest.raises(SystemExit) as exc:
        script.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_script_on_digits_writes_outputs_and_refuses_a_resume_with_other_settings(tmp_path,
                                                                                    capsys):
    script = _load_script()
    out = str(tmp_path / "run")
    common = ["--out", out, "--hidden", "32", "--latent-dim", "2", "--iwae-samples", "20",
              "--iwae-images", "50", "--no-progress"]
    assert script.main(["--epochs", "1"] + common) == 0
    assert cli.run(script.main, ["--epochs", "2", "--resume"] + common) == 2
    assert "train.epochs: checkpoint 1 vs now 2" in capsys.readouterr().err
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert len(metrics["train_loss"]) == len(metrics["test_loss"]) == 1
    assert metrics["iwae_samples"] == 20 and metrics["iwae_images"] == 50
    assert metrics["test_iwae_nll"] < metrics["test_loss"][-1] + 1.0
    for name in ("reconstructions_epoch001.png", "samples.png", "losses.png", "latent_scatter.png"):
        assert os.path.getsize(os.path.join(out, name)) > 0
    assert cli.run(script.main, ["--resume", "--out", str(tmp_path / "none"),
                                 "--no-progress"]) == 2
    assert "no checkpoint to resume from" in capsys.readouterr().err
