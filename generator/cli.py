"""The command line of one GAN run: its options, their checks, and the run to its outputs.

``examples/train_dual_gan.py`` and ``examples/train_baseline_gan.py`` are this module's two
parsers and its run:

* :func:`dual_parser`, :func:`baseline_parser` — the options (:func:`add_run_arguments` those
  they share), one per setting, generated from the settings parts
  (:mod:`generator.runs.options`). A setting not given is filled from the target's preset
  (``generator/runs/presets.py``) or the setting's default, so each default has one source; the
  resolved settings are written to ``OUT/config.json``.
* :func:`parse_dual`, :func:`parse_baseline` — the parsed options as a :class:`RunRequest`:
  the :class:`~generator.runs.config.RunConfig` they give, the run directory, and the loop's
  options. Every value is checked there, by the
  library's own checks (the run's, the loop's, the target's), before anything is built or
  written: a bad one is one line, ``prog: error: --steps must be ..., got ...``, exit code 2
  (:class:`dualgan.cli.ArgumentParser`).
* :func:`run_gan` — the parsed run through :func:`generator.runs.report.train_and_report`
  (train, resuming if asked, evaluate, write OUT/metrics.json, OUT/samples.npz and the
  figures); returns the exit code.
"""

import argparse
from dataclasses import dataclass

from dualgan.cli import EXIT_INTERRUPTED, EXIT_OK, ArgumentParser
from dualgan.validation import check_positive_int

from .data.targets import IMAGE_TARGETS, check_target
from .evaluation import sampling
from .methods.registry import METHODS, method_spec
from .runs import options
from .runs.config import METHOD_PARTS, RunConfig
from .runs.presets import preset_keys
from .runs.report import train_and_report
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
    options.add_architecture(p)
    for part in (*SHARED_PARTS, *method_parts):
        options.add_options(p, part, preset=PRESET_KEYS, defaults={"target": "ring"})
    group = p.add_argument_group("The run")
    group.add_argument("--seed", type=int, default=0,
                       help="seeds the networks, φ, and the data and latent streams")
    group.add_argument("--cache-dir", help="image targets: where the judging classifier is "
                                           "cached (default: $DUALGAN_CACHE or ~/.cache/dualgan)")
    group.add_argument("--max-seconds", type=float,
                       help="also stop after this many seconds of training (a wall-clock budget)")
    group.add_argument("--checkpoint-every", type=int, default=250,
                       help="also write OUT/checkpoint.pt every this many steps (0: only at the "
                            "end and on Ctrl-C)")
    group.add_argument("--snapshots", type=int, default=5, help="sample panels in samples.png")
    group.add_argument("--num-samples", type=int, default=sampling.NUM_SAMPLES,
                       help="samples of the final generator written to OUT/samples.npz (array "
                            "x, float32, in the data space); the metrics use its first ones")
    group.add_argument("--out", default=out_default, help="output directory")
    p.add_resume_arguments()
    group.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _run_config(args, method):
    """The :class:`~generator.runs.config.RunConfig` of the parsed options: the target's preset
    for ``method`` in the named architecture (``--architecture``), with the settings given on
    the command line on top.

    Raises
    ------
    ValueError, TypeError
        A setting the run refuses, or one of another method (the message names it).
    """
    parts = (*SHARED_PARTS, *METHOD_PARTS)
    settings = {k: v for k, v in options.given(args, parts).items() if k != "target"}
    return RunConfig.from_preset(method, args.target, seed=args.seed,
                                 architecture=args.architecture, **settings)


def dual_parser(description=None):
    """The options of a dual GAN run (``examples/train_dual_gan.py``)."""
    p = ArgumentParser(description=description)
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
    p = ArgumentParser(description=description)
    p.add_argument("--method", choices=BASELINES, default="mlp-ns",
                   help="the gradient-trained GAN: " + "; ".join(
                       f"{m}, {method_spec(m).label}" for m in BASELINES))
    add_run_arguments(p, "runs/baseline_gan",
                      tuple(dict.fromkeys(method_spec(m).run_settings for m in BASELINES)))
    return p


@dataclass(frozen=True)
class RunRequest:
    """A checked command line of one GAN run: what to train, where, and how the loop runs it.

    Attributes
    ----------
    config : generator.runs.config.RunConfig
    out : str
        The run directory.
    options : dict
        The keyword arguments of :func:`generator.runs.report.train_and_report` the command line
        gave (``resume``, ``snapshots``, ``checkpoint_every``, ``max_seconds``,
        ``num_samples``, ``cache_dir``, ``progress``).
    """

    config: RunConfig
    out: str
    options: dict


def _checked(parser, args, method):
    """The :class:`RunRequest` of ``args``; every value checked by the library, a bad one
    refused in one line by ``parser`` before anything is built or written."""
    parser.check_checkpoint(args)
    with parser.library_checks():
        check_target(args.target, getattr(args, "data_dir", None))
        args.config = _run_config(args, method)
        training = args.config.training
        GANTrainConfig(steps=training.steps, batch_size=training.batch_size,
                       seed=args.config.seed, snapshots=args.snapshots,
                       checkpoint_every=args.checkpoint_every, max_seconds=args.max_seconds)
        check_positive_int(args.num_samples, "num_samples")
    options = {"resume": args.resume, "snapshots": args.snapshots,
               "checkpoint_every": args.checkpoint_every, "max_seconds": args.max_seconds,
               "num_samples": args.num_samples, "cache_dir": args.cache_dir,
               "progress": not args.no_progress}
    return RunRequest(args.config, args.out, options)


def parse_dual(argv=None, description=None):
    """Parse and check the options of a dual GAN run: its :class:`RunRequest`."""
    p = dual_parser(description)
    args = p.parse_args(argv)
    default = "network" if args.target in IMAGE_TARGETS else "features"
    choice = getattr(args, "discriminator", default)
    args.discriminator = _ALIASES.get(choice, choice)
    if args.discriminator == "features" and args.target in IMAGE_TARGETS:
        p.error(f"--target {args.target} needs --discriminator network")
    return _checked(p, args, DISCRIMINATORS[args.discriminator])


def parse_baseline(argv=None, description=None):
    """Parse and check the options of a baseline GAN run: its :class:`RunRequest`."""
    p = baseline_parser(description)
    args = p.parse_args(argv)
    return _checked(p, args, args.method)


def run_gan(request):
    """Train the run of a :class:`RunRequest` (:func:`parse_dual`, :func:`parse_baseline`) into
    its directory (:func:`generator.runs.report.train_and_report`).

    Returns
    -------
    int
        0, or 130 when Ctrl-C stopped the training (the checkpoint is written; ``--resume``).
    """
    report = train_and_report(request.config, request.out, **request.options)
    return EXIT_INTERRUPTED if report.interrupted else EXIT_OK


#: The two scripts' runs are the same run (what differs is the method's, and the target's).
run_dual_gan = run_baseline_gan = run_gan
