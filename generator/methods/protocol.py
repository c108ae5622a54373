"""What the training loop asks of a method: the :class:`TrainingMethod` protocol.

The loop (:mod:`generator.training.trainer`) owns the seeds, the minibatches, the logs, the
snapshots and the checkpoints; a method owns what one generator step does. Every method of
:mod:`generator.methods` satisfies the protocol (the registry's are tested to), and so may any
other object with these members: it is structural, no base class to inherit.

Besides the protocol's members a method may have optional hooks, with which it owns what a run
reports of it (the functions below read them, with a default when a method has none):

* ``progress_fields`` — the logged values its progress bar shows (:func:`progress_fields`);
* ``describe()`` — one line saying what the method is, printed when a run starts
  (:func:`describe`);
* ``summarize_logs(logs, seconds)`` — the entries of ``metrics.json`` it derives from its
  per-step logs (:func:`summarize_logs`);
* ``figures(out, logs, real, fake, target)`` — its figures of a finished run, written into the
  directory ``out`` (a fresh real and generated minibatch given), returning their file names
  (:func:`figures`).
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


def progress_fields(method):
    """The logged values ``method``'s progress bar shows: its ``progress_fields``, else none."""
    return tuple(getattr(method, "progress_fields", ()))


def describe(method):
    """One line about ``method``: its ``describe()``, else its class and settings' names."""
    hook = getattr(method, "describe", None)
    return hook() if hook is not None else type(method).__name__


def summarize_logs(method, logs, seconds):
    """The ``metrics.json`` entries ``method`` derives from its per-step ``logs`` (dict of
    lists) over ``seconds`` of training: its ``summarize_logs``, else none."""
    hook = getattr(method, "summarize_logs", None)
    return hook(logs, seconds) if hook is not None else {}


def figures(method, out, logs, real, fake, target):
    """Write ``method``'s figures of a finished run into ``out``; returns their file names (none
    when it has no ``figures`` hook)."""
    hook = getattr(method, "figures", None)
    return hook(out, logs, real, fake, target) if hook is not None else []
