"""The training loop and the dual method: ascent, exact resume, Ctrl-C, non-finite outputs."""

import os
import signal

import pytest
import torch

import dual
from dualgan.checkpoint import SettingsMismatchError, load_checkpoint
from dualgan.training import NonFiniteError
from generator import (
    DualConfig,
    DualMethod,
    GANTrainConfig,
    GANTrainer,
    MLPGenerator,
    make_features,
    make_target,
    sample_latent,
)


def _method(seed=0, lr=1e-3, solver="native", c=5.0, **kwargs):
    torch.manual_seed(seed)
    g = MLPGenerator(2, 2, hidden=(16, 16))
    phi = make_features("rff", 2, num_features=16, lengthscale=(0.3, 1.0), seed=seed)
    return DualMethod(g, phi, DualConfig(c=c, lr=lr, solver=solver, **kwargs))


def _trainer(tmp_path, steps, method=None, name="ckpt.pt", **kwargs):
    method = method if method is not None else _method()
    config = GANTrainConfig(steps=steps, batch_size=32, seed=3, snapshots=3, snapshot_size=50,
                            progress=False, **kwargs)
    return GANTrainer(method, make_target("ring"), config, checkpoint_path=tmp_path / name)


def _optimal_value(method, real, latent):
    """max_λ g(λ; θ) on a fixed batch, re-solved with CLARABEL (independent of the method)."""
    with torch.no_grad():
        fake = method.g_net(latent)
        sol = dual.solve(method.features(real), method.features(fake), method.config.c,
                         form="dual", solver="CLARABEL")
    return sol.dual_value


def test_one_step_increases_the_optimal_dual_value():
    method = _method(lr=1e-4)
    target = make_target("ring")
    real = target.sample(64, torch.Generator().manual_seed(0))
    latent = sample_latent(64, 2, torch.Generator().manual_seed(1))
    before = _optimal_value(method, real, latent)
    logs = method.step(real, latent)
    after = _optimal_value(method, real, latent)
    assert logs["dual_value"] == pytest.approx(before, rel=1e-6)  # g(λ*; θ) logged before the step
    assert after > before


def test_logs_are_consistent_with_the_certificate(tmp_path):
    result = _trainer(tmp_path, 4).run()
    logs = result.logs
    assert logs["step"] == [1.0, 2.0, 3.0, 4.0]
    for key in ("dual_value", "primal_value", "gap", "solve_seconds", "w_norm", "d_real",
                "d_fake", "iterations"):
        assert len(logs[key]) == 4
    for f, g, gap in zip(logs["primal_value"], logs["dual_value"], logs["gap"]):
        assert f - g == pytest.approx(gap, abs=1e-6 * max(1.0, abs(f)))
        assert abs(gap) <= 1e-5 * max(1.0, abs(f))
    assert all(0 < d < 1 for d in logs["d_real"] + logs["d_fake"])
    assert sorted(result.snapshots) == [0, 2, 4]
    assert result.snapshots[4].shape == (50, 2)


def _assert_same_state(a, b):
    for (name, p), (_, q) in zip(a.g_net.named_parameters(), b.g_net.named_parameters()):
        assert torch.equal(p, q), name


@pytest.mark.parametrize("solver", ["native", "CLARABEL"])
def test_extending_a_finished_run_equals_one_long_run(tmp_path, solver):
    full = _trainer(tmp_path, 6, _method(solver=solver), name="full.pt")
    full_result = full.run()

    half = _trainer(tmp_path, 3, _method(solver=solver), name="half.pt")
    half.run()
    # a fresh process would rebuild everything from scratch: different init seed on purpose
    resumed = _trainer(tmp_path, 6, _method(seed=99, solver=solver), name="half.pt")
    resumed.resume(may_change=("train.steps",))  # a constant learning rate: steps may grow
    assert resumed.step == 3
    result = resumed.run()

    _assert_same_state(full.method, resumed.method)
    for key in ("dual_value", "gap", "w_norm", "d_fake"):
        assert result.logs[key] == full_result.logs[key]
    assert sorted(result.snapshots) == sorted(full_result.snapshots)
    for step, pts in full_result.snapshots.items():
        assert torch.equal(result.snapshots[step], pts)


class _Interrupting(DualMethod):
    """Sends itself SIGINT during a chosen step, as Ctrl-C would."""

    interrupt_at = 3

    def step(self, real, latent):
        logs = super().step(real, latent)
        if self.num_steps == self.interrupt_at:
            os.kill(os.getpid(), signal.SIGINT)
        return logs


def test_ctrl_c_stops_cleanly_with_a_checkpoint_and_resumes_exactly(tmp_path):
    full = _trainer(tmp_path, 5, name="full.pt")
    full.run()

    torch.manual_seed(0)
    g = MLPGenerator(2, 2, hidden=(16, 16))
    phi = make_features("rff", 2, num_features=16, lengthscale=(0.3, 1.0), seed=0)
    method = _Interrupting(g, phi, DualConfig(c=5.0, lr=1e-3))
    stopped = _trainer(tmp_path, 5, method, name="stop.pt")
    result = stopped.run()
    assert result.interrupted and result.step == 3
    assert load_checkpoint(tmp_path / "stop.pt")["step"] == 3

    resumed = _trainer(tmp_path, 5, _method(seed=7), name="stop.pt").resume()
    resumed.run()
    _assert_same_state(full.method, resumed.method)


def test_ctrl_c_in_the_last_step_is_reported_so_the_caller_stops(tmp_path):
    torch.manual_seed(0)
    g = MLPGenerator(2, 2, hidden=(16, 16))
    phi = make_features("rff", 2, num_features=16, lengthscale=(0.3, 1.0), seed=0)
    method = _Interrupting(g, phi, DualConfig(c=5.0, lr=1e-3))
    method.interrupt_at = 4
    result = _trainer(tmp_path, 4, method, name="last.pt").run()
    assert result.interrupted and result.step == 4
    assert load_checkpoint(tmp_path / "last.pt")["step"] == 4


class _Exploding(torch.nn.Module):
    """A generator whose output turns to NaN from its n-th call on."""

    def __init__(self, inner, nan_from_call):
        super().__init__()
        self.inner = inner
        self.latent_dim = inner.latent_dim
        self.calls = 0
        self.nan_from_call = nan_from_call

    def forward(self, z):
        self.calls += 1
        out = self.inner(z)
        return out * float("nan") if self.calls >= self.nan_from_call else out


def test_non_finite_output_stops_with_a_clear_error_and_keeps_the_checkpoint(tmp_path):
    torch.manual_seed(0)
    g = _Exploding(MLPGenerator(2, 2, hidden=(16, 16)), nan_from_call=6)
    phi = make_features("rff", 2, num_features=16, lengthscale=0.5, seed=0)
    method = DualMethod(g, phi, DualConfig(c=5.0))
    # snapshots=0: every generator call is a training step, so step 6 is the first bad one
    trainer = _trainer(tmp_path, 10, method, checkpoint_every=2)
    trainer.config.snapshots = 0
    expected = r"step 6.*non-finite.*last good checkpoint \(step 4\)"
    with pytest.raises(NonFiniteError, match=expected):
        trainer.run()
    state = load_checkpoint(tmp_path / "ckpt.pt")
    assert state["step"] == 4
    for name, value in state["method"]["g_net"].items():
        assert torch.isfinite(value).all(), name
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")]


def test_bad_configuration_raises_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        _trainer(tmp_path, 0)
    with pytest.raises(ValueError, match=r"c must be a finite number > 0 \(SPEC 1 needs c > 0\), "
                                         r"got 0.0"):
        DualConfig(c=0.0)
    with pytest.raises(TypeError, match="c must be a real number > 0, got '1'"):
        DualConfig(c="1")
    with pytest.raises(ValueError, match="resume needs a checkpoint_path"):
        GANTrainer(_method(), make_target("ring"), GANTrainConfig(steps=1)).resume()


def test_resume_refuses_other_settings_of_the_loop_or_the_method(tmp_path):
    _trainer(tmp_path, 2).run()
    with pytest.raises(SettingsMismatchError, match="method.c: checkpoint 5.0 vs now 7.0"):
        _trainer(tmp_path, 2, _method(c=7.0)).resume()
    with pytest.raises(SettingsMismatchError, match="train.batch_size"):
        GANTrainer(_method(), make_target("ring"),
                   GANTrainConfig(steps=2, batch_size=16, seed=3, progress=False),
                   checkpoint_path=tmp_path / "ckpt.pt").resume()
    # how often snapshots or checkpoints are taken does not change the run: accepted
    trainer = _trainer(tmp_path, 2, checkpoint_every=1)
    trainer.config.snapshots = 1
    assert trainer.resume().step == 2
