"""What every training loop shares: finiteness checks, Ctrl-C handling, threads, the outer loop,
checkpoint and resume.

Both trainers (:class:`generator.GANTrainer`, :class:`vae.VAETrainer`) have one shape, given by
:class:`CheckpointedLoop`:

* ``run()`` trains to the configured end and returns a result object whose ``interrupted`` says
  whether Ctrl-C stopped it; a first Ctrl-C finishes the current unit of work (a generator step,
  a VAE minibatch), writes a checkpoint and returns, a second one stops at once
  (``KeyboardInterrupt``). Its outer loop is :meth:`CheckpointedLoop._train`, written once here;
* ``resume()`` loads the checkpoint, checks that the settings match (else
  :class:`dualgan.checkpoint.SettingsMismatchError`) and returns the trainer;
* ``save()`` writes the checkpoint atomically (:mod:`dualgan.checkpoint`), after which a failed
  write of any output names it as the last good state (:func:`dualgan.files.set_recovery`: "the
  last good checkpoint is at step 100 (…); free space and rerun with --resume").
"""

import contextlib
import signal
import threading

import torch
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .checkpoint import check_same_settings, load_checkpoint, save_checkpoint
from .files import set_recovery


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
    """The outer loop, checkpoint and resume of a trainer.

    A subclass provides, for checkpoints,

    * ``settings()`` — a flat dict of what must not change across a resume (and, optionally,
      ``settings_added``: those added after older checkpoints were written, with the value their
      runs had, see :func:`~dualgan.checkpoint.check_same_settings`);
    * ``state_dict()`` and ``load_state_dict(state)`` — everything needed to continue exactly;
    * ``checkpoint_path`` — where checkpoints go (None disables them);

    and, for the loop of :meth:`_train`,

    * ``unit`` — what one call of ``_one_unit`` completes (``"step"``, ``"epoch"``), named in
      messages;
    * ``_units_done()`` — the units completed so far (resumed ones included);
    * ``_done()`` — whether the run has reached its end (the last unit, a time budget);
    * ``_one_unit(stop)`` — one unit of training; it may return early once ``stop.requested``
      (how far it got is then part of the state);
    * optionally ``_where()`` (the position, if finer than whole units), ``_wind_up(interrupted)``
      (work between the loop and the final checkpoint) and ``non_finite_advice``.
    """

    checkpoint_path = None
    unit = "step"
    non_finite_advice = "Lower the learning rate"  # what to try after a NonFiniteError
    _last_checkpoint = None  # _where() of the last checkpoint written or resumed from
    settings_added = {}  # setting -> its value before it existed (check_same_settings's added)

    def settings(self):
        """What must match on resume (flat, JSON-like)."""
        raise NotImplementedError

    def save(self):
        """Write the checkpoint now (atomically); a no-op without ``checkpoint_path``.

        Raises
        ------
        dualgan.files.WriteFailedError
            It could not be written (a full disk, ...); the message names the last good
            checkpoint, which is left as it was.
        """
        if self.checkpoint_path is not None:
            save_checkpoint({"settings": self.settings(), **self.state_dict()},
                            self.checkpoint_path)
            self._checkpoint_is_good()

    def _checkpoint_is_good(self):
        """Record the checkpoint on disk as the last good state (also for failed writes)."""
        self._last_checkpoint = self._where()
        set_recovery(f"the last good checkpoint is at {self._last_checkpoint} "
                     f"({self.checkpoint_path}); {{fix}} and rerun with --resume")

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
        check_same_settings(state.pop("settings", {}), self.settings(), may_change,
                            added=self.settings_added)
        self.load_state_dict(state)
        self._checkpoint_is_good()
        return self

    # ----------------------------------------------------------------- the outer loop
    def _units_done(self):
        raise NotImplementedError

    def _done(self):
        raise NotImplementedError

    def _one_unit(self, stop):
        raise NotImplementedError

    def _where(self):
        """Where the run stands, as a noun phrase for messages ("step 12")."""
        return f"{self.unit} {self._units_done()}"

    def _wind_up(self, interrupted):
        """Called after the loop, before the final checkpoint; nothing by default."""

    def _train(self, num_threads=None, announce=True):
        """Call ``_one_unit`` until ``_done()`` or a Ctrl-C, then write the checkpoint.

        A first Ctrl-C lets the current unit finish (or stop early, if ``_one_unit`` looks at
        ``stop.requested``); a second raises ``KeyboardInterrupt`` at once, without a checkpoint.
        On the way out, finished or stopped, the checkpoint is written, so it holds the state the
        run ends in.

        Parameters
        ----------
        num_threads : int, optional
            torch and BLAS threads while training (:func:`torch_threads`); None: unchanged.
        announce : bool
            After a Ctrl-C, print where the run stopped and where its checkpoint is.

        Returns
        -------
        bool
            Whether a Ctrl-C stopped the run (also when it came during the last unit: the
            caller should stop there too).

        Raises
        ------
        NonFiniteError
            A unit produced non-finite values; the message names the unit and the last good
            checkpoint, which is left untouched on disk.
        """
        with StopRequest() as stop, torch_threads(num_threads):
            try:
                while not (stop.requested or self._done()):
                    self._one_unit(stop)
            except NonFiniteError as err:
                raise self._non_finite(err) from err
            interrupted = stop.requested
        self._wind_up(interrupted)
        self.save()
        if interrupted and announce:
            if self.checkpoint_path is None:
                tqdm.write(f"interrupted at {self._where()} (no checkpoint_path, nothing saved)")
            else:
                tqdm.write(f"interrupted at {self._where()}; checkpoint written to "
                           f"{self.checkpoint_path!r}")
        return interrupted

    def _non_finite(self, err):
        if self._last_checkpoint is None:
            kept = "no checkpoint was written yet"
        else:
            kept = (f"the last good checkpoint ({self._last_checkpoint}) is kept at "
                    f"{self.checkpoint_path!r}")
        return NonFiniteError(f"training stopped at {self.unit} {self._units_done() + 1}: {err}. "
                              f"{self.non_finite_advice}; {kept}.")
