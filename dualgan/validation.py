"""Argument checks shared by every package, in the scikit-learn manner.

One convention everywhere: a value of the wrong *type* raises ``TypeError``, a value of the right
type outside what is allowed raises ``ValueError``; both messages name the argument, show the bad
value and say what is allowed. Booleans are not accepted as numbers (``True`` is an ``int`` to
Python, but never a meaningful count or weight here). Nothing here uses ``assert``.

Needs numpy only, so that :mod:`dual` can use it without importing torch.
"""

import math
import numbers

import numpy as np


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, minimum=None):
    """Return ``value`` as an ``int``; it must be an integer (not a bool) ≥ ``minimum``.

    Raises
    ------
    TypeError
        Not an integer (a float such as ``2.0``, a string, a bool).
    ValueError
        Below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        allowed = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise TypeError(f"{name} must be {allowed}, got {value!r} of type {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_positive_int(value, name):
    """Return ``value`` as an ``int`` ≥ 1 (see :func:`check_int`)."""
    return check_int(value, name, minimum=1)


def check_real(value, name, low=None, high=None, low_inclusive=False, high_inclusive=False,
               why=""):
    """Return ``value`` as a finite ``float`` in the interval given by ``low`` and ``high``.

    Parameters
    ----------
    value : object
    name : str
        The argument's name, for the message.
    low, high : float, optional
        Bounds (None: unbounded on that side).
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed (default: open interval).
    why : str, optional
        A reason appended to the ValueError message.

    Raises
    ------
    TypeError
        Not a real number (strings, bools, complex, None).
    ValueError
        NaN, infinite, or outside the interval.
    """
    if not _is_real(value):
        allowed = _interval(low, high, low_inclusive, high_inclusive)
        raise TypeError(f"{name} must be a real number{allowed}, got {value!r} of type "
                        f"{type(value).__name__}")
    value = float(value)
    below = low is not None and (value < low or (value == low and not low_inclusive))
    above = high is not None and (value > high or (value == high and not high_inclusive))
    if not math.isfinite(value) or below or above:
        reason = f" ({why})" if why else ""
        allowed = _interval(low, high, low_inclusive, high_inclusive)
        raise ValueError(f"{name} must be a finite number{allowed}{reason}, got {value!r}")
    return value


def check_positive(value, name, why=""):
    """Return ``value`` as a finite ``float`` > 0 (see :func:`check_real`)."""
    return check_real(value, name, low=0.0, why=why)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices``; else ``ValueError`` listing them."""
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable values against a set-like of choices
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def _interval(low, high, low_inclusive, high_inclusive):
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>=' if low_inclusive else '>'} {low:g}"
    if low is None:
        return f" {'<=' if high_inclusive else '<'} {high:g}"
    return (f" in {'[' if low_inclusive else '('}{low:g}, {high:g}"
            f"{']' if high_inclusive else ')'}")
