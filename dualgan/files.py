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
"""

import contextlib
import json
import os
import secrets


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
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
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
