"""The command line of one GAN run: its options, their checks, and the run to its outputs.

``examples/train_dual_gan.py`` and ``examples/train_baseline_gan.py`` are this module's two
parsers and two runs, and ``examples/compare_image_gans.py`` runs both per seed through it:

* :func:`dual_parser`, :func:`baseline_parser` — the options (:func:`add_run_arguments` those
  they share), one per setting, generated from the settings parts
  (:mod:`generator.runs.options`). A setting not given is filled from the target's preset
  (``generator/runs/presets.py``) or the setting's default, so each default has one source; the
  resolved settings are written to ``OUT/config.json``.
* :func:`parse_dual`, :func:`parse_baseline` — the parsed options with ``args.config``, the
  :class:`~generator.runs.config.RunConfig` they give. Every value is checked there, by the
  library's own checks (the run's, the loop's, the target's), before anything is built or
  written: a bad one is one line, ``prog: error: --steps must be ..., got ...``, exit code 2
  (:class:`dualgan.cli.ArgumentParser`).
* :func:`run_dual_gan`, :func:`run_baseline_gan` — train (resuming if asked), evaluate, write
  OUT/metrics.json, OUT/samples.npz and the figures; return the exit code.
"""

import argparse
import math
import os

import torch

from dualgan.checkpoint import ensure_writable_directory
from dualgan.cli import EXIT_INTERRUPTED, EXIT_OK, ArgumentParser
from dualgan.files import write_json
from dualgan.validation import check_positive_int

from .data.targets import IMAGE_TARGETS, check_target
from .evaluation import sampling
from .evaluation.suites import suite
from .methods.registry import METHODS, method_spec
from .plotting.curves import plot_game_curves, plot_neural_dual_curves, plot_training_curves
from .plotting.points import plot_dual_weights
from .runs import options
from .runs.build import build, make_trainer
from .runs.config import METHOD_PARTS, RunConfig
from .runs.presets import preset_keys
from .runs.settings import Compute, Data, Networks, Phi, Training
from .training.trainer import GANTrainConfig

#: The dual script's ``--discriminator`` choices and the methods they run: fixed features φ are
#: the exact dual; a network trained by exact steps is the neural dual, whatever its architecture
#: (``mlp``, its former name, is still accepted).
DISCRIMINATORS = {"features": "dual", "network": "neural-dual", "mlp": "neural-dual"}
_ALIASES = {"mlp": "network"}
#: The baseline script's ``--method`` choices: the methods whose discriminator is trained by
#: gradient steps.
BASELINES = tuple(name for name, spec in METHODS.items() if not spec.exact_discriminator)
#: The settings parts of every run, whose options both scripts have.
SHARED_PARTS = (Data, Networks, Phi, Training, Compute)
#: The settings some target's preset sets (for any method): their options' default is the preset.
PRESET_KEYS = preset_keys()


def add_run_arguments(p, out_default, method_parts=()):
    """The options of one run: one per setting of the shared parts and of ``method_parts``
    (:mod:`generator.runs.options`), then the output, the budget and resuming."""
    for part in (*SHARED_PARTS, *method_parts):
        options.add_options(p, part, preset=PRESET_KEYS, defaults={"target": "ring"})
    group = p.add_argument_group("The run")
    group.add_argument("--seed", type=int, default=0,
                       help="seeds the networks, φ, and the data and latent streams")
    group.add_argument("--cache-dir", help="image targets: where the judging classifier is "
                                           "cached (default: $DUALGAN_CACHE or ~/.cache/dualgan)")
    group.add_argument("--max-seconds", type=float,
                       help="also stop after this many seconds of training (a wall-clock budget)")
    group.add_argument("--checkpoint-every", type=int, default=250)
    group.add_argument("--snapshots", type=int, default=5, help="sample panels in samples.png")
    group.add_argument("--num-samples", type=int, default=sampling.NUM_SAMPLES,
                       help="samples of the final generator written to OUT/samples.npz (array "
                            "x, float32, in the data space); the metrics use its first ones")
    group.add_argument("--out", default=out_default, help="output directory")
    p.add_resume_arguments()
    group.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run_config(args, method):
    """The :class:`~generator.runs.config.RunConfig` of the parsed options: the target's preset
    for ``method``, with the settings given on the command line on top.

    Raises
    ------
    ValueError, TypeError
        A setting the run refuses, or one of another method (the message names it).
    """
    parts = (*SHARED_PARTS, *METHOD_PARTS)
    settings = {k: v for k, v in options.given(args, parts).items() if k != "target"}
    return RunConfig.from_preset(method, args.target, seed=args.seed, **settings)


def dual_parser(description=None):
    """The options of a dual GAN run (``examples/train_dual_gan.py``)."""
    p = ArgumentParser(description=description,
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--discriminator", choices=list(DISCRIMINATORS), default=argparse.SUPPRESS,
                   help="the exact dual on fixed features φ (SPEC 4), or the neural dual: a "
                        "network discriminator linearized each step (SPEC 7; an MLP or, with "
                        "--d-arch conv, convolutional; 'mlp' is the former name of 'network'); "
                        "default: features on 2-D targets, network on images")
    add_run_arguments(p, "runs/dual_gan", (method_spec("dual").run_settings,
                                           method_spec("neural-dual").run_settings))
    return p


def baseline_parser(description=None):
    """The options of a gradient-trained GAN run (``examples/train_baseline_gan.py``)."""
    p = ArgumentParser(description=description,
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--method", choices=BASELINES, default="mlp-ns")
    add_run_arguments(p, "runs/baseline_gan",
                      tuple(dict.fromkeys(method_spec(m).run_settings for m in BASELINES)))
    return p


def _checked(parser, args, method):
    """``args`` with ``args.config``; every value checked by the library, a bad one refused in
    one line by ``parser`` before anything is built or written."""
    parser.check_checkpoint(args)
    with parser.library_checks():
        check_target(args.target, getattr(args, "data_dir", None))
        args.config = run_config(args, method)
        training = args.config.training
        GANTrainConfig(steps=training.steps, batch_size=training.batch_size,
                       seed=args.config.seed, snapshots=args.snapshots,
                       checkpoint_every=args.checkpoint_every, max_seconds=args.max_seconds)
        check_positive_int(args.num_samples, "num_samples")
    return args


def parse_dual(argv=None, description=None):
    """Parse and check the options of a dual GAN run; ``args.config`` is its RunConfig."""
    p = dual_parser(description)
    args = p.parse_args(argv)
    default = "network" if args.target in IMAGE_TARGETS else "features"
    choice = getattr(args, "discriminator", default)
    args.discriminator = _ALIASES.get(choice, choice)
    if args.discriminator == "features" and args.target in IMAGE_TARGETS:
        p.error(f"--target {args.target} needs --discriminator network")
    return _checked(p, args, DISCRIMINATORS[args.discriminator])


def parse_baseline(argv=None, description=None):
    """Parse and check the options of a baseline GAN run; ``args.config`` is its RunConfig."""
    p = baseline_parser(description)
    args = p.parse_args(argv)
    return _checked(p, args, args.method)


def start(args, config, may_change=()):
    """Build the run, resume it if asked, and write OUT/config.json; returns (target, method,
    trainer).

    Raises
    ------
    PermissionError, OSError
        OUT cannot be written (before anything is trained).
    FileNotFoundError, dualgan.checkpoint.CheckpointError, SettingsMismatchError
        ``--resume`` without a usable checkpoint, or with other settings.
    """
    ensure_writable_directory(args.out)
    target, method = build(config)
    trainer = make_trainer(
        config, target, method, checkpoint_path=os.path.join(args.out, "checkpoint.pt"),
        snapshots=args.snapshots, checkpoint_every=args.checkpoint_every,
        progress=not args.no_progress, max_seconds=args.max_seconds,
        snapshot_size=suite(target).snapshot_size)
    if args.resume:
        trainer.resume(may_change=may_change)
        print(f"resumed from step {trainer.step} of {args.out}/checkpoint.pt")
    write_json(os.path.join(args.out, "config.json"), config.to_dict())
    return target, method, trainer


def train(trainer):
    """Run the trainer; when Ctrl-C stopped it, say how to continue. Returns its result."""
    result = trainer.run()
    if result.interrupted:
        print(f"stopped at step {result.step}; continue with --resume")
    return result


def evaluate(args, trainer, target):
    """The final metrics (mode metrics, or image metrics for image targets), with the run's
    timing: ``steps``, wall ``seconds``, process ``cpu_seconds``, ``steps_per_second``; writes
    ``--num-samples`` samples to OUT/samples.npz (the metrics are those of its first ones).

    Returns (metrics, rng, latent) as :func:`generator.evaluate`.
    """
    final, rng, latent, samples = sampling.evaluate(trainer, target, args.seed, args.cache_dir,
                                                    num_samples=args.num_samples)
    sampling.save_samples(os.path.join(args.out, "samples.npz"), samples[: args.num_samples])
    metrics = {k: final[k] for k in suite(target).reported}
    metrics.update(steps=trainer.step, seconds=trainer.seconds, cpu_seconds=trainer.cpu_seconds,
                   steps_per_second=trainer.step / trainer.seconds)
    return metrics, rng, latent


def plot_samples(args, result, target, metrics, title):
    """The figures of the target's suite (OUT/samples.png, and classes.png or modes.png for
    images); prints the summary line."""
    target_suite = suite(target)
    target_suite.plot_run(args.out, result, target, metrics, title, args.seed)
    print(target_suite.summary(target, metrics))


def run_dual_gan(args):
    """Train the dual GAN of :func:`parse_dual`'s ``args`` and write its outputs to
    ``args.out``: config.json, checkpoint.pt, metrics.json, samples.npz, samples.png,
    curves.png, and weights.png (features) or classes.png (images).

    Returns
    -------
    int
        0, or 130 when Ctrl-C stopped the training (the checkpoint is written; ``--resume``).
    """
    config, neural = args.config, args.discriminator == "network"
    target, method, trainer = start(args, config)
    nets, own = config.networks, config.method_settings
    if neural:
        widths = nets.d_channels if nets.d_arch == "conv" else nets.d_hidden
        print(f"{nets.d_arch} discriminator {widths}, κ = {own.kappa:g} ({own.trust}), "
              f"{own.generator_step} generator step; target {target.name}")
    else:
        print(f"solver {method.config.solver}/{method.config.form}; features "
              f"{config.phi.features} ({method.features.out_dim} dims); target {target.name}")

    result = train(trainer)
    if result.interrupted:
        return EXIT_INTERRUPTED

    metrics, rng, latent = evaluate(args, trainer, target)
    logs = result.logs
    metrics.update({
        "solve_seconds": sum(logs["solve_seconds"]),
        "final_gap": logs["gap"][-1], "final_dual_value": logs["dual_value"][-1],
        "final_primal_value": logs["primal_value"][-1],
        "max_gap": max(abs(g) for g in logs["gap"]),
        "inaccurate_solves": int(sum(logs["inaccurate"])), "config": config.to_dict(),
    })
    if neural:
        metrics["kernel_seconds"] = sum(logs["kernel_seconds"])
        metrics["kernel_and_solve_share"] = ((metrics["kernel_seconds"] + metrics["solve_seconds"])
                                             / result.seconds)
        metrics["final_kappa"] = method.kappa
    else:
        metrics.update(solver=method.config.solver, form=method.config.form)
    write_json(os.path.join(args.out, "metrics.json"), metrics)

    plot_samples(args, result, target, metrics, f"{target.name}, dual "
                                                f"({args.discriminator} discriminator)")
    curves = os.path.join(args.out, "curves.png")
    if neural:
        plot_neural_dual_curves(logs, curves)
    else:
        # SPEC 2: g ≤ (N + M)·log 2, with equality iff b(λ) = 0 and every λ = −1/2 (D ≡ 1/2)
        batch_size = config.training.batch_size
        plot_training_curves(logs, curves, ceiling=2 * batch_size * math.log(2.0))
        # one exact solve on a fresh minibatch, for the dual-weights figure
        real = target.sample(batch_size, rng)
        fake = trainer.generate(latent[:batch_size])
        with torch.no_grad():
            sol, _ = method.solve(method.features(real), method.features(fake))
        plot_dual_weights(real, fake, sol.lam_real, sol.lam_fake, target,
                          os.path.join(args.out, "weights.png"))

    share = (f"{metrics['kernel_and_solve_share']:.0%} of it in K and the solve"
             if neural else f"{metrics['solve_seconds'] / result.seconds:.0%} of it in the solve")
    print(f"{result.step} steps in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s of CPU; "
          f"{metrics['steps_per_second']:.1f} steps/s), {share}; final gap "
          f"{metrics['final_gap']:.1e}, max gap {metrics['max_gap']:.1e}, "
          f"{metrics['inaccurate_solves']} inaccurate solves")
    print(f"wrote {args.out}/metrics.json and the figures")
    return EXIT_OK


def run_baseline_gan(args):
    """Train the baseline GAN of :func:`parse_baseline`'s ``args`` and write its outputs to
    ``args.out``: config.json, checkpoint.pt, metrics.json, samples.npz, samples.png,
    curves.png, and classes.png (images).

    Returns
    -------
    int
        0, or 130 when Ctrl-C stopped the training (the checkpoint is written; ``--resume``).
    """
    config = args.config
    # with a constant learning rate a finished run may be extended with a larger --steps
    may_change = ("run.steps", "train.steps") if config.training.lr_final is None else ()
    target, method, trainer = start(args, config, may_change=may_change)
    print(f"method {args.method} (generator loss {method.config.g_loss}, "
          f"{config.method_settings.d_steps} D step(s) per G step); target {target.name}")

    result = train(trainer)
    if result.interrupted:
        return EXIT_INTERRUPTED

    metrics = evaluate(args, trainer, target)[0]
    logs = result.logs
    metrics.update({
        "final_value": logs["value"][-1], "final_d_real": logs["d_real"][-1],
        "final_d_fake": logs["d_fake"][-1], "g_loss": method.config.g_loss,
        "config": config.to_dict(),
    })
    write_json(os.path.join(args.out, "metrics.json"), metrics)

    plot_samples(args, result, target, metrics, f"{target.name}, {args.method}")
    plot_game_curves(logs, os.path.join(args.out, "curves.png"))
    print(f"{result.step} steps in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s of CPU)")
    print(f"wrote {args.out}/metrics.json and the figures")
    return EXIT_OK
