"""One run from its settings to its metrics: what the example scripts and the study share.

:class:`RunConfig` holds every setting of a run; :meth:`RunConfig.from_preset` fills it from the
target's preset (:mod:`generator.presets`). :func:`build` makes the target and the method,
:func:`make_trainer` the loop, :func:`evaluate` measures the trained generator on 2,500 fresh
samples (the mode-collapse protocol), and :func:`run_one` does all of it for one run of a study
without ever raising for a diverging run.

The methods share everything but the discriminator:

* ``"dual"`` — the exact discriminator through ``dual.solve`` (SPEC 4);
* ``"linear-gd"`` — the same D_w = σ(−wᵀφ(x)), same φ and c (SPEC 1), trained by gradient steps,
  minimax generator loss (the dual method's);
* ``"mlp-ns"``, ``"mlp-minimax"`` — an MLP discriminator, non-saturating or minimax loss.

For a given seed every method starts from the same generator weights and the same feature map.
"""

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Optional

import torch

from common.training import NonFiniteError
from common.validation import check_choice

from .features import make_features
from .methods.baseline import METHODS as BASELINES
from .methods.baseline import make_baseline
from .methods.feature_dual import DualConfig, DualMethod
from .metrics import mode_metrics, moment_errors
from .models import make_generator, sample_latent
from .presets import PRESETS
from .targets import make_target
from .trainer import TrainConfig, Trainer

METHODS = ("dual",) + BASELINES
EVAL_SAMPLES = 2500  # the mode-collapse protocol's sample count
METRIC_KEYS = ("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl",
               "mode_counts", "mean_error", "cov_error")


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one run. Build it with :meth:`from_preset`."""

    method: str  # one of METHODS
    target: str  # "ring", "grid" or "gaussian"
    seed: int
    steps: int  # generator updates
    batch_size: int  # real and generated samples per step (each)
    lr: float  # generator learning rate (and the discriminator's, for the baselines)
    lr_final: Optional[float]  # geometric decay to this value over the run; None: constant
    generator: str  # "mlp" or "affine"
    hidden: tuple  # generator hidden widths
    latent_dim: int
    features: str  # φ of the dual and linear-gd discriminators
    num_features: int  # RFF features per lengthscale
    lengthscale: tuple  # RFF lengthscales, one block each
    c: float  # SPEC 1 L2 weight (dual and linear-gd)
    d_hidden: tuple  # hidden widths of the MLP discriminator
    d_lr: Optional[float] = None  # discriminator learning rate of the baselines; None: lr
    d_steps: int = 1  # discriminator steps per generator step (baselines)
    solver: str = "native"  # dual.solve solver (dual)
    form: Optional[str] = None  # dual.solve form (dual); None: the solver's best

    @classmethod
    def from_preset(cls, method, target, seed=0, **overrides):
        """The target's preset, with ``overrides`` (None values are ignored) on top."""
        check_choice(method, "method", METHODS)
        check_choice(target, "target", PRESETS)
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(overrides) - fields
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}; allowed: {sorted(fields)}")
        values = {k: v for k, v in PRESETS[target].items() if k in fields}
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("hidden", "lengthscale", "d_hidden"):
            value = values[key]
            values[key] = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        return cls(method=method, target=target, seed=seed, **values)

    def to_dict(self):
        """A JSON-friendly dict (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}


def build(config):
    """The target and the method of ``config``; seeds torch with ``config.seed`` first.

    Returns
    -------
    (target, method) : generator.targets.Target, and a method for :class:`Trainer`
    """
    target = make_target(config.target)
    torch.manual_seed(config.seed)  # generator (then discriminator) initialization
    kwargs = {"hidden": config.hidden} if config.generator == "mlp" else {}
    g_net = make_generator(config.generator, config.latent_dim, target.dim, **kwargs)
    scales = config.lengthscale[0] if len(config.lengthscale) == 1 else config.lengthscale
    phi = make_features(config.features, target.dim, config.num_features, scales, config.seed)
    decay_steps = config.steps if config.lr_final is not None else 0
    if config.method == "dual":
        method = DualMethod(g_net, phi, DualConfig(
            c=config.c, lr=config.lr, lr_final=config.lr_final, decay_steps=decay_steps,
            solver=config.solver, form=config.form))
    else:
        method = make_baseline(config.method, g_net, target.dim, features=phi, c=config.c,
                               lr=config.lr, d_lr=config.d_lr, lr_final=config.lr_final,
                               decay_steps=decay_steps, d_steps=config.d_steps,
                               hidden=config.d_hidden, target=target, seed=config.seed)
    return target, method


def make_trainer(config, target, method, checkpoint_path=None, **loop):
    """The training loop of ``config`` (``loop``: further :class:`TrainConfig` fields).

    The run's settings are recorded in the checkpoint and checked on resume.
    """
    postfix = ("dual_value", "gap") if config.method == "dual" else ("value", "d_fake")
    train = TrainConfig(steps=config.steps, batch_size=config.batch_size, seed=config.seed,
                        **{"postfix_keys": postfix, **loop})
    settings = {f"run.{k}": v for k, v in config.to_dict().items()}
    return Trainer(method, target, train, checkpoint_path=checkpoint_path, settings=settings)


def evaluate(trainer, target, seed):
    """Mode metrics and moment errors on 2,500 fresh samples (seeded apart from training).

    Returns
    -------
    metrics : dict
    rng : torch.Generator
        The evaluation stream, positioned after the latent draw (for further evaluation draws).
    latent : Tensor, shape (2500, latent_dim)
    """
    rng = torch.Generator().manual_seed(seed + 7_000_001)
    latent = sample_latent(EVAL_SAMPLES, trainer.latent_dim, rng)
    points = trainer.generate(latent)
    metrics = mode_metrics(points, target)
    metrics.update(moment_errors(points, target))
    return metrics, rng, latent


def snapshot_metrics(result, target, seed):
    """Mode metrics of every snapshot, and 2,500 real samples to draw beside them."""
    per_step = {step: mode_metrics(points, target) for step, points in result.snapshots.items()}
    real = target.sample(EVAL_SAMPLES, torch.Generator().manual_seed(seed + 9))
    return per_step, real


def summary_line(target, metrics):
    """One line: modes, high-quality fraction, reverse KL and moment errors."""
    return (f"{target.name}: {metrics['modes_covered']}/{metrics['num_modes']} modes, "
            f"high quality {metrics['high_quality_fraction']:.1%}, reverse KL "
            f"{metrics['reverse_kl']:.3f} nats; mean error {metrics['mean_error']:.3f}, "
            f"covariance error {metrics['cov_error']:.1%}")


#: The fields of a study's result row (:func:`run_one`).
RESULT_FIELDS = ("status", "modes_covered", "num_modes", "high_quality_fraction", "reverse_kl",
                 "wall_seconds", "train_seconds", "error")


def run_one(config):
    """Train and evaluate one run of a study; never raises for a run that fails.

    Returns
    -------
    dict
        ``config.to_dict()`` and :data:`RESULT_FIELDS`. ``status`` is ``"ok"``;
        ``"nonfinite"`` when training produced NaN/inf (then 0 modes, 0 high-quality points,
        reverse KL nan); or ``"error"`` with the exception in ``error``.
    """
    start = time.perf_counter()
    row = {**config.to_dict(), "error": ""}
    target = make_target(config.target)
    try:
        target, method = build(config)
        trainer = make_trainer(config, target, method, snapshots=0, progress=False)
        result = trainer.run()
        if result.interrupted:  # Ctrl-C stopped the run early: it is not a result
            raise KeyboardInterrupt
        m = evaluate(trainer, target, config.seed)[0]
        row.update(status="ok", modes_covered=m["modes_covered"], num_modes=m["num_modes"],
                   high_quality_fraction=m["high_quality_fraction"],
                   reverse_kl=m["reverse_kl"], train_seconds=result.seconds)
    except NonFiniteError as err:
        row.update(status="nonfinite", modes_covered=0, num_modes=target.num_modes,
                   high_quality_fraction=0.0, reverse_kl=math.nan, train_seconds=math.nan,
                   error=str(err)[:300])
    except Exception as err:  # noqa: BLE001 - a study records a failed run and goes on
        row.update(status="error", modes_covered=None, num_modes=target.num_modes,
                   high_quality_fraction=None, reverse_kl=None, train_seconds=None,
                   error=f"{type(err).__name__}: {err}"[:300])
    row["wall_seconds"] = time.perf_counter() - start
    return row
