"""A study's rows summarized: mean ± standard error over seeds, per method and learning rate.

The rows are those of :func:`generator.experiment.run_one` (as read back from a CSV: text), one
per run. Which metrics a target has depends on its kind (:data:`STUDY_METRICS`): mode coverage,
high-quality fraction and reverse KL for the 2-D mixtures; class coverage, class reverse KL and
Fréchet classifier distance for images; mode coverage (of 1,000), mode KL and the fraction of
samples confident in every channel for Stacked MNIST; the cost of a run (CPU and wall seconds)
for all.
:func:`available_methods` says which methods a target's presets allow.
"""

import math

from .experiment import RunConfig
from .targets import IMAGE_TARGETS, STACKED_TARGETS

#: The metrics of a study's summary, per kind of target (the first one counts what is covered).
STUDY_METRICS = {
    "points": ("modes_covered", "high_quality_fraction", "reverse_kl"),
    "images": ("classes_covered", "class_reverse_kl", "confident_fraction",
               "frechet_classifier_distance"),
    "stacked": ("modes_covered", "mode_kl", "confident_fraction"),
}
COST_FIELDS = ("cpu_seconds", "wall_seconds")
#: Metrics where less is better (their worst seed is the largest value).
LOWER_IS_BETTER = ("reverse_kl", "class_reverse_kl", "frechet_classifier_distance", "mode_kl")
_TOTAL = {"points": "num_modes", "images": "num_classes", "stacked": "num_modes"}


def target_kind(target):
    """``"stacked"`` for a stacked image target, ``"images"`` for another image target, else
    ``"points"`` (the ``kind`` of :mod:`generator.targets`, from the target's name)."""
    name = str(target)
    return "stacked" if name in STACKED_TARGETS else "images" if name in IMAGE_TARGETS else "points"


def available_methods(methods, target):
    """The methods that can run on ``target`` with its presets, and why the others cannot.

    Returns
    -------
    usable : list of str
    left_out : dict
        method -> the reason (the message of :meth:`RunConfig.from_preset`).
    """
    usable, left_out = [], {}
    for method in methods:
        try:
            RunConfig.from_preset(method, target)
        except ValueError as err:
            left_out[method] = str(err)
        else:
            usable.append(method)
    return usable, left_out


def mean_se(values):
    """Mean, standard error (std with ddof=1 over √n; nan for n < 2) and count of the
    finite values."""
    vals = [v for v in values if math.isfinite(v)]
    n = len(vals)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(vals) / n
    if n < 2:
        return mean, math.nan, n
    var = sum((v - mean) ** 2 for v in vals) / (n - 1)
    return mean, math.sqrt(var / n), n


def _num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _latest(rows, key_fields):
    """The last row of each run (a retried failure is replaced by its retry)."""
    latest = {}
    for row in rows:
        latest[tuple(str(row[k]) if k in ("method", "target") else _num(row[k])
                     for k in key_fields)] = row
    return list(latest.values())


def summarize(rows, key_fields=("method", "lr", "seed", "target", "steps")):
    """Mean ± standard error over seeds, per (method, target, steps, lr).

    Rows with status ``"error"`` are left out. A ``"nonfinite"`` run counts as nothing covered
    (0 modes or classes, 0 high-quality or confident); its KL and distance are undefined and left
    out of those means: ``<metric>_n`` counts the runs each mean is over.

    Parameters
    ----------
    rows : iterable of dict
        Rows of :func:`generator.experiment.run_one` (values as numbers or as CSV text).
    key_fields : tuple of str
        The fields that name one run.

    Returns
    -------
    list of dict, sorted by method, target, steps, lr. Each has ``method``, ``target``,
    ``steps``, ``lr``, ``kind``, ``runs``, ``nonfinite_runs``; per metric of the target's kind
    and per cost field, ``<metric>``, ``<metric>_se``, ``<metric>_n`` and ``<metric>_worst``
    (the worst seed's value); ``total`` (modes or classes of the target) and
    ``complete_runs`` (runs that covered all of them).
    """
    groups = {}
    for row in _latest(rows, key_fields):
        if row["status"] != "error":
            key = (row["method"], row["target"], int(_num(row["steps"])), _num(row["lr"]))
            groups.setdefault(key, []).append(row)
    out = []
    for (method, target, steps, lr), group in sorted(groups.items()):
        kind = target_kind(target)
        total = int(_num(group[0][_TOTAL[kind]]))
        entry = {"method": method, "target": target, "steps": steps, "lr": lr, "kind": kind,
                 "runs": len(group), "total": total,
                 "complete_runs": sum(_num(r[STUDY_METRICS[kind][0]]) == total for r in group),
                 "nonfinite_runs": sum(r["status"] == "nonfinite" for r in group)}
        for metric in STUDY_METRICS[kind] + COST_FIELDS:
            values = [_num(r.get(metric)) for r in group]
            entry[metric], entry[metric + "_se"], entry[metric + "_n"] = mean_se(values)
            finite = [v for v in values if math.isfinite(v)]
            pick = max if metric in LOWER_IS_BETTER + COST_FIELDS else min
            entry[metric + "_worst"] = pick(finite) if finite else math.nan
        out.append(entry)
    return out
