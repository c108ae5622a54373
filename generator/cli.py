"""The command line of one GAN run: its options, their checks, and the run to its outputs.

``examples/train_dual_gan.py`` and ``examples/train_baseline_gan.py`` are this module's two
parsers and two runs, and ``examples/compare_image_gans.py`` runs both per seed through it:

* :func:`dual_parser`, :func:`baseline_parser` — the options (:func:`add_run_arguments` those
  they share). Every setting that has a per-target preset (``generator/presets.py``) defaults to
  None on the command line and is filled from the preset, so the preset is the one source of
  the defaults; the resolved settings are written to ``OUT/config.json``.
* :func:`parse_dual`, :func:`parse_baseline` — the parsed options with ``args.config``, the
  :class:`~generator.experiment.RunConfig` they give. Every value is checked there, by the
  library's own checks (the run's, the loop's, the target's), before anything is built or
  written: a bad one is one line, ``prog: error: --steps must be ..., got ...``, exit code 2
  (:class:`dualgan.cli.ArgumentParser`).
* :func:`run_dual_gan`, :func:`run_baseline_gan` — train (resuming if asked), evaluate, write
  OUT/metrics.json, OUT/samples.npz and the figures; return the exit code.
"""

import dataclasses
import math
import os

import torch

from dualgan.checkpoint import ensure_writable_directory
from dualgan.cli import EXIT_INTERRUPTED, EXIT_OK, ArgumentParser
from dualgan.files import write_json
from dualgan.validation import check_positive_int

from . import experiment
from .experiment import METRIC_KEYS, snapshot_metrics, summary_line
from .features import FEATURES
from .image_metrics import METRIC_KEYS as IMAGE_METRIC_KEYS
from .image_plots import (
    plot_class_histogram,
    plot_image_snapshots,
    plot_mode_histogram,
    plot_neural_dual_curves,
)
from .methods.discriminators import D_ARCHS, INPUT_MAPS
from .methods.neural_dual import GENERATOR_STEPS, TRUST_RULES
from .methods.registry import METHODS
from .plots import plot_dual_weights, plot_game_curves, plot_snapshots, plot_training_curves
from .stacked_metrics import METRIC_KEYS as STACKED_METRIC_KEYS
from .targets import IMAGE_KINDS, IMAGE_TARGETS, TARGETS, check_target
from .trainer import GANTrainConfig

PRESET = "default: the target's preset (generator/presets.py)"
#: The dual script's ``--discriminator`` choices and the methods they run.
DISCRIMINATORS = {"features": "dual", "mlp": "neural-dual"}
#: The baseline script's ``--method`` choices: the methods whose discriminator is trained by
#: gradient steps.
BASELINES = tuple(name for name, spec in METHODS.items() if not spec.exact_discriminator)


class _Unset:
    """Marks --lr-final or --ema as not given (None is a value: a constant rate, no average)."""

    def __repr__(self):
        return "preset"


UNSET = _Unset()


def float_or_none(text):
    """``--lr-final none`` keeps the learning rate constant; ``--ema none`` averages nothing."""
    return None if text.lower() == "none" else float(text)


#: Options whose value may be None against a preset's number (given as 'none'): the preset
#: fills them only when they are not given at all.
_NONE_ALLOWED = ("lr_final", "ema")


def add_run_arguments(p, out_default):
    """The options of one run: target, budget, networks, features, output, resume."""
    p.add_argument("--target", choices=sorted(TARGETS), default="ring")
    p.add_argument("--data-dir", help="mnist, stacked-mnist: the directory of the four IDX "
                                      "files")
    p.add_argument("--cache-dir", help="image targets: where the judging classifier is cached "
                                       "(default: $DUALGAN_CACHE or ~/.cache/dualgan)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, help=f"generator updates; {PRESET}")
    p.add_argument("--batch-size", type=int, help=f"real and generated samples per step; {PRESET}")
    p.add_argument("--lr", type=float, help=f"initial Adam learning rate; {PRESET}")
    p.add_argument("--lr-final", type=float_or_none, default=UNSET,
                   help=f"learning rate at the last step (geometric decay), or 'none' for a "
                        f"constant rate; {PRESET}")
    p.add_argument("--ema", type=float_or_none, default=UNSET,
                   help=f"draw samples (figures, metrics, samples.npz) from the generator's "
                        f"weights averaged exponentially with this decay, e.g. 0.999, or 'none' "
                        f"for the trained weights; {PRESET}")
    p.add_argument("--generator", choices=["affine", "mlp", "pixels"], help=f"G_θ; {PRESET}")
    p.add_argument("--hidden", type=int, nargs="+", help=f"generator MLP widths; {PRESET}")
    p.add_argument("--d-hidden", type=int, nargs="+",
                   help=f"hidden widths of the MLP discriminator (--d-arch mlp); {PRESET}")
    p.add_argument("--d-arch", choices=D_ARCHS,
                   help="the network discriminator (neural dual, mlp-ns, mlp-minimax): an MLP, "
                        "or on images two stride-2 convolutions (DCGAN-style, no batch norm); "
                        "default: mlp")
    p.add_argument("--d-channels", type=int, nargs="+",
                   help="--d-arch conv: output channels of each stride-2 convolution; "
                        "default: 32 64")
    p.add_argument("--dtype", choices=["float64", "float32"],
                   help=f"precision of the networks (every solve is float64); {PRESET}")
    p.add_argument("--d-input", choices=INPUT_MAPS,
                   help=f"how the network discriminator sees the pixels: as they are, centred as "
                        f"2x − 1, or minus the mean image; {PRESET}")
    p.add_argument("--device", help="where the networks and the tangent kernel run: 'cpu', "
                                    "'cuda', 'cuda:1', 'mps' (solves stay float64 on the host); "
                                    "default: cpu")
    p.add_argument("--latent-dim", type=int, help=PRESET)
    p.add_argument("--features", choices=FEATURES, help=f"feature map φ (SPEC 4); {PRESET}")
    p.add_argument("--num-features", type=int, help=f"RFF features per lengthscale; {PRESET}")
    p.add_argument("--lengthscale", type=float, nargs="+",
                   help=f"RFF lengthscale(s), one block each; {PRESET}")
    p.add_argument("--c", type=float, help=f"L2 weight of the linear discriminator (SPEC 1); "
                                           f"{PRESET}")
    p.add_argument("--max-seconds", type=float,
                   help="also stop after this many seconds of training (a wall-clock budget)")
    p.add_argument("--checkpoint-every", type=int, default=250)
    p.add_argument("--snapshots", type=int, default=5, help="sample panels in samples.png")
    p.add_argument("--num-samples", type=int, default=experiment.NUM_SAMPLES,
                   help="samples of the final generator written to OUT/samples.npz (array x, "
                        "float32, in the data space); the metrics use its first ones")
    p.add_argument("--out", default=out_default, help="output directory")
    p.add_resume_arguments()
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


#: Options that are not settings of the run.
_NOT_SETTINGS = {"out", "resume", "overwrite", "no_progress", "checkpoint_every", "snapshots",
                 "target", "seed", "cache_dir", "max_seconds", "discriminator", "num_samples"}


def run_config(args, method):
    """The :class:`~generator.experiment.RunConfig` of the parsed options (the preset fills
    what is unset).

    Raises
    ------
    ValueError, TypeError
        A setting the run refuses (the message names it).
    """
    overrides = {k: v for k, v in vars(args).items()
                 if k not in _NOT_SETTINGS and k not in (*_NONE_ALLOWED, "method", "config")}
    config = experiment.RunConfig.from_preset(method, args.target, seed=args.seed, **overrides)
    given = {k: getattr(args, k) for k in _NONE_ALLOWED if getattr(args, k) is not UNSET}
    return dataclasses.replace(config, **given) if given else config


def dual_parser(description=None):
    """The options of a dual GAN run (``examples/train_dual_gan.py``)."""
    p = ArgumentParser(description=description)
    p.add_argument("--discriminator", choices=list(DISCRIMINATORS), default=None,
                   help="fixed features φ (SPEC 4) or a linearized network (SPEC 7; an MLP "
                        "or, with --d-arch conv, convolutional); default: features on 2-D "
                        "targets, mlp on images")
    add_run_arguments(p, out_default="runs/dual_gan")
    p.add_argument("--solver", default="native",
                   help="features: dual.solve solver, 'native' (exact Newton) or a CVXPY solver")
    p.add_argument("--form", default=None, help="features: dual.solve form (default: the "
                                                "solver's best)")
    p.add_argument("--kappa", type=float, help=f"mlp: c = kappa·mean(diag K); {PRESET}")
    p.add_argument("--trust", choices=TRUST_RULES, help=f"mlp: kappa fixed ('scaled') or "
                                                        f"'adaptive'; {PRESET}")
    p.add_argument("--kappa-min", type=float, help=f"mlp, adaptive: the lower bound of kappa; "
                                                   f"{PRESET}")
    p.add_argument("--generator-step", choices=GENERATOR_STEPS,
                   help=f"mlp: the generator's step, a Danskin form ('exact', 'first-order') or "
                        f"'non-saturating' (−log D, not the dual value's gradient); {PRESET}")
    return p


def baseline_parser(description=None):
    """The options of a gradient-trained GAN run (``examples/train_baseline_gan.py``)."""
    p = ArgumentParser(description=description)
    p.add_argument("--method", choices=BASELINES, default="mlp-ns")
    add_run_arguments(p, out_default="runs/baseline_gan")
    p.add_argument("--d-steps", type=int, default=1, help="discriminator steps per generator step")
    p.add_argument("--d-lr", type=float, default=None,
                   help="discriminator learning rate (default: --lr)")
    return p


def _checked(parser, args, method):
    """``args`` with ``args.config``; every value checked by the library, a bad one refused in
    one line by ``parser`` before anything is built or written."""
    parser.check_checkpoint(args)
    with parser.library_checks():
        check_target(args.target, args.data_dir)
        args.config = run_config(args, method)
        GANTrainConfig(steps=args.config.steps, batch_size=args.config.batch_size,
                       seed=args.config.seed, snapshots=args.snapshots,
                       checkpoint_every=args.checkpoint_every, max_seconds=args.max_seconds)
        check_positive_int(args.num_samples, "num_samples")
    return args


def parse_dual(argv=None, description=None):
    """Parse and check the options of a dual GAN run; ``args.config`` is its RunConfig."""
    p = dual_parser(description)
    args = p.parse_args(argv)
    if args.discriminator is None:
        args.discriminator = "mlp" if args.target in IMAGE_TARGETS else "features"
    if args.discriminator == "features" and args.target in IMAGE_TARGETS:
        p.error(f"--target {args.target} needs --discriminator mlp")
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
    target, method = experiment.build(config)
    # image snapshots are drawn as 8×8 grids: 64 images each, not 2,500
    size = {"snapshot_size": 64} if target.kind in IMAGE_KINDS else {}
    trainer = experiment.make_trainer(
        config, target, method, checkpoint_path=os.path.join(args.out, "checkpoint.pt"),
        snapshots=args.snapshots, checkpoint_every=args.checkpoint_every,
        progress=not args.no_progress, max_seconds=args.max_seconds, **size)
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
    final, rng, latent, samples = experiment.evaluate(trainer, target, args.seed,
                                                      args.cache_dir,
                                                      num_samples=args.num_samples)
    experiment.save_samples(os.path.join(args.out, "samples.npz"),
                                samples[: args.num_samples])
    keys = {"images": IMAGE_METRIC_KEYS + ("class_counts",),
            "stacked": STACKED_METRIC_KEYS + ("mode_counts",)}.get(target.kind, METRIC_KEYS)
    metrics = {k: final[k] for k in keys}
    metrics.update(steps=trainer.step, seconds=trainer.seconds, cpu_seconds=trainer.cpu_seconds,
                   steps_per_second=trainer.step / trainer.seconds)
    return metrics, rng, latent


def plot_samples(args, result, target, metrics, title):
    """OUT/samples.png (scatter panels, or image grids per snapshot) and, for image targets,
    OUT/classes.png (the class histogram), or OUT/modes.png (the sorted mode counts) for stacked
    ones; prints the summary line."""
    path = os.path.join(args.out, "samples.png")
    if target.kind in IMAGE_KINDS:
        plot_image_snapshots(result.snapshots, target.image_shape, path, title, target.channels)
        if target.kind == "stacked":
            plot_mode_histogram(metrics, os.path.join(args.out, "modes.png"), title)
        else:
            plot_class_histogram(metrics, os.path.join(args.out, "classes.png"), title)
    else:
        snap_metrics, eval_real = snapshot_metrics(result, target, args.seed)
        plot_snapshots(result.snapshots, eval_real, target, path, snap_metrics)
    print(summary_line(target, metrics))


def run_dual_gan(args):
    """Train the dual GAN of :func:`parse_dual`'s ``args`` and write its outputs to
    ``args.out``: config.json, checkpoint.pt, metrics.json, samples.npz, samples.png,
    curves.png, and weights.png (features) or classes.png (images).

    Returns
    -------
    int
        0, or 130 when Ctrl-C stopped the training (the checkpoint is written; ``--resume``).
    """
    config, neural = args.config, args.discriminator == "mlp"
    target, method, trainer = start(args, config)
    if neural:
        widths = config.d_channels if config.d_arch == "conv" else config.d_hidden
        print(f"{config.d_arch} discriminator {widths}, κ = {config.kappa:g} ({config.trust}), "
              f"{config.generator_step} generator step; target {target.name}")
    else:
        print(f"solver {method.config.solver}/{method.config.form}; features {config.features} "
              f"({method.features.out_dim} dims); target {target.name}")

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
        plot_training_curves(logs, curves, ceiling=2 * config.batch_size * math.log(2.0))
        # one exact solve on a fresh minibatch, for the dual-weights figure
        real = target.sample(config.batch_size, rng)
        fake = trainer.generate(latent[: config.batch_size])
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
    may_change = ("run.steps", "train.steps") if config.lr_final is None else ()
    target, method, trainer = start(args, config, may_change=may_change)
    print(f"method {args.method} (generator loss {method.config.g_loss}, {args.d_steps} D "
          f"step(s) per G step); target {target.name}")

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
