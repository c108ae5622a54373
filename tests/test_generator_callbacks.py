"""generator.training.callbacks: what the loop does besides stepping, each hook called when its
documentation says, and a caller's own callbacks beside the loop's."""

import torch

from dualgan.checkpoint import load_checkpoint
from generator.data.targets import make_target
from generator.methods.baseline import make_baseline
from generator.nets.generators import MLPGenerator
from generator.training.trainer import GANTrainConfig, GANTrainer


class Recorder:
    """Every hook call, with the trainer's step at that moment."""

    def __init__(self):
        self.calls = []

    def on_run_start(self, trainer):
        self.calls.append(("start", trainer.step))

    def on_update(self, trainer):
        self.calls.append(("update", trainer.step))

    def on_step_end(self, trainer, logs):
        self.calls.append(("end", trainer.step, logs["step"]))

    def on_run_end(self, trainer, interrupted):
        self.calls.append(("stop", trainer.step, interrupted))


def _trainer(tmp_path, steps, callbacks=(), **loop):
    torch.manual_seed(0)
    method = make_baseline("mlp-ns", MLPGenerator(2, 2, hidden=(8,)), 2, hidden=(8,), lr=1e-3)
    config = GANTrainConfig(steps=steps, batch_size=16, progress=False, **loop)
    return GANTrainer(method, make_target("ring"), config, callbacks=callbacks,
                      checkpoint_path=tmp_path / "ckpt.pt")


def test_a_callers_callback_sees_each_step_inside_and_after_it(tmp_path):
    recorder = Recorder()
    _trainer(tmp_path, 3, callbacks=[recorder], snapshots=0).run()
    # on_update inside the step (before it is counted), on_step_end after its logs are recorded
    assert recorder.calls == [("start", 0), ("update", 0), ("end", 1, 1.0), ("update", 1),
                              ("end", 2, 2.0), ("update", 2), ("end", 3, 3.0),
                              ("stop", 3, False)]


def test_a_periodic_checkpoint_holds_the_snapshot_of_its_own_step(tmp_path):
    # the snapshots are taken before the checkpoint of the same step is written
    trainer = _trainer(tmp_path, 4, snapshots=3, checkpoint_every=2, snapshot_size=5)
    seen = {}

    class AfterCheckpoint:
        def on_step_end(self, trainer, logs):
            if trainer.step == 2:
                seen.update(load_checkpoint(trainer.checkpoint_path)["snapshots"])

    trainer.callbacks.append(AfterCheckpoint())
    result = trainer.run()
    assert set(seen) == {0, 2} and set(result.snapshots) == {0, 2, 4}
    torch.testing.assert_close(seen[2], result.snapshots[2], rtol=0, atol=0)


def test_a_run_stopped_by_its_time_budget_snapshots_the_step_it_stopped_at(tmp_path):
    trainer = _trainer(tmp_path, 1000, snapshots=2, snapshot_size=5, max_seconds=1e-9)
    result = trainer.run()
    assert result.step == 1 and set(result.snapshots) == {0, 1}
