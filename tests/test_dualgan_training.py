"""The outer loop both trainers share (dualgan.training.CheckpointedLoop._train), on a loop that
only counts, and the trainers' names (generator's and vae's no longer collide)."""

import os
import signal
import time

import pytest
import torch

from dualgan.checkpoint import load_checkpoint
from dualgan.training import CheckpointedLoop, NonFiniteError, check_finite


def _ctrl_c(stop):
    """Send this process SIGINT, as a Ctrl-C would, and wait until its handler has run."""
    before = stop.requested
    os.kill(os.getpid(), signal.SIGINT)
    deadline = time.monotonic() + 10
    while stop.requested == before and time.monotonic() < deadline:
        time.sleep(0.001)  # the handler runs here (and raises at a second Ctrl-C)


class _Counter(CheckpointedLoop):
    """Counts to ``total``, one step per unit; Ctrl-C or a NaN at chosen steps."""

    def __init__(self, total, checkpoint_path=None, checkpoint_every=0, ctrl_c_at=(),
                 nan_at=None):
        self.total = total
        self.checkpoint_path = None if checkpoint_path is None else str(checkpoint_path)
        self.checkpoint_every = checkpoint_every
        self.ctrl_c_at = list(ctrl_c_at)  # a step listed twice gets two Ctrl-C
        self.nan_at = nan_at
        self.count = 0
        self.wound_up = None

    def settings(self):
        return {"total": self.total}

    def state_dict(self):
        return {"count": self.count, "wound_up": self.wound_up}

    def load_state_dict(self, state):
        self.count = state["count"]

    def _units_done(self):
        return self.count

    def _done(self):
        return self.count >= self.total

    def _one_unit(self, stop):
        step = self.count + 1
        for _ in range(self.ctrl_c_at.count(step)):
            _ctrl_c(stop)
        if step == self.nan_at:
            check_finite(torch.tensor([1.0, float("nan")]), f"the output of step {step}")
        self.count = step  # the unit goes on to its end after a first Ctrl-C
        if self.checkpoint_every and step % self.checkpoint_every == 0:
            self.save()

    def _wind_up(self, interrupted):
        self.wound_up = interrupted


def test_a_finished_run_writes_its_final_state_and_restores_the_thread_count(tmp_path):
    threads = torch.get_num_threads()
    loop = _Counter(5, tmp_path / "ckpt.pt")
    assert loop._train(num_threads=1) is False
    assert loop.count == 5 and torch.get_num_threads() == threads
    state = load_checkpoint(tmp_path / "ckpt.pt")
    assert state["count"] == 5
    assert state["wound_up"] is False  # _wind_up ran before the final checkpoint


def test_a_first_ctrl_c_finishes_the_unit_saves_and_returns_interrupted(tmp_path, capsys):
    path = tmp_path / "ckpt.pt"
    loop = _Counter(10, path, checkpoint_every=2, ctrl_c_at=[3])
    assert loop._train() is True
    assert loop.count == 3  # step 3 was finished, step 4 never started
    state = load_checkpoint(path)
    assert state["count"] == 3 and state["wound_up"] is True
    assert f"interrupted at step 3; checkpoint written to {str(path)!r}" in capsys.readouterr().out
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_a_ctrl_c_in_the_last_unit_is_reported(tmp_path):
    loop = _Counter(4, tmp_path / "ckpt.pt", ctrl_c_at=[4])
    assert loop._train() is True and loop.count == 4


def test_a_second_ctrl_c_raises_at_once_and_keeps_the_last_checkpoint(tmp_path):
    loop = _Counter(10, tmp_path / "ckpt.pt", checkpoint_every=2, ctrl_c_at=[3, 3])
    with pytest.raises(KeyboardInterrupt):
        loop._train()
    assert loop.count == 2  # step 3 did not finish
    assert load_checkpoint(tmp_path / "ckpt.pt")["count"] == 2


def test_a_ctrl_c_without_a_checkpoint_path_says_nothing_was_saved(capsys):
    assert _Counter(10, ctrl_c_at=[2])._train() is True
    assert "interrupted at step 2 (no checkpoint_path, nothing saved)" in capsys.readouterr().out


def test_a_ctrl_c_is_not_announced_when_asked_not_to(tmp_path, capsys):
    assert _Counter(10, tmp_path / "ckpt.pt", ctrl_c_at=[2])._train(announce=False) is True
    assert capsys.readouterr().out == ""


def test_a_non_finite_unit_is_named_and_the_last_checkpoint_is_left_untouched(tmp_path):
    path = tmp_path / "ckpt.pt"
    loop = _Counter(10, path, checkpoint_every=2, nan_at=5)
    expected = (r"training stopped at step 5: the output of step 5 has 1 non-finite value\(s\) "
                r"out of 2\. Lower the learning rate; the last good checkpoint \(step 4\) is kept "
                r"at '.*ckpt\.pt'\.$")
    with pytest.raises(NonFiniteError, match=expected):
        loop._train()
    state = load_checkpoint(path)
    assert state["count"] == 4 and state["wound_up"] is None  # no final checkpoint
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]  # no temporary file left over


def test_the_last_good_checkpoint_is_the_one_resumed_from_until_a_new_one(tmp_path):
    _Counter(10, tmp_path / "ckpt.pt", ctrl_c_at=[3])._train(announce=False)
    resumed = _Counter(10, tmp_path / "ckpt.pt", nan_at=5).resume()
    with pytest.raises(NonFiniteError, match=r"at step 5: .*checkpoint \(step 3\)"):
        resumed._train()
    with pytest.raises(NonFiniteError, match="no checkpoint was written yet"):
        _Counter(10, nan_at=1)._train()


def test_generator_and_vae_export_no_trainer_names_in_common():
    import generator
    import vae

    trainers = {"GANTrainer", "GANTrainConfig", "GANTrainResult"}
    assert trainers <= set(generator.__all__)
    assert {name.replace("GAN", "VAE") for name in trainers} <= set(vae.__all__)
    shared = set(generator.__all__) & set(vae.__all__)
    assert not [name for name in shared if "Train" in name], shared
    for module in (generator, vae):
        for old in ("Trainer", "TrainConfig", "TrainResult"):
            assert not hasattr(module, old), (module.__name__, old)
