"""A result over seeds: its mean, its spread and its worst seed, one home for the summary."""

import math
import statistics


def summarize_seeds(values, larger_is_better=False):
    """Mean, sample standard deviation and worst seed of one metric measured per seed.

    Parameters
    ----------
    values : dict
        seed → value (a finite real number).
    larger_is_better : bool
        Whether the worst seed is the one with the smallest value (True) or the largest (False,
        e.g. a negative log-likelihood).

    Returns
    -------
    dict
        ``n``, ``mean``, ``std`` (ddof = 1; nan for a single seed), ``worst``, ``worst_seed``,
        ``best`` and ``per_seed`` (the input as a dict with string keys, for JSON).

    Raises
    ------
    ValueError
        No values, or a value that is not finite.
    """
    if not values:
        raise ValueError("values must hold at least one seed, got none")
    for seed, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"the value of seed {seed} must be finite, got {value!r}")
    seeds = list(values)
    pick = min if larger_is_better else max
    worst_seed = pick(seeds, key=lambda s: values[s])
    numbers = [float(values[s]) for s in seeds]
    return {
        "n": len(numbers),
        "mean": statistics.fmean(numbers),
        "std": statistics.stdev(numbers) if len(numbers) > 1 else math.nan,
        "worst": float(values[worst_seed]),
        "worst_seed": worst_seed,
        "best": float((max if larger_is_better else min)(numbers)),
        "per_seed": {str(s): float(values[s]) for s in seeds},
    }


def format_seeds(summary, digits=2):
    """A :func:`summarize_seeds` summary as text: ``"mean ± std (worst w)"``, or for one seed
    its value and ``"(one seed)"``, with ``digits`` decimals."""
    if summary["n"] == 1:
        return f"{summary['mean']:.{digits}f} (one seed)"
    return (f"{summary['mean']:.{digits}f} ± {summary['std']:.{digits}f} "
            f"(worst {summary['worst']:.{digits}f})")
