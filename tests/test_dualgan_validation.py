"""The argument checks every package shares (dualgan.validation): one convention, clear words."""

import numpy as np
import pytest

from dualgan.validation import (
    check_choice,
    check_int,
    check_positive,
    check_positive_int,
    check_real,
)


@pytest.mark.parametrize("value, expected", [(3, 3), (np.int64(7), 7)])
def test_integers_pass_and_come_back_as_int(value, expected):
    out = check_positive_int(value, "n")
    assert out == expected and type(out) is int


@pytest.mark.parametrize("value", [2.0, "3", True, np.bool_(True), None])
def test_non_integers_are_a_type_error_naming_the_value(value):
    with pytest.raises(TypeError, match=f"n must be an integer >= 1, got {value!r} of type"):
        check_positive_int(value, "n")


def test_integers_below_the_minimum_are_a_value_error():
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        check_int(-1, "seed", minimum=0)
    assert check_int(-5, "offset") == -5  # no minimum: any integer


@pytest.mark.parametrize("value", ["1", True, None, 1j])
def test_non_reals_are_a_type_error(value):
    with pytest.raises(TypeError, match=f"c must be a real number > 0, got {value!r}"):
        check_positive(value, "c")


@pytest.mark.parametrize("value", [0, -1.5, float("nan"), float("inf")])
def test_non_positive_or_non_finite_reals_are_a_value_error_with_the_reason(value):
    with pytest.raises(ValueError, match=r"c must be a finite number > 0 \(SPEC 1\), got"):
        check_positive(value, "c", why="SPEC 1")


def test_intervals_open_and_closed():
    assert check_real(1.0, "p", 0.0, 1.0, high_inclusive=True) == 1.0
    with pytest.raises(ValueError, match=r"p must be a finite number in \(0, 1\), got 1.0"):
        check_real(1.0, "p", 0.0, 1.0)
    with pytest.raises(ValueError, match=r"p must be a finite number in \[0, 1\], got -0.5"):
        check_real(-0.5, "p", 0.0, 1.0, low_inclusive=True, high_inclusive=True)
    with pytest.raises(ValueError, match="q must be a finite number <= 2, got 3.0"):
        check_real(3, "q", high=2, high_inclusive=True)
    assert type(check_real(np.float32(0.5), "p")) is float


def test_choices_list_what_is_allowed():
    assert check_choice("dual", "form", ("primal", "dual")) == "dual"
    with pytest.raises(ValueError, match=r"form must be one of \['primal', 'dual'\], got 'x'"):
        check_choice("x", "form", ("primal", "dual"))
    with pytest.raises(ValueError, match=r"got \[1\]"):  # an unhashable value, not a crash
        check_choice([1], "form", {"primal", "dual"})
