"""Checkpoints: one set of rules for every package and script.

* **Atomic write** (:mod:`dualgan.files`, as every output). The state goes to a temporary file in
  the target's directory, is flushed to disk, and is moved into place with ``os.replace``: an
  interruption at any moment (Ctrl-C, SIGKILL, a full disk) leaves the previous checkpoint intact
  and never a partial file under the checkpoint's name.
* **Safe read.** ``torch.load(weights_only=True)``: a checkpoint holds tensors, numbers, strings,
  lists and dicts only. numpy arrays are stored as tensors and numpy scalars as Python numbers.
* **A clear error for a bad file.** A truncated copy, garbage, or a file that is not a checkpoint
  raises :class:`CheckpointError`, naming the file, what is wrong and the two ways out.
* **The settings travel with the state.** :func:`check_same_settings` compares the settings saved
  in a checkpoint with the current ones; resuming with other settings raises
  :class:`SettingsMismatchError` listing them. Where the outputs go is not a setting: a run
  directory that was moved or copied resumes.
"""

import os

import numpy as np
import torch

# kept importable from here, where the scripts have always found them
from .files import OutputDirectoryError, atomic_write, ensure_writable_directory  # noqa: F401


class CheckpointError(RuntimeError):
    """A checkpoint file exists but cannot be read back (truncated, garbage, not a checkpoint)."""

    def __init__(self, path, problem):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(
            f"cannot resume from {self.path}: {problem}. Either start afresh with --overwrite "
            f"instead of --resume (the file will be replaced at the first checkpoint), or restore "
            f"a complete copy of it"
        )


class SettingsMismatchError(ValueError):
    """Resuming with settings that differ from those the checkpoint was written with.

    Attributes
    ----------
    differences : dict
        name → (saved value, current value).
    """

    def __init__(self, differences):
        self.differences = differences
        listed = "; ".join(f"{name}: checkpoint {saved!r} vs now {now!r}"
                           for name, (saved, now) in sorted(differences.items()))
        super().__init__(f"cannot resume: the checkpoint was written with other settings "
                         f"({listed}); resume with the same settings or start afresh")


def _weights_only_safe(obj):
    """numpy arrays → tensors, numpy scalars → Python numbers, tuples → lists (recursively)."""
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(obj))
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {key: _weights_only_safe(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_weights_only_safe(value) for value in obj]
    return obj


def save_checkpoint(state, path):
    """Write ``state`` (a nested dict) to ``path`` atomically (:func:`dualgan.files.atomic_write`).

    Raises
    ------
    OSError
        The directory cannot be written; the previous checkpoint, if any, is left as it was.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_write(path, "wb") as handle:
        torch.save(_weights_only_safe(state), handle)


def load_checkpoint(path):
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``, on the CPU).

    Raises
    ------
    FileNotFoundError
        Nothing at ``path`` (the message names it).
    CheckpointError
        The file exists but is not a complete checkpoint.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint to resume from at {path!r}")
    size = os.path.getsize(path)
    if size == 0:
        raise CheckpointError(path, "the file is empty")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises RuntimeError, EOFError, pickle errors
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(path, f"the file ({size} bytes) is not a complete checkpoint "
                                    f"({first})") from None
    if not isinstance(state, dict):
        raise CheckpointError(path, f"it holds a {type(state).__name__}, not a checkpoint dict")
    return state


def check_same_settings(saved, current, may_change=(), added=None):
    """Raise :class:`SettingsMismatchError` if ``saved`` and ``current`` differ.

    Both are flat dicts of JSON-like values (tuples and lists compare equal). Keys in
    ``may_change`` are ignored. A key present on one side only counts as a difference, except a
    key the checkpoint lacks whose current value is the one the runs had before the setting
    existed: ``added[key]`` when given, else None (off), so the run continues as the code that
    wrote it ran.
    """
    def norm(value):
        if isinstance(value, (list, tuple)):
            return [norm(v) for v in value]
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return value

    added = added or {}
    differences = {}
    for key in set(saved) | set(current):
        if key in may_change:
            continue
        if key not in saved and norm(current[key]) == norm(added.get(key)):
            continue
        old, new = norm(saved.get(key)), norm(current.get(key))
        if old != new:
            differences[key] = (saved.get(key), current.get(key))
    if differences:
        raise SettingsMismatchError(differences)


def rng_states(generators=None):
    """The global torch and numpy RNG states and those of named ``torch.Generator`` objects.

    Returns a weights-only-safe dict for :func:`set_rng_states`.
    """
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "generators": {name: g.get_state() for name, g in (generators or {}).items()},
    }


def set_rng_states(states, generators=None):
    """Restore what :func:`rng_states` returned; ``generators`` are updated in place.

    Raises
    ------
    KeyError
        The saved states lack one of the named generators.
    """
    torch.set_rng_state(states["torch"])
    s = states["numpy"]
    np.random.set_state((s["kind"], s["keys"].numpy().astype(np.uint32), s["pos"],
                         s["has_gauss"], s["cached_gaussian"]))
    generators = generators or {}
    missing = set(generators) - set(states["generators"])
    if missing:
        raise KeyError(f"the checkpoint has no state for the random streams {sorted(missing)}")
    for name, g in generators.items():
        g.set_state(states["generators"][name])
