"""Training methods for :class:`generator.GANTrainer`: what happens in one generator step.

* :mod:`.protocol` — :class:`TrainingMethod`, what the loop asks of a method;
* :mod:`.registry` — :data:`METHODS`, every method by name as a :class:`MethodSpec` (its
  settings, how a run builds it, its progress fields, whether it needs features φ);
* :mod:`.feature_dual` — the exact discriminator on fixed features, solved through its dual,
  and the generator's Danskin step on the optimal dual value (SPEC 4);
* :mod:`.neural_dual` — a neural discriminator, linearized at its weights each step and the
  step's kernel-form problem solved exactly (SPEC 7);
* :mod:`.baseline` and :mod:`.discriminators` — the standard GAN (SPEC 5) with gradient-trained
  discriminators: an MLP, a small convolutional network for images (also linearized by the
  neural dual), or the dual method's own linear-in-features discriminator;
* :mod:`.schedule` — :class:`OptimizerSettings`, the optimizer settings every method's settings
  inherit, and the one maker of an optimizer with its learning-rate schedule.

The names below are imported on first use, so that importing one submodule does not import
every method (and the solvers).
"""

from dualgan.lazy import lazy_exports

_EXPORTS = {
    "METHODS": "registry", "MethodSpec": "registry", "method_spec": "registry",
    "TrainingMethod": "protocol",
    "OptimizerSettings": "schedule", "make_optimizer": "schedule",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
