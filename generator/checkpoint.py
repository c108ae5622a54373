"""Atomic checkpoints that ``torch.load(weights_only=True)`` can read back.

A checkpoint is a nested dict of tensors, numbers, strings, lists and dicts only (no pickled
objects), written to a temporary file in the target's directory and moved into place with
``os.replace``, so a crash mid-write never leaves a truncated checkpoint behind.
"""

import os
import tempfile

import numpy as np
import torch


def save_checkpoint(state, path):
    """Write ``state`` to ``path`` atomically (temp file in the same directory + os.replace)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pt", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_checkpoint(path):
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``).

    Raises
    ------
    FileNotFoundError
        With the path in the message.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    return torch.load(path, map_location="cpu", weights_only=True)


def numpy_rng_state():
    """numpy's global RNG state as weights-only-safe values (the key array becomes a tensor)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
            "has_gauss": int(has_gauss), "cached_gaussian": float(cached)}


def set_numpy_rng_state(state):
    """Inverse of :func:`numpy_rng_state`."""
    np.random.set_state((state["kind"], state["keys"].numpy().astype(np.uint32), state["pos"],
                         state["has_gauss"], state["cached_gaussian"]))
