"""What the training loop does besides stepping, one callback each: the progress bar, the
snapshots of generated samples, the generator's weight average, and the periodic checkpoints.

A callback is any object with some of these methods (each optional); the loop
(:class:`generator.training.trainer.GANTrainer`) calls them in its list's order:

* ``on_run_start(trainer)`` — before the first step of a run (or of a resumed run);
* ``on_update(trainer)`` — right after the method's step, inside the step's timing (what counts
  as part of a step, like the weight average);
* ``on_step_end(trainer, logs)`` — after the step's logs are recorded (``logs``: this step's);
* ``on_run_end(trainer, interrupted)`` — when the run stops: done, out of time, or Ctrl-C (then
  ``interrupted``), before the final checkpoint.

A callback whose state a checkpoint must hold keeps it on the trainer's state (the loop saves
``trainer.state_dict()``); the built-in ones keep theirs where earlier checkpoints had it.
"""

import math

from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from ..methods.protocol import progress_fields


class ProgressBar:
    """A tqdm bar over the run's steps, with the method's progress fields
    (:func:`generator.methods.protocol.progress_fields`) or ``config.postfix_keys`` every 10
    steps. Off with ``config.progress=False``."""

    def __init__(self):
        self.bar = None

    def on_run_start(self, trainer):
        cfg = trainer.config
        self.bar = tqdm(total=cfg.steps, initial=trainer.step, disable=not cfg.progress,
                        dynamic_ncols=True, leave=True)

    def on_step_end(self, trainer, logs):
        cfg = trainer.config
        self.bar.update(1)
        if cfg.progress and (trainer.step % 10 == 0 or trainer.step == cfg.steps):
            keys = progress_fields(trainer.method) if cfg.postfix_keys is None else cfg.postfix_keys
            self.bar.set_postfix({k: f"{logs[k]:.4g}" for k in keys
                                  if k in logs and math.isfinite(logs[k])}, refresh=False)

    def on_run_end(self, trainer, interrupted):
        self.bar.close()  # before the message of a Ctrl-C


class Snapshots:
    """Generated samples from the fixed snapshot latents at ``config.snapshots`` evenly spaced
    steps, step 0 and the last included, and at the step where the time budget stopped a run;
    kept in ``trainer.snapshots`` (so in every checkpoint)."""

    def wanted(self, trainer):
        """The steps whose samples are kept."""
        k, steps = trainer.config.snapshots, trainer.config.steps
        if k <= 0:
            return set()
        if k == 1:
            return {steps}
        return {round(i * steps / (k - 1)) for i in range(k)}

    def on_run_start(self, trainer):
        self._wanted = self.wanted(trainer)
        # after a resume with more steps, keep only the snapshots of the new schedule
        trainer.snapshots = {s: v for s, v in trainer.snapshots.items() if s in self._wanted}
        if trainer.step == 0 and 0 in self._wanted and 0 not in trainer.snapshots:
            trainer.take_snapshot()

    def on_step_end(self, trainer, logs):
        if trainer.step in self._wanted:
            trainer.take_snapshot()

    def on_run_end(self, trainer, interrupted):
        if (self._wanted and trainer.step < trainer.config.steps and not interrupted
                and trainer.step not in trainer.snapshots):
            trainer.take_snapshot()  # stopped by the time budget


class WeightAverage:
    """The generator's weights averaged exponentially, a ← d·a + (1 − d)·θ after every step
    (from θ after the first), by :class:`torch.optim.swa_utils.AveragedModel` with its buffers;
    samples, snapshots and metrics are drawn from ``model.module``.

    Parameters
    ----------
    g_net : torch.nn.Module
    decay : float
        d, in [0, 1].
    """

    def __init__(self, g_net, decay):
        self.model = AveragedModel(g_net, use_buffers=True,
                                   multi_avg_fn=get_ema_multi_avg_fn(decay))

    def on_update(self, trainer):
        self.model.update_parameters(trainer.method.g_net)


class Checkpoints:
    """A checkpoint every ``config.checkpoint_every`` steps (0: none but the final one, which the
    loop writes itself, and the one of a Ctrl-C)."""

    def on_step_end(self, trainer, logs):
        every = trainer.config.checkpoint_every
        if every and trainer.step % every == 0:
            trainer.save()


def call(callbacks, hook, *args):
    """Call ``hook`` on every callback that has it, in order."""
    for callback in callbacks:
        method = getattr(callback, hook, None)
        if method is not None:
            method(*args)
