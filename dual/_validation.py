"""Input checks shared by every entry point of :mod:`dual`.

Each check raises ``ValueError`` or ``TypeError`` with a message that names the bad value and
what is allowed, in the scikit-learn manner. Nothing here uses ``assert``.
"""

import numbers

import numpy as np

FORMS = ("primal", "dual")


def _to_numpy(x, name):
    """Return ``x`` as a numpy array without copying more than needed (torch tensors included)."""
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
    arr = _to_numpy(x, name)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (n_samples, n_features), got {arr.ndim}-D "
            f"array of shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has shape {arr.shape}, at least one sample needed")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no features: shape {arr.shape}, at least one column needed")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} must be finite; entry {tuple(int(i) for i in bad)} is {arr[tuple(bad)]}"
        )
    return arr


def as_pair(real, fake):
    """Validate the real (N, D) and fake (M, D) sets together; return both as float64."""
    real = as_samples(real, "real")
    fake = as_samples(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real and fake must have the same number of features D, got "
            f"real with D={real.shape[1]} and fake with D={fake.shape[1]}"
        )
    return real, fake


def check_c(c):
    """Return the regularization weight as a float, requiring a finite number > 0 (SPEC 1)."""
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Real):
        raise TypeError(f"c must be a real number > 0, got {c!r} of type {type(c).__name__}")
    c = float(c)
    if not np.isfinite(c) or c <= 0:
        raise ValueError(
            f"c must be a finite number > 0 (the problem has no minimizer for c <= 0 on "
            f"separable data), got {c!r}"
        )
    return c


def check_form(form, allowed=FORMS):
    """Return ``form`` if it is one of ``allowed``."""
    if not isinstance(form, str) or form not in allowed:
        raise ValueError(f"form must be one of {set(allowed)}, got {form!r}")
    return form


def as_vector(v, length, name):
    """Validate a float64 vector of the given length."""
    arr = _to_numpy(v, name)
    if arr.dtype == object or np.iscomplexobj(arr) or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = np.asarray(arr, dtype=np.float64).reshape(-1) if arr.ndim <= 1 else arr
    if arr.ndim != 1 or arr.shape[0] != length:
        raise ValueError(f"{name} must have shape ({length},), got shape {np.shape(arr)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return np.ascontiguousarray(arr)
