"""Memory guards: the bytes of each large allocation of :mod:`dual`, predicted from the array
shapes and checked against the memory available before the allocation happens.

Without a guard, a problem too large for the machine ends with the kernel's out-of-memory kill,
which leaves no message. With one, :class:`dual.ResourceError` says what was predicted, what is
available, and the way out (another ``form``, fewer samples, or ``check_memory=False``).

**Available memory** is ``psutil.virtual_memory().available`` (psutil comes with the ``cluster``
extra), else ``os.sysconf("SC_AVPHYS_PAGES") · os.sysconf("SC_PAGE_SIZE")`` (free pages only, so
lower than psutil's figure, which counts reclaimable caches). A lower limit can be set for the
process by :func:`set_limit` or the environment variable ``DUALGAN_MEMORY_LIMIT`` (bytes); the
guards then use the smaller of the two. Tests use it so that no guard needs gigabytes to fire.
Each guard compares its own allocation with what is available when it runs: what the process
holds by then (the caller's data, the stacked copy) the system already counts out; a lowered
limit is applied to each comparison alike.

**Cached reading.** Reading the system's figure costs about 0.1 ms (psutil parses
``/proc/meminfo``), more than a whole solve of a small problem. A guard therefore reuses the last
reading when its allocation is at most :data:`REREAD_FRACTION` of it and the reading is at most
:data:`REREAD_AGE` seconds old, and reads afresh otherwise: an allocation that could come near
the available memory is always compared with a fresh figure, and a refusal is never based on an
old one. The caps (:func:`set_limit`, ``DUALGAN_MEMORY_LIMIT``) are applied to every comparison.

**Predictions** count float64 arrays (8 bytes an entry) that a step allocates beyond the arrays
it is given, at the peak, as read off the code (n = N + M samples, D features); vectors of length
n or D are covered by a small allowance. ``tests/test_dual_memory.py`` holds each native
prediction to within a factor 1.5 of the peak that ``tracemalloc`` sees
(0.91 to 1.20 measured, from 300 to 2500 samples).

* the stacked samples A = [X; G] that :func:`dual.solve` hands to every backend (n·D);
* native primal, Cholesky (:func:`dual.backends.newton_primal.newton_primal`): √s·A (n·D) and the
  Hessian, factored in place (D²);
* native primal, Newton-CG: A∘A for the Jacobi preconditioner when n ≥ D (n·D), else vectors;
* native dual on features: the Gram matrix and the Newton system (2·n², n ≤ D), or, for n > D,
  the Woodbury form's √h·A and its D × D system (n·D + D²);
* native dual on a Gram matrix: the Newton system (n²);
* a Gram matrix's checks (:func:`dual._validation.as_gram`): the symmetric part, which is kept,
  and a shifted copy for the Cholesky test (2·n², plus n² to convert a K that is not float64);
* the factor of K (:func:`dual.kernel.gram_factor`): LAPACK's packed copy (n²) and the factor
  with its lower-triangle temporary (2·n·r, r = rank ≤ n; n assumed before factoring);
* CVXPY and cvxpylayers: measured models, see :func:`cvxpy_bytes` and :func:`layer_bytes`.
"""

import math
import os
import time

from dualgan.validation import check_int

from .exceptions import ResourceError

ENV_LIMIT = "DUALGAN_MEMORY_LIMIT"
FLOAT = 8  # bytes of a float64
_VECTORS = 10  # length-n and length-D vectors alive at once in a Newton step (8 measured)

#: A guard reads the system's figure afresh when its allocation exceeds this fraction of the
#: last reading ...
REREAD_FRACTION = 1 / 16
#: ... or when the last reading is older than this (seconds).
REREAD_AGE = 1.0

_limit = None
_reading = None  # the last system reading: (bytes, time.monotonic() when read)


def set_limit(nbytes):
    """Cap the memory the guards consider available (``None`` removes the cap); returns the
    previous cap. The environment variable ``DUALGAN_MEMORY_LIMIT`` caps it too."""
    global _limit
    if nbytes is not None:
        nbytes = check_int(nbytes, "memory limit", minimum=0)
    previous, _limit = _limit, nbytes
    return previous


def system_available():
    """Bytes the operating system reports available: psutil, else ``os.sysconf``."""
    try:
        import psutil
    except ImportError:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return int(psutil.virtual_memory().available)


def _env_limit():
    text = os.environ.get(ENV_LIMIT, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{ENV_LIMIT} must be a number of bytes >= 0, got {text!r}")
    return int(value)


def _system_figure(need):
    """The system's available bytes: the last reading when ``need`` is at most
    :data:`REREAD_FRACTION` of it and it is younger than :data:`REREAD_AGE` seconds, else a
    fresh reading (which becomes the last)."""
    global _reading
    now = time.monotonic()
    if (need is not None and _reading is not None and need <= REREAD_FRACTION * _reading[0]
            and now - _reading[1] <= REREAD_AGE):
        return _reading[0]
    figure = system_available()
    _reading = (figure, now)
    return figure


def available(need=None):
    """Bytes the guards allow: what the system has, capped by :func:`set_limit` and
    ``DUALGAN_MEMORY_LIMIT``.

    ``need``: the bytes about to be compared with the answer. A small need (at most
    :data:`REREAD_FRACTION` of the last reading, taken within :data:`REREAD_AGE` seconds) is
    compared with the last reading; without ``need``, or for a larger one, the system is read
    afresh.
    """
    figure = _system_figure(need)
    for cap in (_limit, _env_limit()):
        if cap is not None and cap < figure:
            figure = cap
    return figure


def fits(nbytes):
    """Whether ``nbytes`` fit in :func:`available` memory."""
    return nbytes <= available(nbytes)


def check(what, nbytes, advice, enabled=True):
    """Raise :class:`dual.ResourceError` when ``nbytes`` exceed :func:`available` memory.

    Parameters
    ----------
    what : str or callable
        The allocation, for the message (``"native primal/cholesky on n=…, D=…"``), or a
        function of no arguments that returns it (called only to word a refusal).
    nbytes : int
        The prediction.
    advice : str
        The way out for this allocation (another form, fewer samples); the message adds
        ``check_memory=False``.
    enabled : bool
        ``False`` (the caller's ``check_memory=False``) skips the check.
    """
    if not enabled:
        return
    free = available(nbytes)
    if nbytes > free:
        raise ResourceError(what() if callable(what) else what, nbytes, free, advice)


# ---------------------------------------------------------------------------------------------
# Predictions, in bytes (see the module docstring for the arrays counted)
# ---------------------------------------------------------------------------------------------

def _vectors(n, d):
    return FLOAT * _VECTORS * (n + d)


def stacked(n, d):
    """The front end's stacked copy A = [X; G] of the samples (n × D), which every backend
    gets; the caller's own arrays are already allocated."""
    return FLOAT * n * d


def native_primal(n, d):
    """Newton in w with a Cholesky factorization: √s·A and the D × D Hessian."""
    return FLOAT * (n * d + d * d) + _vectors(n, d)


def native_cg(n, d):
    """Newton-CG in w: A∘A (Jacobi preconditioner) when n ≥ D."""
    return FLOAT * (n * d if n >= d else 0) + _vectors(n, d)


def native_dual(n, d):
    """Newton in λ on features: Gram matrix and Newton system (n ≤ D), else Woodbury."""
    if n <= d:
        return FLOAT * 2 * n * n + _vectors(n, d)
    return FLOAT * (n * d + d * d) + _vectors(n, d)


def native_gram_dual(n):
    """Newton in λ on a given Gram matrix of order n: the Newton system."""
    return FLOAT * n * n + _vectors(n, 0)


def gram_checks(n, converted=False):
    """:func:`dual._validation.as_gram`: the symmetric part (kept) and a shifted copy."""
    return FLOAT * (3 if converted else 2) * n * n


def gram_factor(n, rank=None):
    """:func:`dual.kernel.gram_factor`: LAPACK's packed copy and the factor (rank ≤ n)."""
    rank = n if rank is None else rank
    return FLOAT * (n * n + 2 * n * rank)


# CVXPY, measured: the peak resident-set growth of one cvxpy_backend.solve with CLARABEL (build,
# canonicalization and conic solve) in a fresh process warmed up by a tiny solve (cvxpy 1.9.3,
# clarabel 0.11.1), at 20 shapes from n·D = 2e3 to 1e6 (n from 200 to 6400, D from 10 to 500),
# primal and dual alike (0.25 MB to 217 MB). A least-squares fit gives 200 B per data entry and
# 11 kB per sample; the model below has prediction/measurement between 0.84 and 1.45 for
# n·D >= 4e4 (up to 2.3 on the smallest shapes, where page granularity dominates):
#     bytes ≈ 210·n·D + 6000·n + 2 MiB
# The per-entry term is the expression tree's copies of A (the constant, its canonicalized
# sparse coefficients, the cone program's matrix) and the solver's KKT matrix and factor; the
# per-sample term the 2n (primal) or 3n (dual) exponential cones.
CVXPY_PER_ENTRY, CVXPY_PER_SAMPLE, CVXPY_FIXED = 210, 6000, 2 << 20


def cvxpy_bytes(n, d):
    """A CVXPY primal or dual build and solve on n samples of D features (measured model)."""
    return CVXPY_PER_ENTRY * n * d + CVXPY_PER_SAMPLE * n + CVXPY_FIXED


# cvxpylayers, measured: the peak resident-set growth of one BoxDualLayer build in a fresh
# process after a 2 × 2 × 2 build (cvxpylayers 1.2.0, cvxpy 1.9.3), at 8 shapes from
# n²·D = 1.8e4 to 3.2e6 (n = N + M from 60 to 600, D from 4 to 40; 3.9 MB to 495 MB). DPP
# canonicalization stores the map from the n·D + n parameter entries to the problem data, which
# grows as n²·D (the quadratic term's data depends on every sample through b):
#     bytes ≈ 160·n²·D + 100·n² + 4 MiB
# prediction/measurement between 1.00 and 1.07 for n²·D >= 4e5 (1.9 at the smallest shape). It
# agrees with the earlier whole-process figures in dual.layers (1.0 GB at N = M = 150, D = 50).
LAYER_PER_UNIT, LAYER_PER_PAIR, LAYER_FIXED = 160, 100, 4 << 20


def layer_bytes(n_real, n_fake, d):
    """A :class:`dual.layers.BoxDualLayer` build on N, M samples of D features (measured)."""
    n = n_real + n_fake
    return LAYER_PER_UNIT * n * n * d + LAYER_PER_PAIR * n * n + LAYER_FIXED
