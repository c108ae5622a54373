"""The project's cache folder, and the one line that announces a write to it.

Two things are cached, both computed here, never downloaded: the native backend's machine
constants (:mod:`dual.calibration`, a small JSON file) and the classifiers that judge generated
images (:mod:`generator.evaluation.classifier`, a few hundred KB each). Both go to
:func:`cache_dir`:
``$DUALGAN_CACHE`` when set, else ``$XDG_CACHE_HOME/dualgan``, else ``~/.cache/dualgan``. The
first write to a file in a process is announced on stderr (:func:`announce_write`), naming the
file and ``DUALGAN_CACHE``; a later write to it in that process is silent.
"""

import os
import sys

#: The environment variable that chooses the cache folder.
ENV = "DUALGAN_CACHE"

_announced = set()


def cache_dir():
    """``$DUALGAN_CACHE``, else ``$XDG_CACHE_HOME/dualgan``, else ``~/.cache/dualgan``."""
    explicit = os.environ.get(ENV)
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dualgan")


def announce_write(path, what):
    """Say on stderr, once per file and process, that ``what`` is being cached in ``path``.

    Returns
    -------
    bool
        Whether the line was printed (False when this file was announced before).
    """
    path = os.path.abspath(os.fspath(path))
    if path in _announced:
        return False
    _announced.add(path)
    print(f"dualgan: caching {what} in {path} (set {ENV} to choose another folder)",
          file=sys.stderr, flush=True)
    return True
