"""The parts of a run's settings (:class:`~generator.runs.config.RunConfig`), one small frozen
dataclass each: the data, the networks, the fixed features φ, the training loop, where it runs,
and each method's own settings.

Every field is a :func:`setting`: its default and its one line of documentation, which is also
its command-line option's help (:mod:`generator.runs.options`). Adding a setting is one line in
the part it belongs to; the command line, the flat view (:meth:`RunConfig.flat`), a study's
columns and a checkpoint's record follow from it.

Each part checks its own fields on construction (a choice among ``choices``, a positive number,
widths as tuples); what ties parts together is checked by ``RunConfig`` itself. None is a value
wherever a field allows it (no feature map, a constant rate, no average), never "not given".
"""

import json
from dataclasses import MISSING, dataclass, field, fields
from typing import Optional

import dual
from dualgan.validation import check_choice, check_positive, check_positive_int

from ..data.targets import TARGETS
from ..methods.neural_dual import GENERATOR_STEPS, TRUST_RULES
from ..methods.schedule import OPTIMIZERS
from ..nets.discriminators import D_ARCHS, INPUT_MAPS
from ..nets.features import FEATURES
from ..nets.generators import GENERATORS

DTYPES = ("float64", "float32")  # the networks' precisions (torch.float64, torch.float32)


def setting(doc, default=MISSING, *, choices=None):
    """A field of a settings part: its one-line documentation, its default and, for a choice, the
    allowed values (checked on construction, listed by the command line)."""
    return field(default=default, metadata={"doc": doc, "choices": choices})


def doc(part, name):
    """The documentation of field ``name`` of ``part`` (a settings class)."""
    return next(f.metadata["doc"] for f in fields(part) if f.name == name)


def defaults(part):
    """``{name: default}`` of a settings class's fields that have one."""
    return {f.name: f.default for f in fields(part) if f.default is not MISSING}


class _Part:
    """What every part does on construction: sequences become tuples (a single number a 1-tuple)
    and every choice is checked; a part's own ``_check`` does the rest."""

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if "tuple" in str(f.type) and value is not None:
                value = tuple(value) if isinstance(value, (list, tuple)) else (value,)
                object.__setattr__(self, f.name, value)
            if f.metadata["choices"] is not None and value is not None:
                check_choice(value, f.name, f.metadata["choices"])
        self._check()

    def _check(self):
        pass


def _widths(part, *names):
    for name in names:
        for width in getattr(part, name):
            check_positive_int(width, name)


@dataclass(frozen=True)
class Data(_Part):
    """What the generator learns."""

    target: str = setting("the target distribution", choices=tuple(sorted(TARGETS)))
    data_dir: Optional[str] = setting("mnist, stacked-mnist: the directory of the four IDX "
                                      "files", None)


@dataclass(frozen=True)
class Networks(_Part):
    """The generator G_θ and the network discriminator (neural-dual, mlp-ns, mlp-minimax)."""

    generator: str = setting("G_θ's architecture", "mlp", choices=GENERATORS)
    hidden: tuple[int, ...] = setting("the generator's hidden widths", (256, 256, 256))
    g_channels: tuple[int, ...] = setting("generator conv: the feature maps before each "
                                          "transposed convolution (DCGAN-style)", (128, 64))
    latent_dim: int = setting("the dimension of the generator's latent Gaussian", 2)
    d_arch: str = setting("the network discriminator: an MLP (widths d_hidden) or, on images, "
                          "two stride-2 convolutions (d_channels; DCGAN-style, no batch norm)",
                          "mlp", choices=D_ARCHS)
    d_hidden: tuple[int, ...] = setting("hidden widths of the MLP discriminator (d_arch mlp)",
                                        (256, 256, 256))
    d_channels: tuple[int, ...] = setting("d_arch conv: output channels of each stride-2 "
                                          "convolution", (32, 64))
    d_input: str = setting("how the network discriminator sees the pixels: as they are, centred "
                           "as 2x − 1, or minus the mean image", "raw", choices=INPUT_MAPS)

    def _check(self):
        check_positive_int(self.latent_dim, "latent_dim")
        _widths(self, "hidden", "g_channels", "d_hidden", "d_channels")


@dataclass(frozen=True)
class Phi(_Part):
    """The fixed features φ of the linear discriminator (dual, linear-gd).

    None: no feature map (a target without such a preset, for the network methods).
    """

    features: Optional[str] = setting("the feature map φ (SPEC 4)", None, choices=FEATURES)
    num_features: Optional[int] = setting("random Fourier features per lengthscale", None)
    lengthscale: Optional[tuple[float, ...]] = setting("RFF lengthscale(s), one block each", None)
    c: Optional[float] = setting("L2 weight of the linear discriminator (SPEC 1)", None)

    def _check(self):
        if self.num_features is not None:
            check_positive_int(self.num_features, "num_features")
        for scale in self.lengthscale or ():
            check_positive(scale, "lengthscale")
        if self.c is not None:
            check_positive(self.c, "c", why="SPEC 1 needs c > 0")

    def missing(self):
        """The fields a feature method needs that are None."""
        return [f.name for f in fields(self) if getattr(self, f.name) is None]


@dataclass(frozen=True)
class Training(_Part):
    """The loop and the generator's optimizer (Adam), shared by every method."""

    steps: int = setting("generator updates", 2000)
    batch_size: int = setting("real and generated samples per step (each)", 128)
    lr: float = setting("the generator's Adam learning rate at the first step (the "
                        "baselines' discriminator's too, unless d_lr)", 1e-3)
    lr_final: Optional[float] = setting("the learning rate at the last step (geometric decay), "
                                        "or none for a constant rate", None)
    betas: tuple[float, ...] = setting("Adam betas of every optimizer of the method",
                                       (0.5, 0.999))
    ema: Optional[float] = setting("draw samples (figures, metrics, samples.npz) from the "
                                   "generator's weights averaged exponentially with this decay, "
                                   "e.g. 0.999, or none for the trained weights", None)


@dataclass(frozen=True)
class Compute(_Part):
    """Where the networks run, and in what precision."""

    device: str = setting("where the networks and the tangent kernel run: 'cpu', 'cuda', "
                          "'cuda:1', 'mps' (solves stay float64 on the host)", "cpu")
    dtype: str = setting("precision of the networks (every solve is float64)", "float64",
                         choices=DTYPES)


# --------------------------------------------------------------------------- each method's own


@dataclass(frozen=True)
class DualSettings(_Part):
    """The exact dual's solves (method dual).

    Maps onto :class:`~generator.methods.feature_dual.DualConfig`; its ``c`` is :attr:`Phi.c`,
    its optimizer :class:`Training`'s.
    """

    solver: str = setting("dual.solve solver: 'native' (exact Newton) or a CVXPY solver",
                          dual.NATIVE)
    form: Optional[str] = setting("dual.solve form; none: the solver's best", None)
    warm_start: bool = setting("start each solve from the previous solution", True)
    solver_options: str = setting("further dual.solve options, as a JSON object", "{}")

    def _check(self):
        try:
            options = json.loads(self.solver_options)
        except ValueError:
            options = None
        if not isinstance(options, dict):
            raise ValueError(f"solver_options must be a JSON object such as "
                             f"'{{\"max_iter\": 100}}', got {self.solver_options!r}")
        object.__setattr__(self, "solver_options", json.dumps(options, sort_keys=True))


@dataclass(frozen=True)
class NeuralDualSettings(_Part):
    """The neural dual's trust region and generator step (method neural-dual).

    Maps onto :class:`~generator.methods.neural_dual.NeuralDualConfig`; its optimizer is
    :class:`Training`'s.
    """

    kappa: float = setting("c = kappa·mean(diag K), SPEC 7's trust region: the score moves by "
                           "about 1/kappa per step", 1.0)
    trust: str = setting("kappa fixed ('scaled') or adapted to the decrease ratio ('adaptive')",
                         "scaled", choices=TRUST_RULES)
    kappa_factor: float = setting("adaptive: kappa ×= this when the ratio < 1/4, /= this when "
                                  "> 3/4", 2.0)
    kappa_min: float = setting("adaptive: the lower bound of kappa (the widest region)", 0.1)
    kappa_max: float = setting("adaptive: the upper bound of kappa", 100.0)
    generator_step: str = setting("the generator's step: a Danskin form ('exact', "
                                  "'first-order') or 'non-saturating' (−log D, not the dual "
                                  "value's gradient)", "first-order", choices=GENERATOR_STEPS)


@dataclass(frozen=True)
class BaselineSettings(_Part):
    """The gradient-trained discriminator (methods mlp-ns, mlp-minimax, linear-gd).

    Maps onto :class:`~generator.methods.baseline.BaselineConfig`; its generator loss is the
    method's, its seed the run's, its generator's optimizer :class:`Training`'s.
    """

    d_lr: Optional[float] = setting("the discriminator's learning rate; none: lr", None)
    d_steps: int = setting("discriminator steps per generator step", 1)
    d_optimizer: str = setting("the discriminator's optimizer", "adam", choices=OPTIMIZERS)
