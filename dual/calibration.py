"""The machine constants of the native backend's cost model, measured here and cached.

``form="auto"`` (:func:`dual.solve` with ``solver="native"``) chooses between Newton methods by
their predicted cost per Newton step (see :mod:`dual.backends.cost_model`). The prediction needs
how fast this machine, with its BLAS and its current number of BLAS threads, runs the kernels
those methods are made of:

* a **pass** over an n × D matrix (a matrix-vector product, A v or Aᵀ u): the unit of the
  gradient and of Newton-CG's Hessian-vector products, timed for n·D from 2¹⁰ to 2²² entries
  (in cache to far beyond it);
* **syrk**, the product Bᵀ B that forms a Hessian or a Gram matrix, as a flop rate by the order
  of the result (8 to 512);
* a **Cholesky** factorization and solve, by order (8 to 1024);
* the **per-sample** cost of the logistic terms in a Newton step (σ, softplus), and the fixed
  cost of one numpy **call**.

Nothing is guessed: every constant is a minimum over a few timed repeats, taken by
:func:`calibrate` (about half a second; more on a loaded machine). The first ``form="auto"`` solve
of a process loads the constants for this machine and thread count from the cache file, or
measures and saves them, saying so once on stderr. The cache file is ``$DUAL_CALIBRATION`` if
set, else ``calibration.json`` in the project's cache folder (:func:`dualgan.cache.cache_dir`:
``$DUALGAN_CACHE``, else ``~/.cache/dualgan``); it maps a key (BLAS libraries,
versions, thread counts, CPU) to constants, so one file serves several set-ups. An unwritable
cache is not an error: the constants then live for the process only.

The constants describe the thread count in effect when they were loaded: after changing it
within a process (``threadpoolctl.threadpool_limits``), call :func:`calibrate` again. Rerun
``python -m dual.calibration`` after a change of machine or BLAS; it prints the constants.
"""

import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.linalg.blas import dsyrk
from scipy.linalg.lapack import dpotrf, dpotrs
from scipy.special import expit

from dualgan.cache import announce_write, cache_dir
from dualgan.files import write_json

from ._record import Record

PASS_SIZES = (2**10, 2**13, 2**16, 2**19, 2**22)  # entries n·D of the timed matrices
SYRK_ORDERS = (8, 32, 128, 512)
CHOLESKY_ORDERS = (8, 32, 64, 128, 512, 1024)
_SAMPLES = 2**16  # vector length for the per-sample cost
#: How the constants are measured; a change makes the entries cached by an older way stale
#: (v2: the Cholesky through LAPACK's potrf/potrs, as the backend calls them, not scipy's
#: cho_factor/cho_solve, whose checks cost about 8 µs a call; and at order 64 too, where the
#: small factored steps and Newton-CG compete).
CONSTANTS_VERSION = 2
_REPEATS, _ENOUGH = 5, 0.05  # at most 5 repeats per kernel, fewer once 50 ms are spent


@dataclass(frozen=True, eq=False)
class Calibration(Record):
    """Timed constants of the native backend's kernels on one machine (see the module notes).

    Attributes
    ----------
    key : str
        What the constants hold for: BLAS libraries, versions and thread counts, CPU, Python.
    measured : str
        When (UTC, ISO 8601).
    pass_sizes, pass_seconds : ndarray, shape (5,)
        Entries n·D of a matrix, and seconds of one pass over it (mean of A v and Aᵀ u).
    syrk_orders, syrk_rates : ndarray, shape (4,)
        Order k of a k × k product Bᵀ B, and its rate in flop/s (flops = rows(B)·k²).
    cholesky_orders, cholesky_seconds : ndarray, shape (6,)
        Order and seconds of a Cholesky factorization plus one solve.
    sample_seconds : float
        Seconds per sample for the logistic terms of one Newton step (σ, softplus).
    call_seconds : float
        Seconds of one small numpy call (the fixed cost of every vector operation).
    """

    key: str
    measured: str
    pass_sizes: np.ndarray
    pass_seconds: np.ndarray
    syrk_orders: np.ndarray
    syrk_rates: np.ndarray
    cholesky_orders: np.ndarray
    cholesky_seconds: np.ndarray
    sample_seconds: float
    call_seconds: float


def machine_key():
    """The set-up the constants depend on: the BLAS libraries of numpy and scipy (with versions,
    architectures and thread counts) as threadpoolctl sees them, the CPU, the Python version and
    :data:`CONSTANTS_VERSION`.

    Only numpy's and scipy's libraries count (the native backend's kernels run there): a BLAS that
    another package brings into the process (a conic solver's, say) must not change the key, or
    two processes of one machine would measure and use different constants. When neither can be
    told apart by its path (a shared system or conda BLAS), every BLAS counts.
    """
    from threadpoolctl import threadpool_info

    libraries = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    ours = [i for i in libraries
            if any(f"{package}.libs" in os.path.normpath(i.get("filepath", "")).split(os.sep)
                   for package in ("numpy", "scipy"))]
    blas = sorted(f"{i.get('internal_api')}-{i.get('version')}-{i.get('architecture')}"
                  f"x{i.get('num_threads')}" for i in ours or libraries)
    return (f"{platform.machine()} {platform.processor() or 'cpu'} ncpu={os.cpu_count()}; "
            f"python {platform.python_version()}; numpy {np.__version__}; blas {', '.join(blas)}; "
            f"constants v{CONSTANTS_VERSION}")


def cache_path():
    """Where the constants are cached: ``$DUAL_CALIBRATION``, else ``calibration.json`` in
    :func:`dualgan.cache.cache_dir`."""
    explicit = os.environ.get("DUAL_CALIBRATION")
    if explicit:
        return Path(explicit)
    return Path(cache_dir()) / "calibration.json"


def _best(fn):
    """The minimum wall time of ``fn()`` over up to ``_REPEATS`` runs (fewer past ``_ENOUGH`` s)."""
    times = []
    while len(times) < _REPEATS and sum(times) < _ENOUGH:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _measure():
    # each lambda is timed at once, in the iteration that made it (B023 does not apply)
    pass_seconds = []
    for size in PASS_SIZES:
        d = int(np.sqrt(size))
        a = np.full((size // d, d), 0.5)
        v, u = np.full(d, 0.25), np.full(size // d, 0.25)
        pass_seconds.append(0.5 * (_best(lambda: a @ v) + _best(lambda: a.T @ u)))  # noqa: B023
    syrk_rates = []
    for order in SYRK_ORDERS:
        b = np.full((max(2 * order, 256), order), 0.5)
        seconds = _best(lambda: dsyrk(1.0, b.T, trans=0))  # noqa: B023
        syrk_rates.append(b.shape[0] * order**2 / seconds)
    cholesky_seconds = []
    for order in CHOLESKY_ORDERS:  # LAPACK potrf and potrs, called as the backend calls them
        spd, rhs = np.eye(order) * order + 1.0, np.ones(order)
        cholesky_seconds.append(_best(lambda: dpotrs(dpotrf(
            spd.copy(order="F"), lower=0, clean=0, overwrite_a=1)[0], rhs,  # noqa: B023
            lower=0)))
    x = np.linspace(-5.0, 5.0, _SAMPLES)
    sample = _best(lambda: (expit(x), np.logaddexp(0.0, x).sum(), x * x)) / _SAMPLES
    small = x[:8]
    return dict(pass_sizes=np.array(PASS_SIZES, dtype=np.float64),
                pass_seconds=np.array(pass_seconds), syrk_orders=np.array(SYRK_ORDERS, float),
                syrk_rates=np.array(syrk_rates), cholesky_orders=np.array(CHOLESKY_ORDERS, float),
                cholesky_seconds=np.array(cholesky_seconds), sample_seconds=sample,
                call_seconds=_best(lambda: small @ small))


_current = None  # the constants in use in this process


def calibrate(save=True):
    """Measure the constants now, use them from now on in this process, and cache them.

    Parameters
    ----------
    save : bool, default True
        Also write them to :func:`cache_path` (replacing the entry for this set-up).

    Returns
    -------
    Calibration
    """
    global _current
    measured = _measure()
    calibration = Calibration(key=machine_key(),
                              measured=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              **measured)
    if save:
        _save(calibration)
    _current = calibration
    return calibration


def current():
    """The constants in use: loaded or measured at the first call of the process."""
    if _current is None:
        reload()
    return _current


def reload():
    """Use the constants of the set-up in effect now (say, after ``threadpool_limits``): from the
    cache file, or measured and cached when it has none. Two processes of one machine that share
    the cache file then make the same choices in ``form="auto"``, so the same seed gives the
    same numbers in both.

    Returns
    -------
    Calibration
    """
    global _current
    _current = _load(machine_key()) or calibrate(save=True)
    return _current


def _load(key):
    try:
        entry = json.loads(cache_path().read_text()).get(key)
        return None if entry is None else Calibration.from_dict(entry)
    except (OSError, ValueError, TypeError, AttributeError):  # absent, unreadable or stale
        return None


def _save(calibration):
    path = cache_path()
    try:
        try:
            entries = json.loads(path.read_text())
            entries = entries if isinstance(entries, dict) else {}
        except (OSError, ValueError):
            entries = {}
        entries[calibration.key] = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                    for k, v in calibration.to_dict().items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        announce_write(path, "this machine's constants for form='auto'")
        write_json(path, entries, indent=1)  # atomic: another process never reads half of it
    except OSError:  # a read-only home, a full disk: the constants stay in this process
        return False
    return True


def main(argv=None):
    """``python -m dual.calibration``: measure, cache and print the constants."""
    import argparse

    parser = argparse.ArgumentParser(description="Measure the native backend's cost-model "
                                                 "constants on this machine and cache them.")
    parser.add_argument("--no-save", action="store_true", help="measure and print only")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    calibration = calibrate(save=not args.no_save)
    print(f"{calibration.key}\nmeasured in {time.perf_counter() - start:.2f} s; "
          + ("not saved" if args.no_save else f"saved to {cache_path()}"))
    for size, seconds in zip(calibration.pass_sizes, calibration.pass_seconds):
        print(f"  pass over {int(size):>8} entries: {seconds * 1e6:9.1f} µs")
    for order, rate in zip(calibration.syrk_orders, calibration.syrk_rates):
        print(f"  syrk, order {int(order):>4}: {rate / 1e9:6.2f} Gflop/s")
    for order, seconds in zip(calibration.cholesky_orders, calibration.cholesky_seconds):
        print(f"  Cholesky, order {int(order):>4}: {seconds * 1e3:8.3f} ms")
    print(f"  logistic terms: {calibration.sample_seconds * 1e9:.1f} ns per sample; "
          f"one numpy call: {calibration.call_seconds * 1e6:.2f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
