"""Options and steps shared by the GAN example scripts (``train_dual_gan.py``,
``train_baseline_gan.py``); not a script itself.

Every setting that has a per-target preset (``generator/presets.py``) defaults to None on the
command line and is filled from the preset, so the preset is the one source of the defaults; the
resolved settings are printed at the start and written to ``OUT/config.json``.
"""

import dataclasses
import os

import generator as gen
from common.checkpoint import ensure_writable_directory
from common.files import write_json
from generator.experiment import METRIC_KEYS, snapshot_metrics, summary_line
from generator.features import FEATURES
from generator.methods.discriminators import INPUT_MAPS
from generator.image_metrics import METRIC_KEYS as IMAGE_METRIC_KEYS
from generator.image_plots import plot_class_histogram, plot_image_snapshots
from generator.plots import plot_snapshots
from generator.targets import TARGETS, ImageTarget

PRESET = "default: the target's preset (generator/presets.py)"


class _Unset:
    """Marks --lr-final as not given (None is a value: a constant rate)."""

    def __repr__(self):
        return "preset"


UNSET = _Unset()


def lr_or_none(text):
    """``--lr-final none`` keeps the learning rate constant."""
    return None if text.lower() == "none" else float(text)


def add_run_arguments(p, out_default):
    """The options of one run: target, budget, networks, features, output, resume."""
    p.add_argument("--target", choices=sorted(TARGETS), default="ring")
    p.add_argument("--data-dir", help="mnist: the directory of the four IDX files")
    p.add_argument("--cache-dir", help="image targets: where the judging classifier is cached "
                                       "(default: $DUALGAN_CACHE or ~/.cache/dualgan)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, help=f"generator updates; {PRESET}")
    p.add_argument("--batch-size", type=int, help=f"real and generated samples per step; {PRESET}")
    p.add_argument("--lr", type=float, help=f"initial Adam learning rate; {PRESET}")
    p.add_argument("--lr-final", type=lr_or_none, default=UNSET,
                   help=f"learning rate at the last step (geometric decay), or 'none' for a "
                        f"constant rate; {PRESET}")
    p.add_argument("--generator", choices=["affine", "mlp", "pixels"], help=f"G_θ; {PRESET}")
    p.add_argument("--hidden", type=int, nargs="+", help=f"generator MLP widths; {PRESET}")
    p.add_argument("--d-hidden", type=int, nargs="+",
                   help=f"hidden widths of the MLP discriminator; {PRESET}")
    p.add_argument("--dtype", choices=["float64", "float32"],
                   help=f"precision of the networks (every solve is float64); {PRESET}")
    p.add_argument("--d-input", choices=INPUT_MAPS,
                   help=f"how the MLP discriminator sees the pixels: as they are, centred as "
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
    p.add_argument("--num-samples", type=int, default=gen.experiment.NUM_SAMPLES,
                   help="samples of the final generator written to OUT/samples.npz (array x, "
                        "float32, in the data space); the metrics use its first ones")
    p.add_argument("--out", default=out_default, help="output directory")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


#: Options that are not settings of the run.
_NOT_SETTINGS = {"out", "resume", "no_progress", "checkpoint_every", "snapshots", "target",
                 "seed", "cache_dir", "max_seconds", "discriminator", "num_samples"}


def run_config(args, method):
    """The :class:`generator.RunConfig` of the parsed options (the preset fills what is unset)."""
    overrides = {k: v for k, v in vars(args).items()
                 if k not in _NOT_SETTINGS and k != "lr_final" and k != "method"}
    config = gen.RunConfig.from_preset(method, args.target, seed=args.seed, **overrides)
    if args.lr_final is not UNSET:
        config = dataclasses.replace(config, lr_final=args.lr_final)
    return config


def start(args, config, may_change=()):
    """Build the run, resume it if asked, and write OUT/config.json; returns (target, method,
    trainer).

    Raises
    ------
    PermissionError, OSError
        OUT cannot be written (before anything is trained).
    FileNotFoundError, common.checkpoint.CheckpointError, SettingsMismatchError
        ``--resume`` without a usable checkpoint, or with other settings.
    """
    ensure_writable_directory(args.out)
    target, method = gen.build(config)
    # image snapshots are drawn as 8×8 grids: 64 images each, not 2,500
    size = {"snapshot_size": 64} if isinstance(target, ImageTarget) else {}
    trainer = gen.make_trainer(config, target, method,
                               checkpoint_path=os.path.join(args.out, "checkpoint.pt"),
                               snapshots=args.snapshots, checkpoint_every=args.checkpoint_every,
                               progress=not args.no_progress, max_seconds=args.max_seconds,
                               **size)
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
    final, rng, latent, samples = gen.evaluate(trainer, target, args.seed, args.cache_dir,
                                               num_samples=args.num_samples)
    gen.experiment.save_samples(os.path.join(args.out, "samples.npz"),
                                samples[: args.num_samples])
    keys = IMAGE_METRIC_KEYS + ("class_counts",) if isinstance(target, ImageTarget) else METRIC_KEYS
    metrics = {k: final[k] for k in keys}
    metrics.update(steps=trainer.step, seconds=trainer.seconds, cpu_seconds=trainer.cpu_seconds,
                   steps_per_second=trainer.step / trainer.seconds)
    return metrics, rng, latent


def plot_samples(args, result, target, metrics, title):
    """OUT/samples.png (scatter panels, or image grids per snapshot) and, for image targets,
    OUT/classes.png (the class histogram); prints the summary line."""
    path = os.path.join(args.out, "samples.png")
    if isinstance(target, ImageTarget):
        plot_image_snapshots(result.snapshots, target.image_shape, path, title)
        plot_class_histogram(metrics, os.path.join(args.out, "classes.png"), title)
    else:
        snap_metrics, eval_real = snapshot_metrics(result, target, args.seed)
        plot_snapshots(result.snapshots, eval_real, target, path, snap_metrics)
    print(summary_line(target, metrics))
