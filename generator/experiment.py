"""One run from its settings to its metrics: what the example scripts and the study share.

:class:`RunConfig` holds every setting of a run; :meth:`RunConfig.from_preset` fills it from the
target's preset (:mod:`generator.presets`). :func:`build` makes the target and the method,
:func:`make_trainer` the loop, :func:`evaluate` measures the trained generator (2-D targets: mode
metrics on 2,500 fresh samples, the mode-collapse protocol; image targets: the classifier metrics
of :mod:`generator.image_metrics` on 10,000; Stacked MNIST: the 1,000-mode metrics of
:mod:`generator.stacked_metrics` on 26,000), and :func:`run_one` does all of it for one run of a
study without ever raising for a diverging run.

The methods share everything but the discriminator; :data:`generator.methods.METHODS` lists
them (``"dual"``, ``"neural-dual"``, ``"mlp-ns"``, ``"mlp-minimax"``, ``"linear-gd"``), each with
what a run needs to know of it (:class:`generator.methods.MethodSpec`).

For a given seed every method starts from the same generator weights, and the methods with a
network discriminator from the same discriminator weights (for the same ``d_arch`` and widths),
and the feature methods from the same φ.

The network discriminator of ``"neural-dual"``, ``"mlp-ns"`` and ``"mlp-minimax"`` is chosen by
``d_arch``: ``"mlp"`` (hidden widths ``d_hidden``, any target) or ``"conv"`` (image targets: a
DCGAN-style :class:`~generator.methods.discriminators.ConvDiscriminator` whose convolutions have
``d_channels`` output channels; ``d_hidden`` is then unused). The two widths are two settings,
not one read two ways, so that the presets' MLP widths never become channel counts.
"""

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from dualgan.files import write_npz
from dualgan.training import NonFiniteError
from dualgan.validation import check_choice, check_positive, check_positive_int

from . import image_metrics, stacked_metrics
from .features import FEATURES, make_features
from .methods.discriminators import D_ARCHS, INPUT_MAPS, check_conv_widths, input_map
from .methods.registry import METHODS as SPECS
from .methods.registry import method_spec
from .metrics import mode_metrics, moment_errors
from .models import GENERATORS, make_generator, sample_latent
from .precision import check_device
from .presets import PRESETS
from .targets import IMAGE_SHAPES, IMAGE_TARGETS, GaussianMixture, make_target
from .trainer import GANTrainConfig, GANTrainer

METHODS = tuple(SPECS)  # the registered names (generator.methods.METHODS)
# the methods whose discriminator works on φ(x)
FEATURE_METHODS = tuple(name for name, spec in SPECS.items() if spec.needs_features)
DTYPES = {"float64": torch.float64, "float32": torch.float32}
EVAL_SAMPLES = GaussianMixture.eval_size  # the mode-collapse protocol's sample count (2,500)
METRIC_KEYS = ("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl",
               "mode_counts", "mean_error", "cov_error")


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one run. Build it with :meth:`from_preset`."""

    method: str  # one of METHODS
    target: str  # a name of generator.targets.TARGETS
    seed: int
    steps: int  # generator updates
    batch_size: int  # real and generated samples per step (each)
    lr: float  # generator learning rate (and the discriminator's, for the baselines)
    lr_final: Optional[float]  # geometric decay to this value over the run; None: constant
    generator: str  # "mlp", "affine" or "pixels" (images)
    hidden: tuple  # generator hidden widths
    latent_dim: int
    d_hidden: tuple  # hidden widths of the MLP discriminator (neural-dual, mlp-*; d_arch "mlp")
    features: Optional[str] = None  # φ of the dual and linear-gd discriminators
    num_features: Optional[int] = None  # RFF features per lengthscale
    lengthscale: Optional[tuple] = None  # RFF lengthscales, one block each
    c: Optional[float] = None  # SPEC 1 L2 weight (dual and linear-gd)
    d_lr: Optional[float] = None  # discriminator learning rate of the baselines; None: lr
    d_steps: int = 1  # discriminator steps per generator step (baselines)
    solver: str = "native"  # dual.solve solver (dual)
    form: Optional[str] = None  # dual.solve form (dual); None: the solver's best
    kappa: float = 1.0  # neural-dual: c = kappa·mean(diag K), SPEC 7's trust region
    trust: str = "scaled"  # neural-dual: "scaled" (kappa fixed) or "adaptive"
    kappa_min: float = 0.1  # neural-dual, adaptive: the lower bound of kappa (the widest region)
    generator_step: str = "first-order"  # neural-dual: GENERATOR_STEPS (two Danskin forms, or
    # "non-saturating", which is not the dual value's gradient)
    data_dir: Optional[str] = None  # mnist, stacked-mnist: the directory of the IDX files
    dtype: str = "float64"  # of the networks: "float64" or "float32" (solves are float64 always)
    d_input: str = "raw"  # the network discriminator's fixed input map (methods.discriminators)
    # the network discriminator of neural-dual and mlp-*: "mlp" (widths d_hidden), or "conv"
    # (image targets; two stride-2 convolutions of d_channels output channels, no batch norm)
    d_arch: str = "mlp"
    d_channels: tuple = (32, 64)  # d_arch "conv": output channels of each stride-2 convolution
    device: str = "cpu"  # where the networks and the tangent kernel run (solves: host, float64)
    ema: Optional[float] = None  # the loop: samples from the generator's weights averaged
    # with this decay (GANTrainConfig.ema); None: from the trained weights themselves

    @classmethod
    def from_preset(cls, method, target, seed=0, **overrides):
        """The target's preset, with ``overrides`` (None values are ignored) on top."""
        check_choice(method, "method", METHODS)
        check_choice(target, "target", PRESETS)
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(overrides) - fields
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}; allowed: {sorted(fields)}")
        preset = PRESETS[target]
        values = {k: v for k, v in {**preset, **preset.get(method, {})}.items() if k in fields}
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("hidden", "lengthscale", "d_hidden", "d_channels"):
            value = values.get(key)
            if value is not None:
                values[key] = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        check_choice(values.get("dtype", "float64"), "dtype", DTYPES)
        check_choice(values.get("d_input", "raw"), "d_input", INPUT_MAPS)
        if values.get("d_input", "raw") != "raw" and target not in IMAGE_TARGETS:
            raise ValueError(f"d_input={values['d_input']!r} maps pixels in [0, 1]; target "
                             f"{target!r} is not an image target, use d_input='raw'")
        if method in FEATURE_METHODS and values.get("dtype", "float64") != "float64":
            raise ValueError(f"method {method!r} runs in float64 only (its features and solves "
                             f"are float64); got dtype={values['dtype']!r}")
        if method in FEATURE_METHODS and values.get("device", "cpu") != "cpu":
            raise ValueError(f"method {method!r} runs on the CPU only (its features and solves "
                             f"are numpy); got device={values['device']!r}")
        check_device(values.get("device", "cpu"))
        if method in FEATURE_METHODS:
            missing = [k for k in ("features", "num_features", "lengthscale", "c")
                       if values.get(k) is None]
            if missing:
                others = ", ".join(repr(m) for m in METHODS if m not in FEATURE_METHODS)
                raise ValueError(f"method {method!r} needs a feature map, and target {target!r} "
                                 f"has no preset for {missing}; give them, or use a method "
                                 f"without features: {others}")
        return cls(method=method, target=target, seed=seed, **values)

    def __post_init__(self):
        """Every setting checked on construction, by the checks of the objects :func:`build`
        makes from it (the loop's and the method's settings, the networks' sizes), so that a bad
        value is refused before anything is built or trained.

        Raises
        ------
        TypeError, ValueError
            The message names the setting (``steps must be an integer >= 1, got -5``).
        """
        check_choice(self.method, "method", METHODS)
        GANTrainConfig(steps=self.steps, batch_size=self.batch_size, seed=self.seed, ema=self.ema)
        method_spec(self.method).make_config(self)  # the method's settings, by its own class
        check_choice(self.generator, "generator", GENERATORS)
        check_positive_int(self.latent_dim, "latent_dim")
        for name in ("hidden", "d_hidden", "d_channels"):
            for width in getattr(self, name):
                check_positive_int(width, name)
        self._check_d_arch()
        # the settings of the other methods too, when given: a bad value is a typo either way
        if self.features is not None:
            check_choice(self.features, "features", FEATURES)
        if self.num_features is not None:
            check_positive_int(self.num_features, "num_features")
        for scale in self.lengthscale or ():
            check_positive(scale, "lengthscale")
        if self.c is not None:
            check_positive(self.c, "c", why="SPEC 1 needs c > 0")
        check_positive(self.kappa, "kappa")
        check_positive(self.kappa_min, "kappa_min")

    def _check_d_arch(self):
        """``d_arch`` names a network discriminator that the target and the method can use:
        "conv" needs an image target (its shape, :data:`generator.targets.IMAGE_SHAPES`, must
        suit ``d_channels``) and a method with a network discriminator."""
        check_choice(self.d_arch, "d_arch", D_ARCHS)
        if self.d_arch != "conv":
            return
        if self.target not in IMAGE_SHAPES:
            images = ", ".join(repr(t) for t in IMAGE_SHAPES)
            raise ValueError(f"d_arch must be 'mlp' on target {self.target!r}, got 'conv' (a "
                             f"convolutional discriminator needs an image target: {images})")
        if method_spec(self.method).needs_features:
            networks = ", ".join(repr(m) for m in METHODS if m not in FEATURE_METHODS)
            raise ValueError(f"d_arch must be 'mlp' for method {self.method!r} (its "
                             f"discriminator is linear in the features φ), got 'conv'; the "
                             f"methods with a network discriminator: {networks}")
        check_conv_widths(self.d_channels, IMAGE_SHAPES[self.target][1:], "d_channels")

    def to_dict(self):
        """A JSON-friendly dict (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}


def build(config):
    """The target and the method of ``config``; seeds torch with ``config.seed`` first.

    Returns
    -------
    (target, method) : generator.targets.Target, and a method for
        :class:`~generator.trainer.GANTrainer`
    """
    target = make_target(config.target, config.data_dir)
    torch.manual_seed(config.seed)  # generator (then discriminator) initialization, on the CPU
    dtype = DTYPES[config.dtype]
    device = check_device(config.device)
    kwargs = {"hidden": config.hidden} if config.generator != "affine" else {}
    g_net = make_generator(config.generator, config.latent_dim, target.dim, dtype=dtype,
                           **kwargs).to(device)
    mean = target.mean if config.d_input == "mean-centered" else None
    inputs = input_map(config.d_input, mean, dtype)
    spec = method_spec(config.method)
    phi = None
    if spec.needs_features:
        scales = config.lengthscale[0] if len(config.lengthscale) == 1 else config.lengthscale
        phi = make_features(config.features, target.dim, config.num_features, scales,
                            config.seed)
    method = spec.build(config, spec.make_config(config), target, g_net, features=phi,
                        inputs=inputs, dtype=dtype, device=device)
    return target, method


def make_trainer(config, target, method, checkpoint_path=None, **loop):
    """The training loop of ``config`` (``loop``: further :class:`GANTrainConfig` fields).

    The run's settings are recorded in the checkpoint and checked on resume.
    """
    postfix = method_spec(config.method).progress_fields
    train = GANTrainConfig(steps=config.steps, batch_size=config.batch_size, seed=config.seed,
                           ema=config.ema, **{"postfix_keys": postfix, **loop})
    # where the data lie is not a setting (a moved copy resumes); what they are is
    settings = {f"run.{k}": v for k, v in config.to_dict().items() if k != "data_dir"}
    settings.update({f"run.{k}": v for k, v in target.recorded_settings().items()})
    return GANTrainer(method, target, train, checkpoint_path=checkpoint_path, settings=settings)


#: Latent codes are drawn in blocks of this many, and generated in chunks of :data:`CHUNK`, so
#: that the first samples of a draw do not depend on how many are drawn (the image generator's
#: batch normalization uses the statistics of the batch at hand).
BLOCK = 2500
CHUNK = 10000
NUM_SAMPLES = 10000  # samples written to OUT/samples.npz by default


def eval_size(target):
    """The number of samples the metrics of ``target`` are computed on (the first ones drawn),
    its protocol's ``target.eval_size``: 2,500 points (the mode-collapse protocol), 10,000
    images, or 26,000 stacked images (the Stacked MNIST protocol)."""
    return target.eval_size


def draw_samples(trainer, n, seed):
    """``n`` samples of the trained generator from the evaluation stream of ``seed``.

    The stream is seeded apart from training; latent codes are drawn in blocks of
    :data:`BLOCK` and pushed through the generator in whole chunks of :data:`CHUNK` (the last
    one filled up and cut), so the first ``k`` samples of any draw with n ≥ k are the same, and
    the metrics of :func:`evaluate` are those of the first :func:`eval_size` samples of any
    longer draw.

    Returns
    -------
    samples : Tensor, shape (n, dim), on the CPU, in the generator's dtype
    rng : torch.Generator
        The evaluation stream, positioned after the latent draw (for further evaluation draws).
    latent : Tensor, shape (n, latent_dim)
    """
    rng = torch.Generator().manual_seed(seed + 7_000_001)
    blocks, drawn = [], 0
    while drawn < -(-n // CHUNK) * CHUNK:  # whole chunks: each sample sees a full batch
        blocks.append(sample_latent(BLOCK, trainer.latent_dim, rng))
        drawn += BLOCK
    latent = torch.cat(blocks)
    samples = torch.cat([trainer.generate(latent[i:i + CHUNK])
                         for i in range(0, len(latent), CHUNK)])
    return samples[:n], rng, latent[:n]


def evaluate(trainer, target, seed, cache_dir=None, num_samples=None):
    """Metrics of the trained generator on fresh samples (seeded apart from training).

    2-D targets: mode metrics and moment errors on 2,500 samples. Image targets: the metrics of
    :data:`generator.image_metrics.METRIC_KEYS` on 10,000 images, judged by the target's
    classifier (trained and cached in ``cache_dir`` on first use); Stacked MNIST: those of
    :data:`generator.stacked_metrics.METRIC_KEYS` on 26,000, each channel judged by the MNIST
    classifier. The samples are the first of :func:`draw_samples`.

    Parameters
    ----------
    num_samples : int, optional
        How many samples to draw and return (default: the ones the metrics use).

    Returns
    -------
    metrics : dict
    rng : torch.Generator
        The evaluation stream, positioned after the latent draw (for further evaluation draws).
    latent : Tensor, shape (n, latent_dim)
    samples : Tensor, shape (n, dim)
        The drawn samples, n = max(``num_samples``, :func:`eval_size`), the metrics' first.
    """
    n_eval = eval_size(target)
    n = n_eval if num_samples is None else max(n_eval, check_positive_int(num_samples,
                                                                           "num_samples"))
    samples, rng, latent = draw_samples(trainer, n, seed)
    return score_samples(target, samples[:n_eval], cache_dir), rng, latent, samples


def score_samples(target, samples, cache_dir=None):
    """The metrics of generated ``samples`` (n, dim) of ``target``, in its data space: what
    :func:`evaluate` reports, computable from ``OUT/samples.npz`` too (its first
    :func:`eval_size` rows).

    Image targets: :meth:`generator.image_metrics.ImageJudge.score`; stacked image targets:
    :meth:`generator.stacked_metrics.StackedJudge.score`; 2-D targets: mode metrics and moment
    errors.
    """
    samples = torch.as_tensor(samples)
    if target.kind in JUDGES:
        return JUDGES[target.kind](target, cache_dir).score(samples)
    metrics = mode_metrics(samples, target)
    metrics.update(moment_errors(samples, target))
    return metrics


#: The judge of each kind of image target (its ``kind``).
JUDGES = {"images": image_metrics.judge, "stacked": stacked_metrics.judge}


def save_samples(path, samples):
    """Write ``samples`` (n, dim) to ``path`` as an ``.npz`` with one array ``x``, float32, in
    the target's data space (pixels in [0, 1] for images), atomically."""
    write_npz(path, x=torch.as_tensor(samples).detach().cpu().numpy().astype(np.float32))


def snapshot_metrics(result, target, seed):
    """Mode metrics of every snapshot, and 2,500 real samples to draw beside them."""
    per_step = {step: mode_metrics(points, target) for step, points in result.snapshots.items()}
    real = target.sample(EVAL_SAMPLES, torch.Generator().manual_seed(seed + 9))
    return per_step, real


def summary_line(target, metrics):
    """One line: modes, high-quality fraction, reverse KL and moment errors (2-D targets),
    classes, class reverse KL, confidence and Fréchet classifier distance (images), or modes,
    mode KL (with its floor) and the all-channels-confident fraction (stacked images)."""
    if target.kind == "stacked":
        return (f"{target.name}: {metrics['modes_covered']}/{metrics['num_modes']} modes, mode "
                f"KL {metrics['mode_kl']:.3f} nats (floor {metrics['mode_kl_floor']:.3f}), all "
                f"{target.channels} channels confident {metrics['confident_fraction']:.1%}")
    if target.kind == "images":
        return (f"{target.name}: {metrics['classes_covered']}/{metrics['num_classes']} classes, "
                f"class reverse KL {metrics['class_reverse_kl']:.3f} nats, confident "
                f"{metrics['confident_fraction']:.1%}, Fréchet classifier distance "
                f"{metrics['frechet_classifier_distance']:.2f} (train vs test: "
                f"{metrics['reference_frechet_classifier_distance']:.2f})")
    return (f"{target.name}: {metrics['modes_covered']}/{metrics['num_modes']} modes, "
            f"high quality {metrics['high_quality_fraction']:.1%}, reverse KL "
            f"{metrics['reverse_kl']:.3f} nats; mean error {metrics['mean_error']:.3f}, "
            f"covariance error {metrics['cov_error']:.1%}")


#: The metrics of a study's result row, for 2-D, image and stacked image targets (the fields of
#: the other kinds are None).
POINT_FIELDS = ("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl")
IMAGE_FIELDS = image_metrics.METRIC_KEYS
STACKED_FIELDS = ("modes_covered", "num_modes", "mode_kl", "confident_fraction")
FIELDS_OF_KIND = {"points": POINT_FIELDS, "images": IMAGE_FIELDS, "stacked": STACKED_FIELDS}
#: The fields of a study's result row (:func:`run_one`), each once.
RESULT_FIELDS = (("status",) + tuple(dict.fromkeys(POINT_FIELDS + IMAGE_FIELDS + STACKED_FIELDS))
                 + ("wall_seconds", "train_seconds", "cpu_seconds", "error"))


def _failed_metrics(target):
    """The metrics of a run whose training produced NaN/inf: nothing covered."""
    if target.kind == "stacked":
        return {"modes_covered": 0, "num_modes": target.num_modes, "mode_kl": math.nan,
                "confident_fraction": 0.0}
    if target.kind == "images":
        return {"classes_covered": 0, "num_classes": target.num_classes,
                "class_reverse_kl": math.nan, "confident_fraction": 0.0,
                "frechet_classifier_distance": math.nan,
                "reference_frechet_classifier_distance": math.nan}
    return {"modes_covered": 0, "num_modes": target.num_modes, "high_quality_fraction": 0.0,
            "reverse_kl": math.nan}


def run_one(config, cache_dir=None):
    """Train and evaluate one run of a study; never raises for a run that fails.

    Parameters
    ----------
    config : RunConfig
    cache_dir : str, optional
        Where the image classifier is cached (default:
        :func:`generator.classifier.default_cache_dir`).

    Returns
    -------
    dict
        ``config.to_dict()`` and :data:`RESULT_FIELDS` (the metrics of the other kind of target
        are None). ``status`` is ``"ok"``; ``"nonfinite"`` when training produced NaN/inf (then
        nothing covered, KL and distance nan); or ``"error"`` with the exception in ``error``.
        ``cpu_seconds`` is the process CPU time of the whole run (all threads).
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    row = {**config.to_dict(), **dict.fromkeys(RESULT_FIELDS), "error": ""}
    try:
        target, method = build(config)
        trainer = make_trainer(config, target, method, snapshots=0, progress=False)
        try:
            result = trainer.run()
            if result.interrupted:  # Ctrl-C stopped the run early: it is not a result
                raise KeyboardInterrupt
        except NonFiniteError as err:
            row.update(status="nonfinite", train_seconds=math.nan, error=str(err)[:300],
                       **_failed_metrics(target))
        else:
            metrics = evaluate(trainer, target, config.seed, cache_dir)[0]
            keys = FIELDS_OF_KIND[target.kind]
            row.update(status="ok", train_seconds=result.seconds,
                       **{k: metrics[k] for k in keys})
    except Exception as err:  # any error: a study records a failed run and goes on
        row.update(status="error", error=f"{type(err).__name__}: {err}"[:300])
    row["wall_seconds"] = time.perf_counter() - start
    row["cpu_seconds"] = time.process_time() - cpu_start
    return row
