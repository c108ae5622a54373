"""Every training method by name: :data:`METHODS`, the one table of what a method is.

A :class:`MethodSpec` says what a run needs to know of a method: its settings class, how its
settings and its objects come from a run's settings (:class:`generator.runs.config.RunConfig`),
and whether its discriminator works on the fixed features φ (what a run reports of a method,
its progress fields, summary and figures, the method's own hooks say:
:mod:`generator.methods.protocol`). The scripts, the study and the timing read the names and
the feature methods from here; nothing else lists the methods.

The builders live here, beside the table, rather than beside each method class: a builder
translates the settings of a run (its parts shared by every method, and the method's own part,
``run_settings``, all filled from the target's preset) into one method's settings and objects,
and that translation is knowledge of runs, not of the method. So the method classes stay usable
without a run (tests and notebooks make them directly), and every translation can be read, and
compared, in one screen.

For a given seed every method starts from the same generator weights, the methods with a network
discriminator (``d_arch``: an MLP or a convolutional one) from the same discriminator weights, and
the feature methods from the same φ:
:func:`generator.runs.build.build` makes the generator and φ, then calls the spec's ``build``,
which makes the discriminator.
"""

import dataclasses
import json
from dataclasses import dataclass
from typing import Callable, Optional

from dualgan.validation import check_choice

from ..nets.discriminators import make_discriminator
from ..runs.settings import BaselineSettings, DualSettings, NeuralDualSettings
from .baseline import BaselineConfig, BaselineMethod, baseline_discriminator
from .feature_dual import DualConfig, DualMethod
from .neural_dual import NeuralDualConfig, NeuralDualMethod


@dataclass(frozen=True)
class MethodSpec:
    """What a run needs to know of one training method.

    Attributes
    ----------
    name : str
        The method's name (``RunConfig.method``, ``--method``, a study's rows).
    config_class : type
        The method's settings, a dataclass that checks them on construction (inheriting
        :class:`~generator.methods.schedule.OptimizerSettings`).
    run_settings : type
        The method's own part of a run's settings (``RunConfig.method_settings``), a frozen
        dataclass of :mod:`generator.runs.settings`.
    settings : callable
        ``settings(run) -> dict``: the keyword arguments of ``config_class`` a run gives (its
        ``method_settings``, the generator's optimizer from its ``training``).
    build : callable
        ``build(run, settings, target, g_net, *, features, inputs, dtype, device)``: the method
        of a run, a :class:`~generator.methods.protocol.TrainingMethod`; ``settings`` is the
        run's :meth:`make_config`. ``features`` is φ for a method
        that ``needs_features`` (else None), ``inputs`` the network discriminator's input map,
        ``dtype`` and ``device`` those of the networks.
    needs_features : bool
        The discriminator works on fixed features φ (float64, on the CPU; the run needs the
        settings ``features``, ``num_features``, ``lengthscale`` and ``c``).
    exact_discriminator : bool
        The discriminator is solved exactly each step (``examples/train_dual_gan.py``), not
        trained by gradient steps (``examples/train_baseline_gan.py``).
    description : str
        One line: the discriminator, how it is fitted, the generator's step.
    d_step : str or None
        The run setting that sets the discriminator's step size: the linearized dual's trust
        region ``kappa``, a gradient-trained discriminator's learning rate ``d_lr``; None when
        the discriminator is solved to its optimum each step (its step has no size).
    g_loss : str or None
        A gradient-trained method's generator loss (``"non-saturating"``, ``"minimax"``).
    label : str
        How tables and figures name the method.
    """

    name: str
    config_class: type
    run_settings: type
    settings: Callable
    build: Callable
    needs_features: bool
    exact_discriminator: bool
    description: str
    d_step: Optional[str] = None
    g_loss: Optional[str] = None
    label: str = ""

    def make_config(self, run):
        """The method's settings from a run's, checked by ``config_class``.

        Raises
        ------
        TypeError, ValueError
            A setting the method refuses (the message names it).
        """
        return self.config_class(**self.settings(run))


def method_spec(name):
    """The :class:`MethodSpec` of ``name``.

    Raises
    ------
    ValueError
        ``name`` is not registered; the message lists the registered names.
    """
    return METHODS[check_choice(name, "method", METHODS)]


# --------------------------------------------------------------------------- settings of a run


def _schedule(run):
    """The generator's optimizer: ``lr``, decaying geometrically to ``lr_final`` over the whole
    run, and the betas."""
    training = run.training
    return {"lr": training.lr, "lr_final": training.lr_final, "betas": training.betas,
            "decay_steps": training.steps if training.lr_final is not None else 0}


def _own(run):
    return dataclasses.asdict(run.method_settings)


def _dual_settings(run):
    own = _own(run)
    return {**own, "c": run.phi.c, "solver_options": json.loads(own["solver_options"]),
            **_schedule(run)}


def _neural_dual_settings(run):
    return {**_own(run), **_schedule(run)}


def _baseline_settings(run):
    return {"g_loss": METHODS[run.method].g_loss, **_own(run), **_schedule(run)}


# --------------------------------------------------------------------------- builders


def _network(run, target):
    """The network discriminator a run asks for (``d_arch``), as keyword arguments of
    :func:`~generator.nets.discriminators.make_discriminator`: its widths are ``d_hidden``
    for an MLP, ``d_channels`` for the convolutions (which take the target's image shape)."""
    networks = run.networks
    if networks.d_arch == "conv":
        return {"arch": "conv", "widths": networks.d_channels,
                "image_shape": (target.channels, *target.image_shape)}
    return {"arch": "mlp", "widths": networks.d_hidden, "image_shape": None}


def _build_dual(run, settings, target, g_net, *, features, inputs, dtype, device):
    return DualMethod(g_net, features, settings)


def _build_neural_dual(run, settings, target, g_net, *, features, inputs, dtype, device):
    network = _network(run, target)
    discriminator = make_discriminator(network["arch"], target.dim, network["widths"],
                                       image_shape=network["image_shape"], dtype=dtype,
                                       inputs=inputs)
    return NeuralDualMethod(g_net, discriminator.to(device), settings)


def _build_baseline(run, settings, target, g_net, *, features, inputs, dtype, device):
    network = _network(run, target)
    discriminator = baseline_discriminator(run.method, target.dim,
                                           linear=METHODS[run.method].needs_features,
                                           features=features, c=run.phi.c,
                                           hidden=network["widths"], arch=network["arch"],
                                           image_shape=network["image_shape"], dtype=dtype,
                                           inputs=inputs)
    return BaselineMethod(g_net, discriminator.to(device), settings)


#: The registered methods by name, in the order the scripts and messages list them.
METHODS = {spec.name: spec for spec in (
    MethodSpec("dual", DualConfig, DualSettings, _dual_settings, _build_dual,
               needs_features=True, exact_discriminator=True,
               description="the exact discriminator on fixed features φ through dual.solve, "
                           "and the generator's Danskin step on the optimal dual value "
                           "(SPEC 4)", label="exact dual (fixed features)"),
    MethodSpec("neural-dual", NeuralDualConfig, NeuralDualSettings,
               _neural_dual_settings, _build_neural_dual,
               needs_features=False, exact_discriminator=True,
               description="a network discriminator (MLP, or convolutional: d_arch), each "
                           "step linearized at its weights and solved exactly through "
                           "dual.solve_kernel (SPEC 7)", d_step="kappa",
               label="linearized dual (exact steps)"),
    MethodSpec("mlp-ns", BaselineConfig, BaselineSettings, _baseline_settings, _build_baseline,
               needs_features=False, exact_discriminator=False,
               description="the network discriminator (MLP, or convolutional: d_arch) "
                           "trained by gradient steps, non-saturating generator loss (SPEC 5)",
               d_step="d_lr", g_loss="non-saturating", label="gradient GAN (non-saturating)"),
    MethodSpec("mlp-minimax", BaselineConfig, BaselineSettings, _baseline_settings,
               _build_baseline, needs_features=False, exact_discriminator=False,
               description="the network discriminator (MLP, or convolutional: d_arch) "
                           "trained by gradient steps, minimax generator loss (SPEC 5)",
               d_step="d_lr", g_loss="minimax", label="gradient GAN (minimax)"),
    MethodSpec("linear-gd", BaselineConfig, BaselineSettings, _baseline_settings,
               _build_baseline, needs_features=True, exact_discriminator=False,
               description="the dual method's D_w = σ(−wᵀφ(x)), same φ and c (SPEC 1), trained "
                           "by gradient steps, minimax generator loss (the dual method's)",
               d_step="d_lr", g_loss="minimax", label="linear discriminator by gradient"),
)}
