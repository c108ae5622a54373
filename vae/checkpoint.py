"""Atomic checkpoints and the random-number-generator states a resumed run needs."""

import os
import tempfile

import numpy as np
import torch


def save_checkpoint(state, path):
    """Write ``state`` to ``path`` atomically: a temporary file in the same directory, then
    ``os.replace``, so an interruption leaves the previous checkpoint intact."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ckpt-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_checkpoint(path):
    """Load a checkpoint written by :func:`save_checkpoint` with ``weights_only=True``.

    Raises
    ------
    FileNotFoundError
        No checkpoint at ``path`` (the message names it).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint to resume from at {path!r}")
    return torch.load(path, map_location="cpu", weights_only=True)


def get_rng_states(generators):
    """States of the global torch and numpy RNGs and of the named ``torch.Generator`` objects,
    as plain tensors and numbers (loadable with ``weights_only=True``)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "numpy": {
            "name": name,
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "generators": {k: g.get_state() for k, g in generators.items()},
    }


def set_rng_states(states, generators):
    """Restore what :func:`get_rng_states` returned; ``generators`` are updated in place."""
    torch.set_rng_state(states["torch"])
    s = states["numpy"]
    np.random.set_state(
        (s["name"], s["keys"].numpy().astype(np.uint32), s["pos"], s["has_gauss"],
         s["cached_gaussian"])
    )
    missing = set(generators) - set(states["generators"])
    if missing:
        raise ValueError(f"checkpoint has no state for generators {sorted(missing)}")
    for k, g in generators.items():
        g.set_state(states["generators"][k])
