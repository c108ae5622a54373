"""What the training loop asks of a method: the :class:`TrainingMethod` protocol.

The loop (:mod:`generator.training.trainer`) owns the seeds, the minibatches, the logs, the
snapshots and the checkpoints; a method owns what one generator step does. Every method of
:mod:`generator.methods` satisfies the protocol (the registry's are tested to), and so may any
other object with these members: it is structural, no base class to inherit.
"""

from typing import Any, Protocol, runtime_checkable

import torch


@runtime_checkable
class TrainingMethod(Protocol):
    """One generator step against a discriminator, with its state for exact resume.

    ``isinstance(obj, TrainingMethod)`` checks that the members exist, not their signatures.

    Attributes
    ----------
    g_net : torch.nn.Module
        The generator network G_θ: latent codes (n, latent_dim) → samples (n, dim); has an int
        attribute ``latent_dim``. The loop draws the latent codes in the dtype and on the device
        of its first parameter.
    config : dataclass
        The method's settings; the loop records ``dataclasses.asdict(config)`` in every
        checkpoint (as ``method.<field>``) and checks them on resume.
    """

    g_net: torch.nn.Module
    config: Any

    def step(self, real: torch.Tensor, latent: torch.Tensor) -> dict[str, float]:
        """One training step.

        Parameters
        ----------
        real : Tensor, shape (B, dim)
            A real minibatch.
        latent : Tensor, shape (B, latent_dim)
            Latent codes for the generated minibatch.

        Returns
        -------
        dict of str to float
            The numbers to log for this step (the loop adds ``step`` and ``step_seconds``).

        Raises
        ------
        dualgan.training.NonFiniteError
            The generator's output is not finite: a method calls
            :func:`dualgan.training.check_finite` on it.
        """
        ...

    def state_dict(self) -> dict:
        """Everything needed to continue exactly: networks, optimizers and their schedules,
        random streams, step counts. Weights-only-safe values only (tensors, numbers, strings,
        and lists and dicts of them; numpy arrays too, which
        :func:`dualgan.checkpoint.save_checkpoint` writes as tensors), so that a checkpoint
        loads with ``torch.load(weights_only=True)``."""
        ...

    def load_state_dict(self, state: dict) -> None:
        """Restore a state written by :meth:`state_dict`, into a method built with the same
        settings."""
        ...
