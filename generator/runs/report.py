"""One run from its settings to its outputs, composed in code: :func:`train_and_report`.

What every GAN script and the methods × seeds comparison do with a run: build it, resume it if
asked, train it, score the trained generator with the target's suite, and write the run
directory:

* ``config.json`` — the settings (written before training);
* ``checkpoint.pt`` — every ``checkpoint_every`` steps, at the end and on Ctrl-C;
* ``metrics.json`` — the suite's metrics, the run's timing and wall-clock budget
  (``max_seconds``, None for none), the method's own summary of its logs
  (:func:`generator.methods.protocol.summarize_logs`) and the settings;
* ``samples.npz`` — ``num_samples`` samples of the final generator (array ``x``, float32);
* the suite's figures (samples, classes or modes) and the method's (curves, dual weights).

What differs between methods and kinds of target comes from their hooks and suites; this
module names neither.
"""

import os
from dataclasses import dataclass
from typing import Optional

from dualgan.files import write_json
from dualgan.lock import hold_directory

from ..evaluation import sampling
from ..evaluation.suites import suite
from ..methods import protocol
from .build import build, make_trainer


@dataclass
class RunReport:
    """What :func:`train_and_report` did.

    Attributes
    ----------
    metrics : dict or None
        The contents of ``metrics.json``; None when Ctrl-C stopped the training.
    interrupted : bool
        Ctrl-C stopped the training; the checkpoint holds the last step (resume it).
    step : int
        Steps trained.
    figures : list of str
        The figures written into the run directory.
    """

    metrics: Optional[dict]
    interrupted: bool
    step: int
    figures: list


def train_and_report(config, out, *, resume=False, snapshots=5, checkpoint_every=250,
                     max_seconds=None, num_samples=sampling.NUM_SAMPLES, cache_dir=None,
                     progress=True, title=None, log=print):
    """Train the run of ``config`` into the directory ``out`` and write its outputs.

    Parameters
    ----------
    config : generator.runs.config.RunConfig
    out : str or os.PathLike
        The run directory (created; a checkpoint there is resumed only with ``resume``).
    resume : bool
        Continue from ``out/checkpoint.pt`` exactly. With a constant learning rate
        (``lr_final`` None) the number of steps may grow (a finished run is extended).
    snapshots, checkpoint_every, max_seconds : optional
        The loop's (:class:`generator.training.trainer.GANTrainConfig`); ``max_seconds`` also
        stops the training after that many seconds (a wall-clock budget).
    num_samples : int
        Samples of the final generator written to ``samples.npz`` (the metrics use the first
        ``suite(target).eval_size``, drawn the same whatever this is).
    cache_dir : str, optional
        Where an image target's judging classifier is cached.
    progress : bool
        Show the progress bar.
    title : str, optional
        The figures' title (default: the target and the method).
    log : callable
        Where the run's lines go (one string each); ``print`` by default.

    Returns
    -------
    RunReport

    Raises
    ------
    PermissionError, OSError
        ``out`` cannot be written (before anything is trained).
    dualgan.lock.OutputLockedError
        Another process writes into ``out`` (before anything is built).
    dualgan.files.WriteFailedError
        A write failed (a full disk, a quota, an I/O error); the message names the file and
        the last good checkpoint.
    FileNotFoundError, dualgan.checkpoint.CheckpointError, SettingsMismatchError
        ``resume`` without a usable checkpoint, or with other settings.
    """
    out = os.fspath(out)
    with hold_directory(out):  # one writer per run directory, before any work (dualgan.lock)
        return _train_and_report(config, out, resume, snapshots, checkpoint_every, max_seconds,
                                 num_samples, cache_dir, progress, title, log)


def _train_and_report(config, out, resume, snapshots, checkpoint_every, max_seconds,
                      num_samples, cache_dir, progress, title, log):
    target, method = build(config)
    target_suite = suite(target)
    trainer = make_trainer(config, target, method,
                           checkpoint_path=os.path.join(out, "checkpoint.pt"),
                           snapshots=snapshots, checkpoint_every=checkpoint_every,
                           progress=progress, max_seconds=max_seconds,
                           snapshot_size=target_suite.snapshot_size)
    if resume:
        # with a constant learning rate a finished run may be extended with more steps
        trainer.resume(may_change=("run.steps", "train.steps") if config.training.lr_final is None
                       else ())
        log(f"resumed from step {trainer.step} of {out}/checkpoint.pt")
    write_json(os.path.join(out, "config.json"), config.to_dict())
    log(f"{config.method}: {protocol.describe(method)}; target {target.name}")

    result = trainer.run()
    if result.interrupted:
        log(f"stopped at step {result.step}; continue with --resume")
        return RunReport(None, True, result.step, [])

    final, rng, latent, samples = sampling.evaluate(trainer, target, config.seed, cache_dir,
                                                    num_samples=num_samples)
    sampling.save_samples(os.path.join(out, "samples.npz"), samples[:num_samples])
    metrics = {k: final[k] for k in target_suite.reported}
    metrics.update(steps=trainer.step, seconds=trainer.seconds, cpu_seconds=trainer.cpu_seconds,
                   steps_per_second=trainer.step / trainer.seconds, max_seconds=max_seconds)
    metrics.update(protocol.summarize_logs(method, result.logs, result.seconds))
    metrics["config"] = config.to_dict()
    write_json(os.path.join(out, "metrics.json"), metrics)

    title = title or f"{target.name}, {config.method}"
    names = target_suite.plot_run(out, result, target, metrics, title, config.seed)
    # a fresh minibatch from the evaluation stream, for the method's own figures
    real = target.sample(config.training.batch_size, rng)
    fake = trainer.generate(latent[: config.training.batch_size])
    names += protocol.figures(method, out, result.logs, real, fake, target)
    log(target_suite.summary(target, metrics))
    log(_cost_line(result, metrics))
    log(f"wrote {out}/metrics.json, samples.npz and {', '.join(names)}")
    return RunReport(metrics, False, result.step, names)


def _cost_line(result, metrics):
    """Steps, wall and CPU seconds, and, for an exact method, its certificates."""
    line = (f"{result.step} steps in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s of CPU; "
            f"{metrics['steps_per_second']:.1f} steps/s)")
    if "max_gap" in metrics:
        line += (f", {metrics['solve_seconds'] / result.seconds:.0%} of it in the solve; final "
                 f"gap {metrics['final_gap']:.1e}, max gap {metrics['max_gap']:.1e}, "
                 f"{metrics['inaccurate_solves']} inaccurate solves")
    return line
