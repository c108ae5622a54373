"""Where the native primal runs compiled: numba installed, and data small enough that the calls
around numpy's arithmetic cost more than the arithmetic.

:mod:`dual.backends._numba_primal` runs the primal Newton method (:data:`~.result.PRIMAL`) in one
compiled call. It is imported, and numba with it, on the first problem within the limits below;
without numba (it is the optional extra ``fast``) every problem takes numpy's route, which
computes the same iterates.
"""

#: The limits of the compiled route: at most this many features and n·D entries. Measured (one
#: BLAS thread, warm starts on the overlapping family): faster than numpy's primal there, from
#: 8× at 2 × 2 to 1.1× at n = 512, D = 64; slower beyond (1.1× slower at n = 1000, D = 100),
#: where the BLAS and LAPACK arithmetic outweighs the numpy calls around it.
MAX_FEATURES = 64
MAX_ENTRIES = 512 * 64

_module = None  # dual.backends._numba_primal once imported; False when numba is not importable


def module(n, d):
    """:mod:`dual.backends._numba_primal` when numba is importable and n samples of D features
    are within :data:`MAX_FEATURES` and :data:`MAX_ENTRIES`, else None (numpy's route)."""
    global _module
    if d > MAX_FEATURES or n * d > MAX_ENTRIES or _module is False:
        return None
    if _module is None:
        try:
            from . import _numba_primal
        except ImportError:  # numba absent (or broken): numpy's route
            _module = False
            return None
        _module = _numba_primal
    return _module
