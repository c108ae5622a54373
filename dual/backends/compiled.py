"""Where the native primal runs compiled: numba installed, and data small enough that the calls
around numpy's arithmetic cost more than the arithmetic.

:mod:`dual.backends._numba_primal` runs the primal Newton method (:data:`~.result.PRIMAL`) in one
compiled call, and the certificate of the primal form in one more. It is imported, and numba with
it, on the first problem within the limits below: that first call of a process pays about 0.3 s
(numba's import and the machine code loaded from its cache), the very first after an installation
or a change of the source about 4 s more (the compilation), measured here. Without numba (the
optional extra ``fast``) every problem takes numpy's route: the same method, to the same
certified gap.
"""

#: The limits of the compiled route: at most this many features and n·D entries. Measured (one
#: BLAS thread, a warm Newton run alone, the compiled one with its warm-start test): 7× faster
#: than numpy's at 2 × 2, 4× at n = 32, D = 64, 1.5× at n = 128, D = 64, as fast within noise
#: at n = 512, D = 64, 1.15× slower at n = 1024, D = 32 (the whole call still gains the numpy
#: certificate's 10 µs there); beyond, 1.25–1.3× slower (n = 1000, D = 100; n = 4096, D = 16),
#: where the arithmetic outweighs the numpy calls around it.
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
        except (ImportError, RuntimeError):
            # numba absent or broken, or no directory where it may cache its machine code
            # (numba raises RuntimeError "cannot cache function" on import then): numpy's route
            _module = False
            return None
        _module = _numba_primal
    return _module
