"""The command line of one GAN run: its options, their checks, and the run to its outputs.

``examples/train_dual_gan.py`` and ``examples/train_baseline_gan.py`` are this module's two
parsers and its run:

* :func:`dual_parser`, :func:`baseline_parser` — the options (:func:`add_run_arguments` those
  they share). Every setting that has a per-target preset (``generator/runs/presets.py``)
  defaults to None on the command line and is filled from the preset, so the preset is the one
  source of the defaults; the resolved settings are written to ``OUT/config.json``.
* :func:`parse_dual`, :func:`parse_baseline` — the parsed options with ``args.config``, the
  :class:`~generator.runs.config.RunConfig` they give. Every value is checked there, by the
  library's own checks (the run's, the loop's, the target's), before anything is built or
  written: a bad one is one line, ``prog: error: --steps must be ..., got ...``, exit code 2
  (:class:`dualgan.cli.ArgumentParser`).
* :func:`run_gan` — the parsed run through :func:`generator.runs.report.train_and_report`
  (train, resuming if asked, evaluate, write OUT/metrics.json, OUT/samples.npz and the
  figures); returns the exit code.
"""

import dataclasses

from dualgan.cli import EXIT_INTERRUPTED, EXIT_OK, ArgumentParser
from dualgan.validation import check_positive_int

from .data.targets import IMAGE_TARGETS, TARGETS, check_target
from .evaluation import sampling
from .methods.neural_dual import GENERATOR_STEPS, TRUST_RULES
from .methods.registry import METHODS
from .nets.discriminators import D_ARCHS, INPUT_MAPS
from .nets.features import FEATURES
from .runs.config import RunConfig
from .runs.report import train_and_report
from .training.trainer import GANTrainConfig

PRESET = "default: the target's preset (generator/runs/presets.py)"
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
    p.add_argument("--num-samples", type=int, default=sampling.NUM_SAMPLES,
                   help="samples of the final generator written to OUT/samples.npz (array x, "
                        "float32, in the data space); the metrics use its first ones")
    p.add_argument("--out", default=out_default, help="output directory")
    p.add_resume_arguments()
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


#: Options that are not settings of the run.
_NOT_SETTINGS = {"out", "resume", "overwrite", "no_progress", "checkpoint_every", "snapshots",
                 "target", "seed", "cache_dir", "max_seconds", "discriminator", "num_samples"}


def run_config(args, method):
    """The :class:`~generator.runs.config.RunConfig` of the parsed options (the preset fills
    what is unset).

    Raises
    ------
    ValueError, TypeError
        A setting the run refuses (the message names it).
    """
    overrides = {k: v for k, v in vars(args).items()
                 if k not in _NOT_SETTINGS and k not in (*_NONE_ALLOWED, "method", "config")}
    config = RunConfig.from_preset(method, args.target, seed=args.seed, **overrides)
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


def run_gan(args):
    """Train the run of :func:`parse_dual`'s or :func:`parse_baseline`'s ``args`` into
    ``args.out`` (:func:`generator.runs.report.train_and_report`).

    Returns
    -------
    int
        0, or 130 when Ctrl-C stopped the training (the checkpoint is written; ``--resume``).
    """
    report = train_and_report(args.config, args.out, resume=args.resume,
                              snapshots=args.snapshots, checkpoint_every=args.checkpoint_every,
                              max_seconds=args.max_seconds, num_samples=args.num_samples,
                              cache_dir=args.cache_dir, progress=not args.no_progress)
    return EXIT_INTERRUPTED if report.interrupted else EXIT_OK


#: The two scripts' runs are the same run (what differs is the method's, and the target's).
run_dual_gan = run_baseline_gan = run_gan
