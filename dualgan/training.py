"""What every training loop shares: finiteness checks, Ctrl-C handling, threads, resume.

Both trainers (:class:`generator.Trainer`, :class:`vae.Trainer`) have one shape, given by
:class:`CheckpointedLoop`:

* ``run()`` trains to the configured end and returns a result object whose ``interrupted`` says
  whether Ctrl-C stopped it; a first Ctrl-C finishes the current step, writes a checkpoint and
  returns, a second one stops at once (``KeyboardInterrupt``);
* ``resume()`` loads the checkpoint, checks that the settings match (else
  :class:`dualgan.checkpoint.SettingsMismatchError`) and returns the trainer;
* ``save()`` writes the checkpoint atomically (:mod:`dualgan.checkpoint`).
"""

import contextlib
import signal
import threading

import torch
from threadpoolctl import threadpool_limits

from .checkpoint import check_same_settings, load_checkpoint, save_checkpoint


class NonFiniteError(FloatingPointError):
    """A network produced NaN or infinite values; training cannot continue."""


def check_finite(tensor, what):
    """Raise :class:`NonFiniteError` if ``tensor`` holds a NaN or an infinity."""
    if not torch.isfinite(tensor).all():
        bad = int((~torch.isfinite(tensor)).sum())
        raise NonFiniteError(f"{what} has {bad} non-finite value(s) out of {tensor.numel()}")


class StopRequest:
    """While active, a first Ctrl-C sets ``requested``; a second raises ``KeyboardInterrupt``.

    Outside the main thread (where signal handlers cannot be installed) it does nothing.
    """

    def __init__(self):
        self.requested = False
        self._previous = None
        self._installed = False

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        self.requested = False
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, *exc):
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
        return False


@contextlib.contextmanager
def torch_threads(n):
    """Run the block with ``n`` torch threads (None: unchanged), restoring the count after.

    numpy's and scipy's BLAS (where the ``dual`` solves run) keep their own thread pools; they
    are limited to ``n`` as well, through ``threadpoolctl``. On a machine shared with other
    work, an unlimited BLAS pool can make a small Cholesky factorization tens of times slower
    than on one thread.
    """
    before = torch.get_num_threads()
    with contextlib.ExitStack() as stack:
        if n is not None:
            torch.set_num_threads(int(n))
            stack.enter_context(threadpool_limits(limits=int(n), user_api="blas"))
        try:
            yield
        finally:
            torch.set_num_threads(before)


class CheckpointedLoop:
    """The checkpoint and resume half of a trainer.

    A subclass provides ``state_dict()``, ``load_state_dict(state)`` and ``settings()`` (a flat
    dict of what must not change across a resume) and sets ``checkpoint_path`` (None disables
    checkpoints).
    """

    checkpoint_path = None

    def settings(self):
        """What must match on resume (flat, JSON-like)."""
        raise NotImplementedError

    def save(self):
        """Write the checkpoint now (atomically); a no-op without ``checkpoint_path``."""
        if self.checkpoint_path is not None:
            save_checkpoint({"settings": self.settings(), **self.state_dict()},
                            self.checkpoint_path)

    def resume(self, may_change=()):
        """Continue from ``checkpoint_path``: check the settings, load the state, return self.

        Parameters
        ----------
        may_change : sequence of str
            Settings that may differ from the checkpoint's (e.g. ``"train.steps"`` to extend a
            run that has no schedule tied to its length).

        Raises
        ------
        ValueError
            No ``checkpoint_path`` was given.
        FileNotFoundError, dualgan.checkpoint.CheckpointError
            Nothing, or no readable checkpoint, at the path.
        dualgan.checkpoint.SettingsMismatchError
            The checkpoint was written with other settings (listed in the message).
        """
        if self.checkpoint_path is None:
            raise ValueError("resume needs a checkpoint_path, got None")
        state = load_checkpoint(self.checkpoint_path)
        check_same_settings(state.pop("settings", {}), self.settings(), may_change)
        self.load_state_dict(state)
        return self
