"""Output files written atomically: a reader, a crash or a kill never sees half a file.

Every output of the scripts (checkpoints, metrics and configuration JSON, CSV tables, figures)
is written through :func:`atomic_write`: the content goes to a hidden temporary file in the
target's directory (``.NAME.<random>.tmp``), is flushed and fsynced, and is then moved over the
target with ``os.replace``, which is atomic on POSIX and Windows. At any moment the target is
therefore either absent, its previous complete version, or the new complete version. An
interruption (Ctrl-C, SIGKILL, a full disk) can at worst leave a hidden temporary file beside it.

The temporary file is created with the permissions an ordinary ``open`` would give (0666 less
the umask), so the outputs stay readable by the group and others as usual.

A results table to be continued that is not one a script wrote raises :class:`ResultsFileError`
(:mod:`dualgan.table`), whose message names the file and how to start afresh.

**A write that fails** (a full disk ``ENOSPC``, a quota ``EDQUOT``, an I/O error ``EIO``, the
directory removed during the run) raises :class:`WriteFailedError`, an ``OSError`` that names the
file, the error and what is safe: the temporary file is removed, the target is left as it was, and
the *recovery note* of the writer (:func:`writer_scope`, :func:`set_recovery`, e.g. "the last
good checkpoint is at step 100 (…); free space and rerun with --resume") says how to go on. The
scripts print it as one line and exit with code 1 (:func:`dualgan.cli.run`).
"""

import contextlib
import errno as errnos
import json
import os
import secrets

#: What is safe after a failed write, and how to go on, until a writer says more (set_recovery).
DEFAULT_RECOVERY = "the files written before it are complete; {fix} and run the command again"
#: What to do about the error, put for ``{fix}`` in a recovery note.
FIXES = {errnos.ENOSPC: "free space", errnos.EDQUOT: "free space or raise the quota",
         errnos.EIO: "check the disk"}
_notes = []  # the recovery notes of the writers in progress (writer_scope), innermost last


@contextlib.contextmanager
def writer_scope(note=None):
    """While the block runs, a :class:`WriteFailedError` says ``note`` (None:
    :data:`DEFAULT_RECOVERY`) is safe, until :func:`set_recovery` replaces it; the note before
    is back after the block. A writer of an output opens one (:mod:`dualgan.lock`)."""
    _notes.append(DEFAULT_RECOVERY if note is None else str(note))
    try:
        yield
    finally:
        _notes.pop()


def set_recovery(note):
    """Replace the note of the innermost writer (:func:`writer_scope`; nothing outside one):
    what a :class:`WriteFailedError` raised from now on says is safe and how to go on. ``{fix}``
    in it becomes what to do about the error (:data:`FIXES`: "free space" for ``ENOSPC``, ...).
    A trainer sets it after each checkpoint (:class:`dualgan.training.CheckpointedLoop`)."""
    if _notes:
        _notes[-1] = str(note)


def recovery():
    """The current recovery note (:func:`writer_scope`, :func:`set_recovery`)."""
    return _notes[-1] if _notes else DEFAULT_RECOVERY


class WriteFailedError(OSError):
    """An output could not be written: a full disk, a quota, an I/O error, a directory removed.

    Attributes
    ----------
    errno, strerror : the operating system's error (``errno.ENOSPC``, ...)
    filename : str
        The file that could not be written (left as it was: no partial file remains).
    safe : str
        What is safe and how to go on (the recovery note of the writer, :func:`set_recovery`).
    """

    def __init__(self, path, error, safe=None):
        code = getattr(error, "errno", None)
        reason = getattr(error, "strerror", None) or str(error)
        super().__init__(code, reason, os.fspath(path))
        directory = os.path.dirname(os.path.abspath(self.filename))
        self.directory_removed = not os.path.isdir(directory)
        if self.directory_removed:
            safe = (f"the directory {directory} was removed during the run, with what it held; "
                    f"run the command again")
        fix = FIXES.get(code, "remove the cause")
        self.safe = (recovery() if safe is None else safe).replace("{fix}", fix)

    def __str__(self):
        name = errnos.errorcode.get(self.errno, "") if self.errno is not None else ""
        code = f", {name}" if name else ""
        kept = "" if self.directory_removed else (
            f" and {os.path.basename(self.filename)} is as it was before")
        return (f"cannot write {self.filename} ({self.strerror}{code}); no partial file is "
                f"left{kept}; {self.safe}")


def _os_error_in(err):
    """The OSError that caused ``err`` (itself, or one in its chain: torch wraps a failed write
    in a RuntimeError), or None."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, OSError):
            return err
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return None


class ResultsFileError(ValueError):
    """A results table (CSV) to be continued is not one the script wrote: the message names the
    file, what is wrong with it and how to start afresh."""


@contextlib.contextmanager
def atomic_write(path, mode="w", **open_kwargs):
    """Open a temporary file for writing that replaces ``path`` when the block ends normally.

    Parameters
    ----------
    path : str or os.PathLike
    mode : {"w", "wb"}
        Text or binary.
    **open_kwargs
        Passed to ``open`` (e.g. ``newline=""`` for CSV).

    Yields
    ------
    file object
        Write the complete content to it. If the block raises (or is interrupted), the
        temporary file is removed and ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(directory, f".{name}.{secrets.token_hex(8)}.tmp")  # 64 random bits
    try:
        # created inside the try: an interruption just after the creation still removes it
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):  # also when the directory itself is gone
            os.remove(tmp)
        cause = None if isinstance(err, WriteFailedError) else _os_error_in(err)
        if cause is not None:
            raise WriteFailedError(path, cause) from err
        raise


def write_text(path, text):
    """Write ``text`` to ``path`` atomically, as it is (UTF-8, no newline translation)."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_json(path, obj, **dump_kwargs):
    """Write ``obj`` as indented JSON to ``path`` atomically (``dump_kwargs`` go to json.dump)."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        json.dump(obj, handle, **{"indent": 2, **dump_kwargs})


def write_npz(path, **arrays):
    """Write numpy arrays to ``path`` as an uncompressed ``.npz`` archive, atomically
    (read back with ``numpy.load``)."""
    import numpy as np

    with atomic_write(path, "wb") as handle:
        np.savez(handle, **arrays)


def save_figure(fig, path, **savefig_kwargs):
    """``fig.savefig`` to ``path`` atomically; the format follows the file's extension."""
    extension = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
    savefig_kwargs.setdefault("format", extension or None)
    with atomic_write(path, "wb") as handle:
        fig.savefig(handle, **savefig_kwargs)


class OutputDirectoryError(OSError):
    """An output directory that cannot be created or written to (the message says why)."""


def ensure_writable_directory(directory):
    """Create ``directory`` if needed and check that files can be written in it, now.

    A run that cannot save its outputs should fail before training, not after the first hour.

    Raises
    ------
    OutputDirectoryError
        With the directory and the reason in the message.
    """
    directory = os.fspath(directory)
    probe = os.path.join(directory, f".write-test.{secrets.token_hex(8)}")
    try:
        os.makedirs(directory, exist_ok=True)
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        finally:  # also after an interruption just after the creation
            with contextlib.suppress(FileNotFoundError):
                os.remove(probe)
    except OSError as err:
        raise OutputDirectoryError(err.errno, f"cannot write the outputs to {directory!r} "
                                              f"({err.strerror or err}); choose another --out"
                                   ) from None
    return directory
