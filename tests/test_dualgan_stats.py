"""dualgan.stats: the summary over seeds (mean, sample deviation, worst seed) against numpy, and
its text, which for one seed shows the value without a spread."""

import math

import numpy as np
import pytest

from dualgan.stats import format_seeds, summarize_seeds


def test_summary_over_seeds_matches_numpy_and_picks_the_worst_seed_by_direction():
    values = {0: 0.537, 1: 0.554, 2: 0.875}
    numbers = np.array(list(values.values()))
    lower = summarize_seeds(values)  # smaller is better: the worst is the largest
    assert lower["mean"] == pytest.approx(numbers.mean(), rel=1e-15)
    assert lower["std"] == pytest.approx(numbers.std(ddof=1), rel=1e-12)
    assert (lower["worst"], lower["worst_seed"], lower["best"]) == (0.875, 2, 0.537)
    higher = summarize_seeds(values, larger_is_better=True)
    assert (higher["worst"], higher["worst_seed"], higher["best"]) == (0.537, 0, 0.875)


def test_summary_text_shows_the_spread_over_seeds_and_none_for_one_seed():
    many = summarize_seeds({0: 1.0, 1: 3.0})
    assert format_seeds(many, 1) == "2.0 ± 1.4 (worst 3.0)"  # std of (1, 3), ddof 1: √2
    one = summarize_seeds({7: 0.25})
    assert math.isnan(one["std"])
    assert format_seeds(one, 3) == "0.250 (one seed)"


def test_summary_over_seeds_refuses_no_values_and_non_finite_ones():
    with pytest.raises(ValueError, match="at least one seed"):
        summarize_seeds({})
    with pytest.raises(ValueError, match="seed 1 must be finite, got nan"):
        summarize_seeds({0: 1.0, 1: math.nan})
