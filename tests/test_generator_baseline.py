"""The standard GAN baseline (SPEC 5) and its gradient-trained SPEC 1 discriminator.

Independent references: V and the generator losses written out naively from D = 1/(1 + e^−a)
with torch.log, the closed-form logit derivatives −D and −(1 − D) of Goodfellow et al. (2014),
and dual.solve's exact w (SPEC 1) for the gradient-trained linear discriminator.
"""

import types

import numpy as np
import pytest
import torch
from scipy.special import expit

import dual
from dualgan.checkpoint import load_checkpoint
from generator import GANTrainConfig, GANTrainer, MLPGenerator, make_features, make_target
from generator import cli as gan_cli
from generator.methods.baseline import (
    BaselineConfig,
    BaselineMethod,
    discriminator_loss,
    generator_loss,
    make_baseline,
    value_estimate,
)
from generator.nets.discriminators import LinearFeatureDiscriminator, MLPDiscriminator

DT = torch.float64


def _naive_value(disc, real, fake):
    # V̂ = mean log D(x) + mean log(1 − D(g)), D = 1/(1 + exp(−a)), no log-sigmoid tricks
    d_real = 1.0 / (1.0 + torch.exp(-disc(real)))
    d_fake = 1.0 / (1.0 + torch.exp(-disc(fake)))
    return float((torch.log(d_real).mean() + torch.log(1.0 - d_fake).mean()).detach())


def _batches(seed=0, n=128):
    gen = torch.Generator().manual_seed(seed)
    real = make_target("ring").sample(n, gen)
    fake = 0.5 * torch.randn(n, 2, generator=gen, dtype=DT)
    return real, fake


@pytest.mark.parametrize("kind", [pytest.param("mlp", marks=pytest.mark.slow), "linear"])
def test_one_discriminator_step_increases_v(kind):
    torch.manual_seed(0)
    real, fake = _batches()
    if kind == "mlp":
        disc = MLPDiscriminator(2, hidden=(32, 32))
    else:
        disc = LinearFeatureDiscriminator(make_features("rff", 2, 64, 0.5, seed=1), c=1.0)
    method = BaselineMethod(MLPGenerator(2, 2, hidden=(8,)), disc,
                            BaselineConfig(lr=1e-3, d_lr=1e-2, d_optimizer="sgd"))
    before = _naive_value(disc, real, fake)
    with torch.no_grad():
        assert float(value_estimate(disc(real), disc(fake))) == pytest.approx(before, rel=1e-12)
    method.discriminator_step(real, fake)
    assert _naive_value(disc, real, fake) > before


def test_losses_are_exact_for_extreme_logits():
    a = torch.tensor([-800.0, 800.0], dtype=DT)
    # naive log σ(−800) underflows to −inf; the logit form gives −800 exactly
    assert float(generator_loss(a[:1], "non-saturating")) == pytest.approx(800.0)
    assert float(generator_loss(a[1:], "minimax")) == pytest.approx(-800.0)
    # (Σ softplus(−a_real) + Σ softplus(a_fake)) / 2 = (800 + e^−800 + e^−800 + 800) / 2
    assert float(discriminator_loss(a, a)) == pytest.approx(800.0, rel=1e-15)


@pytest.mark.parametrize("kind", ["minimax", "non-saturating"])
def test_generator_loss_gradients_match_closed_forms(kind):
    torch.manual_seed(1)
    disc = MLPDiscriminator(2, hidden=(16,))
    g = (0.7 * torch.randn(50, 2, dtype=DT)).requires_grad_(True)
    # autograd of the library loss, wrt the generated samples
    (grad_lib,) = torch.autograd.grad(generator_loss(disc(g), kind), g)
    # autograd of the closed form written naively: mean log(1 − D) or −mean log D
    d = 1.0 / (1.0 + torch.exp(-disc(g)))
    naive = torch.log(1.0 - d).mean() if kind == "minimax" else -torch.log(d).mean()
    (grad_naive,) = torch.autograd.grad(naive, g)
    torch.testing.assert_close(grad_lib, grad_naive, rtol=1e-10, atol=1e-14)
    # in the logit: d/da_j = −D_j / M (minimax), −(1 − D_j) / M (non-saturating)
    a = disc(g).detach().requires_grad_(True)
    (grad_a,) = torch.autograd.grad(generator_loss(a, kind), a)
    d = torch.sigmoid(a.detach())
    expected = -d / 50 if kind == "minimax" else -(1.0 - d) / 50
    torch.testing.assert_close(grad_a, expected, rtol=1e-12, atol=1e-15)


def test_minimax_saturates_where_non_saturating_does_not():
    # SPEC 5, 4a: a confident D (D(G(z)) ≈ 0) kills the minimax gradient only.
    a = torch.full((10,), -12.0, dtype=DT, requires_grad=True)
    (g_mm,) = torch.autograd.grad(generator_loss(a, "minimax"), a)
    (g_ns,) = torch.autograd.grad(generator_loss(a, "non-saturating"), a)
    assert g_mm.abs().max() < 1e-6 and g_ns.abs().min() > 0.09


@pytest.mark.slow
def test_linear_gd_converges_to_the_exact_discriminator():
    rng = np.random.default_rng(0)
    real = torch.from_numpy(rng.normal(size=(60, 2)) + [1.0, 0.5])
    fake = torch.from_numpy(rng.normal(size=(60, 2)) * 1.5)
    feats = make_features("bias", 2)
    c = 2.0
    method = make_baseline("linear-gd", MLPGenerator(2, 2, hidden=(4,)), 2, features=feats, c=c,
                           lr=1e-3, d_lr=0.2)
    method.d_optimizer = torch.optim.SGD(method.discriminator.parameters(), lr=0.2)
    for _ in range(3000):
        method.discriminator_step(real, fake)
    r, f = feats(real).numpy(), feats(fake).numpy()
    sol = dual.solve(r, f, c)  # SPEC 1 oracle (CLARABEL, interior point)
    w_gd = method.discriminator.w.detach().numpy()

    def grad_f(w):  # ∇F(w) = Σ σ(wᵀx_i) x_i − Σ σ(−wᵀg_j) g_j + c w, written out in numpy
        return r.T @ expit(r @ w) - f.T @ expit(-f @ w) + c * w

    # F is c-strongly convex: ‖w − w*‖ ≤ ‖∇F(w)‖ / c. The oracle is accurate to its own
    # gradient norm (~1e-4 here, an interior-point tolerance), GD to ~1e-12.
    oracle_radius = np.linalg.norm(grad_f(sol.w)) / c
    assert np.linalg.norm(grad_f(w_gd)) / c < 1e-9
    assert np.linalg.norm(w_gd - sol.w) <= oracle_radius + 1e-9
    np.testing.assert_allclose(w_gd, sol.w, atol=1e-5)


def _run(tmp_path, steps, resume=False):
    torch.manual_seed(0)
    target = make_target("ring")
    method = make_baseline("mlp-ns", MLPGenerator(2, 2, hidden=(16, 16)), 2, hidden=(16, 16),
                           lr=1e-3, d_steps=2)
    config = GANTrainConfig(steps=steps, batch_size=32, snapshots=0, progress=False)
    trainer = GANTrainer(method, target, config, checkpoint_path=tmp_path / "ckpt.pt")
    if resume:  # no learning-rate schedule: the number of steps may grow
        trainer.resume(may_change=("train.steps",))
    trainer.run()
    return method, trainer


def test_extending_a_finished_run_equals_one_long_run(tmp_path):
    full, full_tr = _run(tmp_path / "a", 12)
    _run(tmp_path / "b", 5)  # a shorter run leaves its checkpoint at step 5
    part, part_tr = _run(tmp_path / "b", 12, resume=True)
    assert part_tr.step == 12
    for (name, p), q in zip(full.g_net.state_dict().items(),
                            part.g_net.state_dict().values()):
        torch.testing.assert_close(p, q, rtol=0, atol=0, msg=name)
    for p, q in zip(full.discriminator.parameters(), part.discriminator.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert full_tr.logs["g_loss"] == part_tr.logs["g_loss"]


def test_make_baseline_validates():
    g = MLPGenerator(2, 2, hidden=(4,))
    with pytest.raises(ValueError, match="method must be one of"):
        make_baseline("wgan", g, 2)
    with pytest.raises(ValueError, match="needs the feature map"):
        make_baseline("linear-gd", g, 2)
    with pytest.raises(ValueError, match="d_steps must be an integer >= 1, got 0"):
        make_baseline("mlp-ns", g, 2, d_steps=0)
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got -1.0"):
        make_baseline("mlp-ns", g, 2, lr=-1.0)
    with pytest.raises(TypeError, match="lr must be a real number > 0, got '1e-3'"):
        make_baseline("mlp-ns", g, 2, lr="1e-3")
    with pytest.raises(ValueError, match=r"c must be a finite number > 0 \(SPEC 1 needs c > 0\)"):
        make_baseline("linear-gd", g, 2, features=make_features("bias", 2), c=0.0)
    with pytest.raises(ValueError, match="fixes g_loss"):
        make_baseline("mlp-ns", g, 2, g_loss="minimax")
    with pytest.raises(ValueError, match="linear discriminator on φ; arch must be 'mlp'"):
        make_baseline("linear-gd", g, 2, features=make_features("bias", 2), arch="conv")
    with pytest.raises(ValueError, match=r"d_arch='conv' needs the images' shape"):
        make_baseline("mlp-ns", g, 2, arch="conv")


@pytest.mark.slow
def test_example_script_extended_with_more_steps_matches_one_long_run(tmp_path):
    import json

    module = types.SimpleNamespace(  # what examples/train_baseline_gan.py's main does
        main=lambda argv: gan_cli.run_baseline_gan(gan_cli.parse_baseline(argv)))
    # a constant learning rate, so that a finished run may be continued with a larger --steps
    common = ["--method", "linear-gd", "--batch-size", "32", "--num-features", "16",
              "--hidden", "16", "16", "--snapshots", "2", "--checkpoint-every", "3",
              "--no-progress", "--seed", "4", "--d-steps", "2", "--lr-final", "none"]
    assert module.main(common + ["--steps", "8", "--out", str(tmp_path / "full")]) == 0
    assert module.main(common + ["--steps", "5", "--out", str(tmp_path / "part")]) == 0
    assert module.main(common + ["--steps", "8", "--out", str(tmp_path / "part"),
                                 "--resume"]) == 0
    full = load_checkpoint(tmp_path / "full" / "checkpoint.pt")
    part = load_checkpoint(tmp_path / "part" / "checkpoint.pt")
    for key, value in full["method"]["g_net"].items():
        torch.testing.assert_close(part["method"]["g_net"][key], value, rtol=0, atol=0)
    torch.testing.assert_close(part["method"]["discriminator"]["w"],
                               full["method"]["discriminator"]["w"], rtol=0, atol=0)
    m_full = json.loads((tmp_path / "full" / "metrics.json").read_text())
    m_part = json.loads((tmp_path / "part" / "metrics.json").read_text())
    assert m_full["mode_counts"] == m_part["mode_counts"]
    assert m_full["final_value"] == m_part["final_value"]
    assert (tmp_path / "part" / "samples.png").exists()
    assert (tmp_path / "part" / "curves.png").exists()


def test_the_loop_draws_the_extra_minibatches_latent_first_from_its_own_stream():
    # the stream and the order of the draws the baseline itself made before the loop drew them
    # (seed + 3,000,009; the latent codes, then the real samples): the same numbers
    seen = []

    class Recording:
        extra_batches = 2

        def __init__(self):
            self.g_net = MLPGenerator(2, 2, hidden=(4,))
            self.config = BaselineConfig()

        def step(self, real, latent, extra=()):
            seen.append(extra)
            return {}

        def state_dict(self):
            return {}

        def load_state_dict(self, state):
            pass

    target = make_target("ring")
    config = GANTrainConfig(steps=2, batch_size=8, seed=5, snapshots=0, progress=False)
    GANTrainer(Recording(), target, config).run()
    rng = torch.Generator().manual_seed(5 + 3_000_009)
    for extra in seen:
        assert len(extra) == 2
        for real, latent in extra:
            torch.testing.assert_close(latent, torch.randn(8, 2, generator=rng,
                                                           dtype=torch.float64), rtol=0, atol=0)
            torch.testing.assert_close(real, target.sample(8, rng), rtol=0, atol=0)


def test_a_checkpoint_whose_method_kept_the_extra_stream_resumes_bit_for_bit(tmp_path):
    # the format before the loop drew the extra minibatches: the stream's state in the
    # method's, and a method.seed setting
    full, full_tr = _run(tmp_path / "a", 12)
    _run(tmp_path / "b", 5)
    path = tmp_path / "b" / "ckpt.pt"
    state = torch.load(path, weights_only=True)
    state["method"]["rng"] = state["rng"]["generators"].pop("extra")
    state["settings"]["method.seed"] = 0
    torch.save(state, path)
    part, part_tr = _run(tmp_path / "b", 12, resume=True)
    assert part_tr.step == 12 and full_tr.logs["g_loss"] == part_tr.logs["g_loss"]
    for p, q in zip(full.g_net.parameters(), part.g_net.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
