"""Input checks shared by every entry point of :mod:`dual`.

Each check raises ``ValueError`` or ``TypeError`` with a message that names the bad value and
what is allowed, in the scikit-learn manner. Nothing here uses ``assert``.
"""

import math

import numpy as np
from scipy.linalg.lapack import dpotrf

from dualgan.validation import check_choice, check_int, check_positive


def _to_numpy(x, name):
    """Return ``x`` as a numpy array without copying more than needed (torch tensors included)."""
    if type(x) is np.ndarray:
        return x
    if type(x).__module__.startswith("torch"):
        if getattr(x, "device", None) is not None and x.device.type != "cpu":
            raise ValueError(
                f"{name} must be a CPU tensor, got a tensor on device {x.device}; "
                f"call .cpu() first"
            )
        x = x.detach().numpy()
    try:
        return np.asarray(x)
    except ValueError as err:  # numpy >= 1.24 refuses ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got a ragged sequence ({err})"
        ) from None


def _real_array(x, name):
    """``x`` as a numpy array of real numbers (TypeError for strings, objects, complex)."""
    arr = _to_numpy(x, name)
    kind = arr.dtype.kind  # b: booleans, i/u: integers, f: floats, c: complex; others no numbers
    if kind not in "biuf":
        if kind == "c":
            raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def _finite_squares(arr, name):
    """Σ of the squared entries of a float64 array (inf when it overflows float64), after
    checking that every entry is finite: one BLAS pass gives both, as an inf or NaN entry makes
    Σx² non-finite, and only an overflow does so with finite entries (then the entries are
    searched)."""
    # np.vdot calls the BLAS dot that ``x @ x`` calls (the same value), without the ufunc's
    # floating-point error check: an overflow needs no np.errstate (about 2 µs a call)
    total = float(np.vdot(arr, arr))
    if total != total or total == np.inf:  # NaN or inf: an entry, or only an overflow?
        bad = ~np.isfinite(arr)
        if bad.any():
            bad = np.argwhere(bad)[0]
            raise ValueError(f"{name} must be finite; entry {tuple(int(i) for i in bad)} is "
                             f"{arr[tuple(bad)]}")
        total = np.inf
    return total


def as_samples(x, name="x"):
    """Validate a sample matrix and return it as a C-contiguous float64 array of shape (n, D).

    Raises
    ------
    TypeError
        Non-numeric (strings, objects) or complex data.
    ValueError
        Not two-dimensional, no rows or no columns, non-finite entries, a ragged list,
        or a tensor on a non-CPU device.
    """
    return _samples(x, name)[0]


def _samples(x, name):
    """:func:`as_samples` and the sum of the squared entries, from one pass over the data."""
    arr = _real_array(x, name)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (n_samples, n_features), got {arr.ndim}-D "
            f"array of shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has shape {arr.shape}, at least one sample needed")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no features: shape {arr.shape}, at least one column needed")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.float64)
    return arr, _finite_squares(arr, name)


def as_pair(real, fake, squares=False):
    """Validate the real (N, D) and fake (M, D) sets together; return both as float64, and with
    ``squares`` also ‖A‖²_F, the sum of their squared entries (for :func:`check_scale`), taken in
    the same pass as the finiteness check."""
    real, real_squares = _samples(real, "real")
    fake, fake_squares = _samples(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real and fake must have the same number of features D, got "
            f"real with D={real.shape[1]} and fake with D={fake.shape[1]}"
        )
    return (real, fake, real_squares + fake_squares) if squares else (real, fake)


def check_c(c):
    """Return the regularization weight as a float, requiring a finite number > 0 (SPEC 1)."""
    if type(c) is float and 0.0 < c < math.inf:  # the common case, without the general checks
        return c
    return check_positive(c, "c", why="the problem has no minimizer for c <= 0 on separable data")


def check_form(form, allowed):
    """Return ``form`` if it is one of ``allowed`` (:func:`dual.backends.result.forms`)."""
    return check_choice(form, "form", allowed)


def as_vector(v, length, name):
    """Validate a float64 vector of the given length."""
    arr = _real_array(v, name)
    arr = np.asarray(arr, dtype=np.float64).reshape(-1) if arr.ndim <= 1 else arr
    if arr.ndim != 1 or arr.shape[0] != length:
        raise ValueError(f"{name} must have shape ({length},), got shape {np.shape(arr)}")
    arr = np.ascontiguousarray(arr)
    _finite_squares(arr, name)
    return arr


#: The largest scale accepted, far enough below float64's overflow threshold (1.8e308) that the
#: sums of up to n such terms in F, g and the Newton steps stay finite; see :func:`check_scale`.
MAX_SCALE = 1e300


def as_offset(offset, length, name):
    """Per-sample score offsets a_k (SPEC 7), shape (length,); ``None`` means all zero.

    Σ|a_k| must not exceed :data:`MAX_SCALE`: the dual's linear term βᵀa, |βᵀa| ≤ Σ|a_k|,
    would otherwise overflow float64.
    """
    if offset is None:
        return np.zeros(length)
    arr = as_vector(offset, length, name)
    with np.errstate(over="ignore"):
        total = float(np.abs(arr).sum())
    if not total <= MAX_SCALE:
        raise ValueError(f"{name} is too large for float64: Σ|{name}| = {total:.3g} exceeds "
                         f"{MAX_SCALE:g} (largest entry {float(np.abs(arr).max()):.3g}), so the "
                         f"dual's term βᵀa would overflow; rescale the offsets")
    return arr


def check_scale(squares, n, c, names="real and fake", squares_name="‖A‖²"):
    """Refuse a problem whose scale n·‖A‖²_F/c exceeds :data:`MAX_SCALE`.

    That scale bounds every large quantity of SPEC 1–3 and 7 at any λ in the box: with
    β ∈ [−1, 1]ⁿ, ‖b(λ)‖² ≤ (Σ_k ‖x_k‖)² ≤ n·‖A‖²_F (Cauchy–Schwarz), so ‖b‖²/(2c) = (c/2)‖w‖²
    and every score |x_kᵀw| ≤ ‖x_k‖·‖b‖/c stay below it; beyond it, F, g and the Newton steps
    overflow float64 and come back as inf or NaN. ``squares`` is ‖A‖²_F = Σ A_kd²; for a Gram
    matrix K = J Jᵀ it is trace(K) = ‖J‖²_F.

    Raises
    ------
    ValueError
        The scale, its parts, and the ways out (rescale the data, raise c).
    """
    scale = float(n) * float(squares) / float(c)  # Python floats: an overflow gives inf
    if not scale <= MAX_SCALE:
        verb = "are" if " and " in names else "is"
        raise ValueError(f"{names} {verb} too large for float64 at c={c:g}: the problem's scale "
                         f"n·{squares_name}/c = {scale:.3g} (n = {n}, {squares_name} = "
                         f"{squares:.3g}) exceeds {MAX_SCALE:g}, beyond which ‖b(λ)‖²/(2c), the "
                         f"scores and F overflow; rescale {names} or raise c")


def sum_of_squares(*arrays):
    """Σ of the squared entries of float64 arrays (inf when it overflows)."""
    with np.errstate(over="ignore"):
        return float(sum(float(np.einsum("ij,ij->", x, x)) for x in arrays))


def check_n_real(n_real, n):
    """The number of real samples heading a Gram matrix of order n: 1 <= n_real <= n − 1."""
    n_real = check_int(n_real, "n_real", minimum=1)
    if n_real > n - 1:
        raise ValueError(f"n_real must leave at least one fake sample: 1 <= n_real <= "
                         f"{n - 1} for K of order {n}, got {n_real}")
    return n_real


#: K is refused as asymmetric when max|K − Kᵀ| exceeds this fraction of max|K| ...
SYMMETRY_RTOL = 1e-8
#: ... and as indefinite when an eigenvalue lies below −PSD_RTOL · trace(K)/n.
PSD_RTOL = 1e-8


def as_gram(gram, name="K"):
    """Validate a Gram matrix (SPEC 7: K = J Jᵀ) and return its symmetric part in float64.

    The checks cost O(n²) plus one Cholesky factorization of K + τI, τ = PSD_RTOL·trace(K)/n
    (about n³/3 flops; an eigenvalue decomposition runs only to word the error message).

    Raises
    ------
    TypeError
        Non-numeric or complex entries.
    ValueError
        Not a square 2-D array of order >= 2, a NaN or infinite entry, asymmetric beyond
        ``SYMMETRY_RTOL``·max|K|, or an eigenvalue below −``PSD_RTOL``·trace(K)/n; the message
        says which.
    """
    arr = _real_array(gram, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square 2-D Gram matrix of shape (N + M, N + M), "
                         f"got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise ValueError(f"{name} must have order N + M >= 2 (one real and one fake sample at "
                         f"least), got shape {arr.shape}")
    arr = np.asarray(arr, dtype=np.float64)
    _finite_squares(arr, name)
    scale = max(float(arr.max()), -float(arr.min()))  # max|K|, without an n × n temporary
    # memory: one n × n buffer holds |K − Kᵀ|, then the symmetric part; one more for the
    # Cholesky test (dual.memory.gram_checks)
    sym = np.subtract(arr, arr.T, out=np.empty_like(arr))
    asym = np.abs(sym, out=sym)
    if asym.max() > SYMMETRY_RTOL * scale:
        i, j = np.unravel_index(int(asym.argmax()), asym.shape)
        raise ValueError(f"{name} must be symmetric to {SYMMETRY_RTOL:g}·max|{name}| = "
                         f"{SYMMETRY_RTOL * scale:.3g}; |{name}[{i}, {j}] − {name}[{j}, {i}]| = "
                         f"{asym[i, j]:.3g}")
    np.add(arr, arr.T, out=sym)
    sym *= 0.5
    n = sym.shape[0]
    tau = PSD_RTOL * max(float(np.trace(sym)), 0.0) / n
    # Cholesky of K + τI succeeds iff no eigenvalue is below −τ (roughly); in Fortran order,
    # so that LAPACK factors the copy in place
    shifted = np.array(sym, order="F")
    shifted.flat[::n + 1] += tau
    _, info = dpotrf(shifted, lower=0, clean=0, overwrite_a=1)
    del shifted
    if info != 0:  # not numerically positive definite: confirm with the spectrum
        smallest = float(np.linalg.eigvalsh(sym)[0])
        if smallest < -tau:
            raise ValueError(f"{name} must be positive semidefinite (a Gram matrix); its "
                             f"smallest eigenvalue {smallest:.3g} is below −{PSD_RTOL:g}·"
                             f"trace({name})/n = {-tau:.3g}")
    return sym
