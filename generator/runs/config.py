"""The settings of one run: :class:`RunConfig`, filled from the target's preset
(:mod:`generator.runs.presets`) by :meth:`RunConfig.from_preset` and checked on construction.

The methods share everything but the discriminator; :data:`generator.methods.METHODS` lists
them (``"dual"``, ``"neural-dual"``, ``"mlp-ns"``, ``"mlp-minimax"``, ``"linear-gd"``), each with
what a run needs to know of it (:class:`generator.methods.MethodSpec`).

The network discriminator of ``"neural-dual"``, ``"mlp-ns"`` and ``"mlp-minimax"`` is chosen by
``d_arch``: ``"mlp"`` (hidden widths ``d_hidden``, any target) or ``"conv"`` (image targets: a
DCGAN-style :class:`~generator.nets.discriminators.ConvDiscriminator` whose convolutions have
``d_channels`` output channels; ``d_hidden`` is then unused). The two widths are two settings,
not one read two ways, so that the presets' MLP widths never become channel counts.
"""

import dataclasses
from dataclasses import dataclass
from typing import Optional

import torch

from dualgan.validation import check_choice, check_positive, check_positive_int

from ..data.targets import IMAGE_SHAPES, IMAGE_TARGETS
from ..methods.registry import METHODS as SPECS
from ..methods.registry import method_spec
from ..nets.device import check_device
from ..nets.discriminators import D_ARCHS, INPUT_MAPS, check_conv_widths
from ..nets.features import FEATURES
from ..nets.generators import GENERATORS
from ..training.trainer import GANTrainConfig
from .presets import PRESETS

METHODS = tuple(SPECS)  # the registered names (generator.methods.METHODS)
# the methods whose discriminator works on φ(x)
FEATURE_METHODS = tuple(name for name, spec in SPECS.items() if spec.needs_features)
DTYPES = {"float64": torch.float64, "float32": torch.float32}


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one run. Build it with :meth:`from_preset`."""

    method: str  # one of METHODS
    target: str  # a name of generator.data.targets.TARGETS
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
        "conv" needs an image target (its shape, :data:`generator.data.targets.IMAGE_SHAPES`, must
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
