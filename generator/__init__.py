"""Torch generators trained against the exact dual value of the discriminator (SPEC 4, 5).

Modules: ``models`` (generators, latent prior), ``features`` (fixed maps φ), ``targets``
(2-D mixtures), ``metrics`` (mode coverage, reverse KL, moments), ``trainer`` (the loop),
``dual_method`` (the SPEC 4 step), ``presets`` (settings that work per target), ``baseline`` and
``discriminators`` (the standard GAN trained by gradient steps), ``theory`` (SPEC 5 on 1-D
densities), ``stability`` (the learning-rate sweep), ``runs`` (config, resume and evaluation
shared by the scripts), ``checkpoint`` and ``plots``.
"""

from .baseline import BaselineConfig, BaselineMethod, make_baseline
from .discriminators import LinearFeatureDiscriminator, MLPDiscriminator
from .dual_method import DualConfig, DualMethod, default_solver, dual_value
from .features import Concat, Identity, IdentityBias, Quadratic, RandomFourier, make_features
from .metrics import mode_metrics, moment_errors, sample_covariance, sample_mean
from .models import AffineGenerator, MLPGenerator, make_generator, sample_latent
from .presets import DUAL_PRESETS
from .targets import Target, make_target
from .trainer import NonFiniteError, TrainConfig, Trainer, TrainResult, check_finite

__all__ = [
    "AffineGenerator", "BaselineConfig", "BaselineMethod", "Concat", "DUAL_PRESETS",
    "LinearFeatureDiscriminator", "MLPDiscriminator", "make_baseline", "DualConfig", "DualMethod", "Identity", "IdentityBias",
    "MLPGenerator", "NonFiniteError", "Quadratic", "RandomFourier", "Target", "TrainConfig",
    "TrainResult", "Trainer", "check_finite", "default_solver", "dual_value", "make_features",
    "make_generator", "make_target", "mode_metrics", "moment_errors", "sample_covariance",
    "sample_latent", "sample_mean",
]
