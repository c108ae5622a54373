"""Training, checkpoints, exact resume, and the example script's argument errors."""

import json
import os
import signal

import numpy as np
import pytest
import torch

from dualgan import cli
from dualgan.checkpoint import SettingsMismatchError, load_checkpoint
from dualgan.images import load_digits
from vae import VAE, VAEConfig, VAETrainConfig, VAETrainer, evaluate_nelbo, kl_weight, learning_rate
from vae import cli as vae_cli

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def digits():
    train, test = load_digits(seed=0)
    return train.x[:300], test.x[:100]


def _trainer(digits, out_dir, **overrides):
    train_x, test_x = digits
    cfg = dict(epochs=2, batch_size=32, mc_samples=2, binarize="dynamic", seed=7, lr=3e-3)
    cfg.update(overrides)
    return VAETrainer(VAEConfig(input_dim=64, hidden=(24, 12), latent_dim=3),
                      VAETrainConfig(**cfg), train_x, test_x, progress=False, log_epochs=False,
                      checkpoint_path=None if out_dir is None else out_dir / "checkpoint.pt")


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


def test_ctrl_c_mid_epoch_checkpoints_there_and_resumes_exactly(digits, tmp_path, capsys):
    straight = _trainer(digits, tmp_path / "a")
    straight.run()
    capsys.readouterr()

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
    printed = capsys.readouterr().out
    assert "interrupted at epoch 1 after 160 images; checkpoint written to" in printed

    resumed = _trainer(digits, tmp_path / "b").resume()
    assert not resumed.run().interrupted
    for name, p in straight.model.state_dict().items():
        assert torch.equal(p, resumed.model.state_dict()[name]), name
    assert straight.history["test_loss"] == resumed.history["test_loss"]


def test_short_training_lowers_the_test_loss(digits):
    train_x, test_x = digits
    trainer = VAETrainer(VAEConfig(input_dim=64, hidden=(32,), latent_dim=4),
                         VAETrainConfig(epochs=6, batch_size=32, lr=3e-3, seed=1,
                                        lr_warmup_epochs=0, kl_warmup_epochs=0,
                                        output_bias_from_data=False),
                         train_x, test_x, progress=False, log_epochs=False)
    before = evaluate_nelbo(trainer.model, test_x, seed=0)
    hist = trainer.run().history
    assert len(hist["test_loss"]) == 6 and len(hist["epoch_seconds"]) == 6
    assert hist["test_loss"][-1] < before - 5.0  # nats per image
    assert hist["train_loss"][-1] < hist["train_loss"][0]


@pytest.mark.parametrize("schedule", ["cosine", "constant"])
def test_learning_rate_is_torchs_linear_warmup_then_cosine_or_constant(schedule):
    cfg = VAETrainConfig(epochs=4, lr=2e-3, lr_schedule=schedule, lr_warmup_epochs=1.0)
    steps_per_epoch = 7
    warmup, total = 7, 28
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=cfg.lr)
    after = (torch.optim.lr_scheduler.CosineAnnealingLR(
        opt, T_max=total - warmup, eta_min=cfg.lr * cfg.lr_final_fraction)
        if schedule == "cosine" else torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0))
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [torch.optim.lr_scheduler.LinearLR(
        opt, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1), after],
        milestones=[warmup])
    for step in range(total):
        expected = opt.param_groups[0]["lr"]
        assert learning_rate(cfg, step, steps_per_epoch) == pytest.approx(expected, rel=1e-12)
        opt.step()
        sched.step()


def test_kl_weight_rises_linearly_to_one_over_the_warmup():
    cfg = VAETrainConfig(kl_warmup_epochs=2.5)
    weights = np.array([kl_weight(cfg, step, 4) for step in range(15)])  # warm-up of 10 steps
    np.testing.assert_allclose(weights[:10], np.arange(1, 11) / 10, rtol=1e-15)
    assert np.all(weights[9:] == 1.0)
    assert kl_weight(VAETrainConfig(kl_warmup_epochs=0.0), 0, 4) == 1.0


def test_kl_warmup_weights_the_kl_gradient_and_the_test_loss_keeps_beta_one(digits):
    # one SGD step on the whole training set from the same start, with β = 1/4 and with β = 1:
    # the μ head's weights move by −lr·∂/∂W(rec + β·KL); ∂KL/∂μ = μ (SPEC 6, 1d), so the two
    # moves differ by −lr·(1 − β)·Σ_i μ_i h_iᵀ, with h the encoder's last hidden layer
    train_x, _ = digits
    lr = 1e-2
    config = dict(epochs=1, batch_size=len(train_x), lr=lr, lr_warmup_epochs=0.0,
                  lr_schedule="constant", binarize="none", mc_samples=1, seed=3)
    moves = {}
    for beta, warmup in ((0.25, 4.0), (1.0, 0.0)):
        t = _trainer(digits, None, **config, kl_warmup_epochs=warmup)
        t.optimizer = torch.optim.SGD(t.model.parameters(), lr=lr)
        with torch.no_grad():
            h = t.model.encoder(train_x)
            mu = t.model.to_mu(h)
        start = {n: p.detach().clone() for n, p in t.model.named_parameters()}
        t.run()
        moves[beta] = {n: p.detach() - start[n] for n, p in t.model.named_parameters()}
        assert t.history["test_loss"][0] == pytest.approx(
            evaluate_nelbo(t.model, t.test_x, seed=3 + 4), rel=1e-6)  # β = 1 at test time
    expected = -lr * (1 - 0.25) * (mu.T @ h)
    # atol: float32 rounding of the updated weights (|w| < 1, machine epsilon 1.2e-7)
    torch.testing.assert_close(moves[0.25]["to_mu.weight"] - moves[1.0]["to_mu.weight"],
                               -expected, rtol=1e-4, atol=1e-6)
    last = [n for n in moves[1.0] if n.startswith("decoder.")][-1]  # sees no KL: same move
    torch.testing.assert_close(moves[0.25][last], moves[1.0][last], rtol=1e-4, atol=1e-6)


def test_output_bias_starts_at_the_mean_image(digits):
    train_x, _ = digits
    t = _trainer(digits, None, output_bias_from_data=True)
    expected = train_x.mean(0).clamp(1e-3, 1 - 1e-3)
    torch.testing.assert_close(torch.sigmoid(t.model.decoder[-1].bias.detach()), expected,
                               rtol=1e-5, atol=1e-6)
    torch.manual_seed(7)
    plain = VAE(t.model_config).decoder[-1].bias
    assert torch.equal(_trainer(digits, None, output_bias_from_data=False)
                       .model.decoder[-1].bias, plain)


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
        VAETrainConfig(lr_schedule="step")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        VAETrainConfig(batch_size=0)
    with pytest.raises(ValueError, match=r"binarize must be one of \['none', 'dynamic'\]"):
        VAETrainConfig(binarize="static")
    with pytest.raises(ValueError, match="kl_warmup_epochs must be a finite number >= 0, got -1"):
        VAETrainConfig(kl_warmup_epochs=-1)
    with pytest.raises(TypeError, match="output_bias_from_data must be True or False"):
        VAETrainConfig(output_bias_from_data="yes")
    with pytest.raises(ValueError, match=r"train_x must have shape \(N, 784\)"):
        VAETrainer(VAEConfig(), VAETrainConfig(), torch.zeros(5, 64), torch.zeros(5, 784))


def test_gaussian_decoder_mean_is_the_sigmoid_of_the_last_layer():
    torch.manual_seed(0)
    model = VAE(input_dim=10, hidden=7, latent_dim=2, decoder="gaussian")
    z = torch.randn(3, 2)
    with torch.no_grad():
        torch.testing.assert_close(model.decode(z), torch.sigmoid(model.decoder(z)))


def _load_script():
    """What examples/train_vae.py runs: vae.cli (its main, parse_args and helpers)."""
    return vae_cli


@pytest.mark.parametrize("argv, message", [
    (["--hidden", "64", "0"], "must be a positive integer, got 0"),
    (["--dataset", "mnist"], "--data-dir is required with --dataset mnist"),
    (["--decoder", "poisson"], "invalid choice: 'poisson'"),
    (["--sigma", "-1"], "sigma must be a finite number > 0, got -1.0"),
    (["--lr", "0"], "lr must be a finite number > 0, got 0.0"),
    (["--iwae-images", "-2"], "--iwae-images must be >= 0, got -2"),
    (["--binarize", "yes"], "invalid choice: 'yes'"),
    (["--seeds", "1", "2", "1"], "--seeds must not repeat a seed, got [1, 2, 1]"),
    (["--seed", "3", "--seeds", "1"], "not allowed with argument --seed"),
    (["--threads", "0"], "must be a positive integer, got 0"),
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


def _fake_seed_runs(script, out, seeds, argv):
    """metrics.json files for ``seeds`` as finished runs with ``argv`` would leave them, with
    arbitrary numbers: what the summary must read back."""
    rng = np.random.default_rng(5)
    args = script.parse_args(argv + ["--seeds", *map(str, seeds)])
    values = {}
    for seed in seeds:
        config = VAETrainConfig(**{**vars(args.train_config), "seed": seed})
        values[seed] = {key: float(rng.uniform(80, 100)) for key in script.SUMMARIZED}
        os.makedirs(out / f"seed_{seed}")
        (out / f"seed_{seed}" / "metrics.json").write_text(
            json.dumps({**values[seed], "settings": script.run_settings(args, config)}))
    return values


def test_seeds_summary_is_computed_from_the_per_seed_metrics_files(tmp_path, capsys):
    script = _load_script()
    out = tmp_path / "seeds"
    argv = ["--epochs", "1", "--hidden", "16", "--latent-dim", "2", "--no-progress",
            "--out", str(out)]
    values = _fake_seed_runs(script, out, [0, 2, 5], argv)
    assert script.main(argv + ["--seeds", "0", "2", "5"]) == 0  # every seed finished: no training
    assert capsys.readouterr().out.count("finished earlier") == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seeds"] == [0, 2, 5]
    for key in script.SUMMARIZED:
        per_seed = np.array([values[s][key] for s in (0, 2, 5)])
        got = summary[key]
        assert got["n"] == 3
        assert got["mean"] == pytest.approx(per_seed.mean(), rel=1e-12)
        assert got["std"] == pytest.approx(per_seed.std(ddof=1), rel=1e-12)
        assert got["worst"] == per_seed.max()
        assert got["worst_seed"] == (0, 2, 5)[int(per_seed.argmax())]


def test_seeds_resume_an_interrupted_seed_and_refuse_other_settings(tmp_path, capsys):
    script = _load_script()
    out = tmp_path / "seeds"
    common = ["--hidden", "16", "--latent-dim", "2", "--iwae-samples", "5", "--iwae-images",
              "20", "--no-progress", "--epochs", "2"]
    single = common + ["--seed", "1"]
    assert script.main(single + ["--out", str(tmp_path / "straight")]) == 0
    # seed 1 stopped after its first of two epochs: a checkpoint and no metrics.json
    args = script.parse_args(single)
    train, test, config = script.load_data(args, 1)
    os.makedirs(out / "seed_1")
    VAETrainer(config, args.train_config, train.x, test.x, progress=False, log_epochs=False,
               checkpoint_path=out / "seed_1" / "checkpoint.pt").run(until_epoch=1)
    seeds = common + ["--out", str(out), "--seeds", "0", "1"]
    assert script.main(seeds) == 0
    printed = capsys.readouterr().out
    assert "seed 0: starting" in printed and "seed 1: resuming" in printed
    resumed = json.loads((out / "seed_1" / "metrics.json").read_text())
    straight = json.loads((tmp_path / "straight" / "metrics.json").read_text())
    assert resumed["test_loss"] == straight["test_loss"]
    assert resumed["test_iwae_nll"] == straight["test_iwae_nll"]
    assert cli.run(script.main, seeds + ["--epochs", "3"]) == 2
    assert "train.epochs: checkpoint 2 vs now 3" in capsys.readouterr().err
