"""The settings of one run: :class:`RunConfig`, filled from the target's preset
(:mod:`generator.runs.presets`) by :meth:`RunConfig.from_preset` and checked on construction.

A run is a method, a seed and five parts (:mod:`generator.runs.settings`): the data, the
networks, the fixed features φ, the training loop, where it runs; and the method's own settings,
an instance of its ``run_settings`` class in the registry (:data:`generator.methods.METHODS`:
``"dual"``, ``"neural-dual"``, ``"mlp-ns"``, ``"mlp-minimax"``, ``"linear-gd"``).

The flat view (:meth:`RunConfig.flat`) names every setting by its field name, the names the
presets, ``from_preset``'s keywords, the command line, a study's columns and a checkpoint's
``run.*`` entries use. It lists every method's settings, another method's at its default, so that
a study's columns are the same for every method. :data:`FIRST_FLAT_KEYS` are the names a table
or checkpoint written by the first, flat, configuration has; :func:`added_settings` gives the
others with the value that reproduces the runs of before.

The network discriminator of ``"neural-dual"``, ``"mlp-ns"`` and ``"mlp-minimax"`` is chosen by
``d_arch``: ``"mlp"`` (hidden widths ``d_hidden``, any target) or ``"conv"`` (image targets:
``d_channels`` output channels; ``d_hidden`` is then unused). The two widths are two settings,
not one read two ways, so that the presets' MLP widths never become channel counts.
"""

from dataclasses import dataclass, fields

import torch

from dualgan.validation import check_choice

from ..data.targets import IMAGE_SHAPES, IMAGE_TARGETS
from ..methods.registry import METHODS as SPECS
from ..methods.registry import method_spec
from ..nets.device import check_device
from ..nets.discriminators import check_conv_widths
from ..nets.generators import check_g_channels
from ..training.trainer import GANTrainConfig
from .presets import PRESETS, architecture_preset
from .settings import Compute, Data, Networks, Phi, Training, defaults

METHODS = tuple(SPECS)  # the registered names (generator.methods.METHODS)
# the methods whose discriminator works on φ(x)
FEATURE_METHODS = tuple(name for name, spec in SPECS.items() if spec.needs_features)
DTYPES = {"float64": torch.float64, "float32": torch.float32}
#: The parts every run has, by attribute; the method's own settings are ``method_settings``.
PARTS = {"data": Data, "networks": Networks, "phi": Phi, "training": Training,
         "compute": Compute}
#: Each method's own settings class, once (methods may share one), in the registry's order.
METHOD_PARTS = tuple(dict.fromkeys(spec.run_settings for spec in SPECS.values()))
#: The flat settings of the first configuration: the columns of a study table and the ``run.*``
#: entries of a checkpoint written before the configuration was nested.
FIRST_FLAT_KEYS = (
    "method", "target", "seed", "steps", "batch_size", "lr", "lr_final", "generator", "hidden",
    "latent_dim", "d_hidden", "features", "num_features", "lengthscale", "c", "d_lr", "d_steps",
    "solver", "form", "kappa", "trust", "kappa_min", "generator_step", "data_dir", "dtype",
    "d_input", "d_arch", "d_channels", "device", "ema")


def _names(part):
    return [f.name for f in fields(part)]


def _values(part):
    return {f.name: getattr(part, f.name) for f in fields(part)}


def _owners():
    """Flat name → the methods whose own settings have it."""
    owners = {}
    for name, spec in SPECS.items():
        for key in _names(spec.run_settings):
            owners.setdefault(key, []).append(name)
    return owners


def flat_keys():
    """The names of the flat view, in order (:meth:`RunConfig.flat`)."""
    keys = ["method", "seed"] + [k for part in PARTS.values() for k in _names(part)]
    return tuple(keys + [k for part in METHOD_PARTS for k in _names(part)])


def added_settings():
    """``{name: value}``: the settings added after the first configuration
    (:data:`FIRST_FLAT_KEYS`), each with its default, the value every run of before had. A table
    row or checkpoint that lacks one matches a run whose value is that."""
    every = {}
    for part in (*PARTS.values(), *METHOD_PARTS):
        every.update(defaults(part))
    return {k: every[k] for k in flat_keys() if k not in FIRST_FLAT_KEYS}


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one run, in parts. Build it with :meth:`from_preset`."""

    method: str  # one of METHODS
    seed: int  # seeds the networks' initialization, φ, and the data and latent streams
    data: Data  # the target and where its files lie
    networks: Networks  # the generator and the network discriminator
    phi: Phi  # the fixed features φ of the dual and linear-gd discriminators
    method_settings: object  # the method's own settings: its spec's run_settings class
    training: Training  # steps, batch size, the generator's learning rate, weight average
    compute: Compute  # device and dtype of the networks

    @classmethod
    def setting_names(cls, method):
        """The flat names a run of ``method`` takes (its own settings', not other methods')."""
        own = _names(method_spec(method).run_settings)
        return ("seed", *[k for part in PARTS.values() for k in _names(part)], *own)

    @classmethod
    def from_preset(cls, method, target, seed=0, architecture="mlp", **overrides):
        """The target's preset for ``method`` in the named architecture
        (:data:`~generator.runs.presets.ARCHITECTURES`), with ``overrides`` (flat names, each a
        value, None included) on top.

        Raises
        ------
        TypeError
            An override that is not a setting of ``method`` (the message lists those that are).
        ValueError
            An unknown method or target, or a value the run refuses.
        """
        check_choice(method, "method", METHODS)
        check_choice(target, "target", PRESETS)
        _check_names(method, overrides)
        allowed = cls.setting_names(method)
        preset = architecture_preset(target, architecture)
        values = {k: v for k, v in {**preset, **preset.get(method, {})}.items() if k in allowed}
        return cls._of(method, seed, {**values, **overrides, "target": target})

    @classmethod
    def _of(cls, method, seed, values):
        """A run of ``method`` from flat ``values`` (those of the parts' fields that are given;
        the others keep their defaults)."""
        parts = {attr: part(**{k: values[k] for k in _names(part) if k in values})
                 for attr, part in PARTS.items()}
        own = method_spec(method).run_settings
        settings = own(**{k: values[k] for k in _names(own) if k in values})
        return cls(method=method, seed=seed, method_settings=settings, **parts)

    def replace(self, **changes):
        """This run with some flat settings changed (``lr_final=None``, ``kappa=3.0``)."""
        _check_names(self.method, changes)
        values = {**self.flat(), **changes}
        return self._of(self.method, values["seed"], values)

    def flat(self):
        """Every setting by its flat name (:func:`flat_keys`); another method's at its
        default."""
        out = {"method": self.method, "seed": self.seed}
        for attr in PARTS:
            out.update(_values(getattr(self, attr)))
        for part in METHOD_PARTS:
            out.update(defaults(part))
        out.update(_values(self.method_settings))
        return {k: out[k] for k in flat_keys()}

    def to_dict(self):
        """The flat view, JSON-friendly (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.flat().items()}

    def __post_init__(self):
        """Every setting checked on construction: each part checks its own fields; here, what
        ties them together, and the objects :func:`~generator.runs.build.build` makes from them
        (the loop's and the method's settings), so that a bad value is refused before anything
        is built or trained.

        Raises
        ------
        TypeError, ValueError
            The message names the setting (``steps must be an integer >= 1, got -5``).
        """
        spec = method_spec(self.method)
        for attr, part in {**PARTS, "method_settings": spec.run_settings}.items():
            if not isinstance(getattr(self, attr), part):
                raise TypeError(f"{attr} of a {self.method!r} run must be a {part.__name__}, "
                                f"got {type(getattr(self, attr)).__name__}")
        target, compute = self.data.target, self.compute
        if self.networks.d_input != "raw" and target not in IMAGE_TARGETS:
            raise ValueError(f"d_input={self.networks.d_input!r} maps pixels in [0, 1]; target "
                             f"{target!r} is not an image target, use d_input='raw'")
        if spec.needs_features:
            self._check_features()
        check_device(compute.device)
        training = self.training
        GANTrainConfig(steps=training.steps, batch_size=training.batch_size, seed=self.seed,
                       ema=training.ema)
        spec.make_config(self)  # the method's settings, by its own class
        self._check_d_arch()
        self._check_conv_generator()

    def _check_features(self):
        """A feature method runs in float64 on the CPU, with a complete φ."""
        if self.compute.dtype != "float64":
            raise ValueError(f"method {self.method!r} runs in float64 only (its features and "
                             f"solves are float64); got dtype={self.compute.dtype!r}")
        if self.compute.device != "cpu":
            raise ValueError(f"method {self.method!r} runs on the CPU only (its features and "
                             f"solves are numpy); got device={self.compute.device!r}")
        missing = self.phi.missing()
        if missing:
            others = ", ".join(repr(m) for m in METHODS if m not in FEATURE_METHODS)
            raise ValueError(f"method {self.method!r} needs a feature map, and target "
                             f"{self.data.target!r} has no preset for {missing}; give them, or "
                             f"use a method without features: {others}")

    def _check_d_arch(self):
        """``d_arch`` names a network discriminator that the target and the method can use:
        "conv" needs an image target (its shape, :data:`generator.data.targets.IMAGE_SHAPES`, must
        suit ``d_channels``) and a method with a network discriminator."""
        if self.networks.d_arch != "conv":
            return
        target = self._image_target("d_arch must be 'mlp' on target {target!r}, got 'conv' (a "
                                    "convolutional discriminator needs an image target: "
                                    "{images})")
        if method_spec(self.method).needs_features:
            networks = ", ".join(repr(m) for m in METHODS if m not in FEATURE_METHODS)
            raise ValueError(f"d_arch must be 'mlp' for method {self.method!r} (its "
                             f"discriminator is linear in the features φ), got 'conv'; the "
                             f"methods with a network discriminator: {networks}")
        check_conv_widths(self.networks.d_channels, IMAGE_SHAPES[target][1:], "d_channels")

    def _image_target(self, refusal):
        """The run's target, an image target (:data:`generator.data.targets.IMAGE_SHAPES`), or
        ValueError with ``refusal`` filled in (``{target}``, ``{images}``)."""
        target = self.data.target
        if target not in IMAGE_SHAPES:
            images = ", ".join(repr(t) for t in IMAGE_SHAPES)
            raise ValueError(refusal.format(target=target, images=images))
        return target

    def _check_conv_generator(self):
        """``generator="conv"`` needs an image target whose sides suit ``g_channels`` (each
        transposed convolution doubles them)."""
        if self.networks.generator != "conv":
            return
        target = self._image_target("generator 'conv' makes images; target {target!r} is not "
                                    "an image target ({images}); use 'mlp' or 'affine'")
        check_g_channels(self.networks.g_channels, IMAGE_SHAPES[target][1:],
                         f"g_channels (target {target!r})")


def _check_names(method, given):
    """Refuse a name that is not a setting of ``method``, naming it first (and the methods it
    belongs to, if any), then the allowed ones."""
    allowed = RunConfig.setting_names(method)
    unknown = [k for k in given if k not in allowed]
    if not unknown:
        return
    owners = _owners()
    whose = [f"{k} is one of {' and '.join(owners[k])}'s" for k in unknown if k in owners]
    why = f" ({'; '.join(whose)})" if whose else ""
    verb = "is not a setting" if len(unknown) == 1 else "are not settings"
    raise TypeError(f"{', '.join(unknown)} {verb} of method {method!r}{why}; allowed: "
                    f"{', '.join(allowed)}")
