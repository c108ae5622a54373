"""A generic generator-training loop with a pluggable method (dual, or a baseline GAN).

The loop owns everything that is not the method's mathematics: seeds and random streams, the
real and latent minibatches, the progress bar, per-step logs, snapshots of generated samples for
figures, atomic checkpoints, exact resume, a clean stop on Ctrl-C, and a stop with a clear error
when the generator produces non-finite values. Its outer loop (Ctrl-C, threads, the final
checkpoint) is :class:`dualgan.training.CheckpointedLoop`'s, shared with :class:`vae.VAETrainer`;
its unit is one generator step. With ``ema`` set it also keeps an exponential moving average of
the generator's weights (:class:`torch.optim.swa_utils.AveragedModel`), and the samples it draws
come from the average.

A *method* is any object satisfying :class:`generator.methods.TrainingMethod` (``g_net``,
``config``, ``step(real, latent)``, ``state_dict()``, ``load_state_dict(state)``); the registered
ones are listed in :data:`generator.methods.METHODS`. What the loop does besides stepping (the
progress bar, the snapshots, the weight average, the periodic checkpoints) is done by callbacks
(:mod:`generator.training.callbacks`); a caller may add its own.
"""

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Optional

import torch

from dualgan.checkpoint import rng_states, set_rng_states
from dualgan.training import CheckpointedLoop, NonFiniteError, check_finite
from dualgan.validation import check_int, check_positive, check_positive_int, check_real

from ..nets.generators import sample_latent
from .callbacks import Checkpoints, ProgressBar, Snapshots, WeightAverage, call


@dataclass
class GANTrainConfig:
    """Settings of the loop (the method has its own)."""

    steps: int = 2000  # generator updates in total
    batch_size: int = 256  # real samples and generated samples per step (each)
    seed: int = 0  # seeds the data, latent and snapshot streams
    snapshots: int = 5  # figures: samples at this many evenly spaced steps, 0 and last included
    snapshot_size: int = 2500  # points per snapshot (the mode-metric protocol uses 2500)
    checkpoint_every: int = 0  # also checkpoint every k steps (0: only at the end and on Ctrl-C)
    progress: bool = True  # show a tqdm progress bar
    postfix_keys: Optional[tuple] = None  # logged values on the bar; None: the method's own
    num_threads: Optional[int] = 1  # torch threads (small models: 1 is fastest); None: unchanged
    max_seconds: Optional[float] = None  # stop after this much training time too (wall-clock)
    # the generator's weights averaged as a ← ema·a + (1 − ema)·θ after every step (starting
    # from θ after the first); samples, snapshots and metrics come from the average. None: off
    ema: Optional[float] = None

    def __post_init__(self):
        check_positive_int(self.steps, "steps")
        check_positive_int(self.batch_size, "batch_size")
        check_int(self.seed, "seed", minimum=0)
        check_int(self.snapshots, "snapshots", minimum=0)
        check_positive_int(self.snapshot_size, "snapshot_size")
        check_int(self.checkpoint_every, "checkpoint_every", minimum=0)
        if self.max_seconds is not None:
            self.max_seconds = check_positive(self.max_seconds, "max_seconds")
        if self.ema is not None:
            self.ema = check_real(self.ema, "ema", low=0.0, high=1.0,
                                  why="the decay of the generator's weight average")


#: Settings that checkpoints of earlier versions record and this one no longer has: the seed of
#: the baselines' own extra-minibatch stream, now the loop's (its state is carried over).
RETIRED = ("method.seed",)

#: Loop settings that do not change the trained result, so a resumed run may change them.
_COSMETIC = ("snapshots", "snapshot_size", "checkpoint_every", "progress", "postfix_keys",
             "num_threads", "max_seconds")


@dataclass
class GANTrainResult:
    """What :meth:`GANTrainer.run` returns."""

    step: int  # steps completed in total (resumed ones included)
    seconds: float  # wall-clock seconds of training in total (resumed runs included)
    cpu_seconds: float  # process CPU seconds of training (all threads; resumed runs included)
    logs: dict  # name → list of per-step floats; logs["step"] is the 1-based step number
    snapshots: dict  # step → generated samples (snapshot_size, dim) from a fixed latent batch
    interrupted: bool = False  # stopped by Ctrl-C (a checkpoint was written)
    checkpoint_path: Optional[str] = None


class GANTrainer(CheckpointedLoop):
    """Run a method on a target distribution, one generator step at a time.

    Parameters
    ----------
    method : generator.methods.TrainingMethod
        What one step does.
    target : generator.data.targets.Target
        Source of the real samples.
    config : GANTrainConfig
    checkpoint_path : str or path, optional
        Where checkpoints go; None disables checkpointing.
    settings : dict, optional
        Further settings the run depends on (e.g. a script's options), checked on resume with
        the loop's and the method's own.
    callbacks : sequence, optional
        Further callbacks (:mod:`generator.training.callbacks`), called after the loop's own.
    added_settings : dict, optional
        Those of ``settings`` added after older checkpoints were written, with the value their
        runs had: a checkpoint that lacks one matches that value
        (:func:`dualgan.checkpoint.check_same_settings`).

    Examples
    --------
    Twenty steps of the dual method on the ring (``generator.build`` and
    ``generator.make_trainer`` assemble the same from a preset):

    >>> import torch
    >>> from generator.nets.features import make_features
    >>> from generator.methods.feature_dual import DualConfig, DualMethod
    >>> from generator.nets.generators import MLPGenerator
    >>> from generator.data.targets import ring
    >>> from generator.training.trainer import GANTrainConfig, GANTrainer
    >>> _ = torch.manual_seed(0)
    >>> method = DualMethod(MLPGenerator(latent_dim=2, out_dim=2, hidden=(16,)),
    ...                     make_features("rff", 2, num_features=32, lengthscale=1.0, seed=0),
    ...                     DualConfig(c=1.0, form="dual", lr=1e-3))
    >>> config = GANTrainConfig(steps=20, batch_size=64, snapshots=0, progress=False)
    >>> result = GANTrainer(method, ring(), config).run()
    >>> result.step, len(result.logs["gap"]), bool(max(result.logs["gap"]) < 1e-8)
    (20, 20, True)
    """

    unit = "step"  # of CheckpointedLoop._train: one generator update
    non_finite_advice = "Lower the learning rate or raise c"

    def __init__(self, method, target, config=None, checkpoint_path=None, settings=None,
                 added_settings=None, callbacks=()):
        self.method = method
        self.target = target
        self.config = config if config is not None else GANTrainConfig()
        self.checkpoint_path = None if checkpoint_path is None else str(checkpoint_path)
        self.extra_settings = dict(settings or {})
        self.settings_added = dict(added_settings or {})
        seed = self.config.seed
        self.latent_dim = check_positive_int(method.g_net.latent_dim, "g_net.latent_dim")
        first = next(method.g_net.parameters())
        self.dtype = first.dtype  # of the samples and latent codes
        # the random streams stay on the CPU (the same draws on every device); the minibatches
        # move to where the networks are
        self.device = first.device
        # four independent streams: real data, latent codes, the fixed snapshot latents, and the
        # extra minibatches of a method that takes more than one per step (extra_batches)
        self.data_rng = torch.Generator().manual_seed(seed)
        self.latent_rng = torch.Generator().manual_seed(seed + 1_000_003)
        self.extra_rng = torch.Generator().manual_seed(seed + 3_000_009)
        snap_rng = torch.Generator().manual_seed(seed + 2_000_006)
        self.snapshot_latent = sample_latent(self.config.snapshot_size, self.latent_dim, snap_rng,
                                             dtype=self.dtype)
        average = (None if self.config.ema is None
                   else WeightAverage(method.g_net, self.config.ema))
        #: the generator's weight average (``config.ema``), or None; its ``module`` draws samples
        self.average = None if average is None else average.model
        self._snapshots = Snapshots()
        #: what the loop does besides stepping, in the order it is done after each step
        self.callbacks = [ProgressBar(), self._snapshots, *([average] if average else []),
                          Checkpoints(), *callbacks]
        self.step = 0
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.logs = {}
        self.snapshots = {}

    # ----------------------------------------------------------------- state and checkpoints
    def snapshot_steps(self):
        """The steps whose generated samples are kept (0 and the last step included)."""
        return self._snapshots.wanted(self)

    def resume(self, may_change=()):
        """Continue from the checkpoint exactly (:meth:`dualgan.training.CheckpointedLoop.resume`);
        a setting of :data:`RETIRED`, which an earlier version recorded, is not compared."""
        return super().resume(may_change=(*may_change, *RETIRED))

    def settings(self):
        """The loop's, the method's and the caller's settings (checked on resume)."""
        out = {f"train.{k}": v for k, v in dataclasses.asdict(self.config).items()
               if k not in _COSMETIC}
        out.update({f"method.{k}": v for k, v in dataclasses.asdict(self.method.config).items()})
        out.update(self.extra_settings)
        return out

    def state_dict(self):
        """Everything needed to continue exactly (weights-only-safe)."""
        return {
            "step": self.step,
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "method": self.method.state_dict(),
            "rng": rng_states(self._streams()),
            "logs": {k: list(v) for k, v in self.logs.items()},
            "snapshots": dict(self.snapshots),
            **({} if self.average is None else {"g_average": self.average.state_dict()}),
        }

    def load_state_dict(self, state):
        """Restore a state written by :meth:`state_dict`."""
        self.step = int(state["step"])
        self.seconds = float(state["seconds"])
        # nan for a checkpoint written before CPU time was recorded
        self.cpu_seconds = float(state.get("cpu_seconds", math.nan))
        self.method.load_state_dict(state["method"])
        streams = self._streams()
        if "extra" not in state["rng"]["generators"]:
            # written when a method drew its own extra minibatches: the same stream, kept by it
            self.extra_rng.set_state(state["method"].get("rng", self.extra_rng.get_state()))
            del streams["extra"]
        set_rng_states(state["rng"], streams)
        self.logs = {k: list(v) for k, v in state["logs"].items()}
        self.snapshots = dict(state["snapshots"])
        if self.average is not None:
            self.average.load_state_dict(state["g_average"])

    def _streams(self):
        return {"data": self.data_rng, "latent": self.latent_rng, "extra": self.extra_rng}

    # ----------------------------------------------------------------- the loop
    @property
    def sampler(self):
        """The network samples are drawn from: the weight average with ``config.ema``, else the
        trained generator."""
        return self.method.g_net if self.average is None else self.average.module

    def generate(self, latent=None):
        """Generated samples from the fixed snapshot latents (or ``latent``), no gradient, on the
        CPU, from :attr:`sampler`."""
        latent = self.snapshot_latent if latent is None else latent
        with torch.no_grad():
            return self.sampler(latent.to(self.device, self.dtype)).cpu()

    def take_snapshot(self):
        """Keep the samples of the fixed snapshot latents at this step (``snapshots[step]``)."""
        samples = self.generate()
        check_finite(samples, f"generator output on the snapshot latents at step {self.step}")
        self.snapshots[self.step] = samples.clone()

    def _check_parameters(self):
        for name, param in self.method.g_net.named_parameters():
            if not torch.isfinite(param).all():
                raise NonFiniteError(f"generator parameter {name!r} became non-finite")

    def run(self):
        """Train until ``config.steps`` (continuing from the current step after :meth:`resume`),
        or until ``config.max_seconds`` of training time are spent (then the last step is
        snapshotted too).

        A first Ctrl-C finishes the current step, writes a checkpoint and returns with
        ``interrupted=True``; a second one raises ``KeyboardInterrupt`` at once.

        Returns
        -------
        GANTrainResult

        Raises
        ------
        NonFiniteError
            The generator's output or parameters became non-finite; the last checkpoint on disk
            (if any) is left untouched.
        """
        cfg = self.config
        call(self.callbacks, "on_run_start", self)
        try:
            interrupted = self._train(num_threads=cfg.num_threads, announce=cfg.progress)
        finally:
            self._close()
        return GANTrainResult(step=self.step, seconds=self.seconds,
                              cpu_seconds=self.cpu_seconds, logs=self.logs,
                              snapshots=self.snapshots, interrupted=interrupted,
                              checkpoint_path=self.checkpoint_path)

    # ----------------------------------------------------------------- CheckpointedLoop's hooks
    def _units_done(self):
        return self.step

    def _done(self):
        cfg = self.config
        return self.step >= cfg.steps or (cfg.max_seconds is not None
                                          and self.seconds >= cfg.max_seconds)

    def _one_unit(self, stop):
        logs = self._one_step()
        call(self.callbacks, "on_step_end", self, logs)

    def _wind_up(self, interrupted):
        call(self.callbacks, "on_run_end", self, interrupted)
        self._ended = True

    def _close(self):
        """After an error the callbacks were not told the run ended: the bar still closes."""
        if not getattr(self, "_ended", False):
            for callback in self.callbacks:
                if isinstance(callback, ProgressBar) and callback.bar is not None:
                    callback.bar.close()
        self._ended = False

    def _batch(self, data_rng, latent_rng):
        """A (real, latent) minibatch: the latent codes first, then the real samples."""
        n = self.config.batch_size
        latent = sample_latent(n, self.latent_dim, latent_rng, dtype=self.dtype).to(self.device)
        real = self.target.sample(n, data_rng).to(self.device, self.dtype)
        return real, latent

    def _one_step(self):
        cfg = self.config
        start, cpu_start = time.perf_counter(), time.process_time()
        real = self.target.sample(cfg.batch_size, self.data_rng).to(self.device, self.dtype)
        latent = sample_latent(cfg.batch_size, self.latent_dim, self.latent_rng,
                               dtype=self.dtype).to(self.device)
        extra = [self._batch(self.extra_rng, self.extra_rng)
                 for _ in range(getattr(self.method, "extra_batches", 0))]
        logs = self.method.step(real, latent, extra) if extra else self.method.step(real, latent)
        self._check_parameters()
        call(self.callbacks, "on_update", self)
        elapsed = time.perf_counter() - start
        self.step += 1
        self.seconds += elapsed
        self.cpu_seconds += time.process_time() - cpu_start
        logs = {"step": float(self.step), **{k: float(v) for k, v in logs.items()},
                "step_seconds": elapsed}
        for key, value in logs.items():
            self.logs.setdefault(key, []).append(value)
        return logs
