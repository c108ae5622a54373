"""A run's objects from its settings: the target, the networks and the method (:func:`build`),
and the training loop (:func:`make_trainer`).

For a given seed every method starts from the same generator weights, the methods with a network
discriminator from the same discriminator weights (for the same ``d_arch`` and widths), and the
feature methods from the same φ.
"""

import torch

from ..data.targets import make_target
from ..methods.registry import method_spec
from ..nets.device import check_device
from ..nets.discriminators import input_map
from ..nets.features import make_features
from ..nets.generators import make_generator
from ..training.trainer import GANTrainConfig, GANTrainer
from .config import DTYPES, added_settings


def build(config):
    """The target and the method of ``config``; seeds torch with ``config.seed`` first.

    Returns
    -------
    (target, method) : generator.data.targets.Target, and a method for
        :class:`~generator.training.trainer.GANTrainer`
    """
    target = make_target(config.data.target, config.data.data_dir)
    torch.manual_seed(config.seed)  # generator (then discriminator) initialization, on the CPU
    dtype = DTYPES[config.compute.dtype]
    device = check_device(config.compute.device)
    networks = config.networks
    kwargs = ({} if networks.generator == "affine"
              else {"channels": networks.g_channels,
                    "image_shape": (target.channels, *target.image_shape)}
              if networks.generator == "conv" else {"hidden": networks.hidden})
    g_net = make_generator(networks.generator, networks.latent_dim, target.dim, dtype=dtype,
                           **kwargs).to(device)
    mean = target.mean if networks.d_input == "mean-centered" else None
    inputs = input_map(networks.d_input, mean, dtype)
    spec = method_spec(config.method)
    phi = None
    if spec.needs_features:
        scales = config.phi.lengthscale
        scales = scales[0] if len(scales) == 1 else scales
        phi = make_features(config.phi.features, target.dim, config.phi.num_features, scales,
                            config.seed)
    method = spec.build(config, spec.make_config(config), target, g_net, features=phi,
                        inputs=inputs, dtype=dtype, device=device)
    return target, method


def make_trainer(config, target, method, checkpoint_path=None, **loop):
    """The training loop of ``config`` (``loop``: further :class:`GANTrainConfig` fields).

    The run's settings are recorded in the checkpoint (``run.<flat name>``) and checked on
    resume; a checkpoint written before a setting existed lacks it, and matches a run whose value
    is the one every run of before had (:func:`~generator.runs.config.added_settings`).
    """
    training = config.training
    train = GANTrainConfig(steps=training.steps, batch_size=training.batch_size,
                           seed=config.seed, ema=training.ema, **loop)
    # where the data lie is not a setting (a moved copy resumes); what they are is
    settings = {f"run.{k}": v for k, v in config.to_dict().items() if k != "data_dir"}
    settings.update({f"run.{k}": v for k, v in target.recorded_settings().items()})
    added = {f"run.{k}": v for k, v in added_settings().items()}
    return GANTrainer(method, target, train, checkpoint_path=checkpoint_path, settings=settings,
                      added_settings=added)
