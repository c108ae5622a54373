"""Variational autoencoders: ELBO, closed-form KL, reparameterization, decoders (SPEC 6).

The public API::

    vae.VAE(vae.VAEConfig(input_dim=784, hidden=(512, 256), latent_dim=32))
    model.encode(x) -> (mu, logvar); model.reparameterize(mu, logvar); model.decode(z)
    vae.kl_diag_gaussians, vae.kl_standard_normal, vae.kl_equal_variance   # SPEC 6, 1d
    vae.bernoulli_log_likelihood, vae.gaussian_log_likelihood              # SPEC 6, 2d-2e
    vae.negative_elbo(model, x, mc_samples), vae.elbo_terms(...)           # SPEC 6, 2c
    vae.iwae_log_likelihood(model, x, k), vae.evaluate_iwae                # Burda et al. 2016
    vae.DiscreteLatentModel                                                # SPEC 6, 1e-1f
    vae.load_dataset("mnist", data_dir), vae.binarize(x, rng)   # images from dualgan.images
    vae.VAETrainer(model_config, train_config, train_x, test_x, checkpoint_path).run()
    vae.learning_rate(train_config, step, steps_per_epoch), vae.kl_weight(...)  # the schedules

The command line of training (``examples/train_vae.py``: options, checks, runs over seeds) is
:mod:`vae.cli`, not imported here.
"""

from .bounds import elbo_terms, evaluate_iwae, iwae_log_likelihood, negative_elbo
from .config import VAEConfig
from .data import DATASETS, binarize, load_dataset
from .exact import DiscreteLatentModel
from .kl import kl_diag_gaussians, kl_equal_variance, kl_standard_normal, log_normal
from .likelihoods import DECODERS, bernoulli_log_likelihood, gaussian_log_likelihood
from .model import VAE
from .train import (
    BINARIZATIONS,
    LR_SCHEDULES,
    VAETrainConfig,
    VAETrainer,
    VAETrainResult,
    evaluate_nelbo,
    kl_weight,
    learning_rate,
)

__all__ = [
    "BINARIZATIONS", "DATASETS", "DECODERS", "LR_SCHEDULES", "DiscreteLatentModel", "VAE",
    "VAEConfig", "VAETrainConfig", "VAETrainResult", "VAETrainer", "bernoulli_log_likelihood",
    "binarize", "elbo_terms", "evaluate_iwae", "evaluate_nelbo", "gaussian_log_likelihood",
    "iwae_log_likelihood", "kl_diag_gaussians", "kl_equal_variance", "kl_standard_normal",
    "kl_weight", "learning_rate", "load_dataset", "log_normal", "negative_elbo",
]
