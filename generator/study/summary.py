"""A study's rows summarized: mean ± standard error over seeds, per method and settings.

The rows are those of :func:`generator.study.run.run_one` (as read back from a CSV: text), one
per run. Which metrics a target has depends on its kind: mode coverage,
high-quality fraction and reverse KL for the 2-D mixtures; class coverage, class reverse KL and
Fréchet classifier distance for images; mode coverage (of 1,000), mode KL and the fraction of
samples confident in every channel for Stacked MNIST (each kind's suite,
:mod:`generator.evaluation.suites`, says which); the cost of a run (CPU and wall seconds) for all.
:func:`available_methods` says which methods a target's presets allow; :func:`markdown_table`
writes a summary as a table.
"""

import math

from dualgan.table import normalize

from ..evaluation.suites import LABELS, LARGER_IS_BETTER, suite
from ..runs.config import RunConfig
from .store import KEY_FIELDS, row_key

COST_FIELDS = ("cpu_seconds", "wall_seconds")


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


def latest(rows):
    """The last row of each run (a retried failure is replaced by its retry)."""
    return list({row_key(row): row for row in rows}.values())


#: The settings every summary entry names (the others only when they vary between entries).
NAMED = ("method", "target", "steps", "lr")


def _sort_key(entry):
    return tuple((str(type(v)), v) if v is not None else ("", 0) for v in entry)


def summarize(rows):
    """Mean ± standard error over seeds, per setting of the runs but the seed.

    Rows with status ``"error"`` are left out. A ``"nonfinite"`` run counts as nothing covered
    (0 modes or classes, 0 high-quality or confident); its KL and distance are undefined and left
    out of those means: ``<metric>_n`` counts the runs each mean is over.

    Parameters
    ----------
    rows : iterable of dict
        Rows of :func:`generator.study.run.run_one` (values as numbers or as CSV text); a run
        is named by :data:`generator.study.store.KEY_FIELDS` (a setting a row lacks counts as
        None).

    Returns
    -------
    list of dict, sorted by method, target, steps, lr, then the other settings. Each has
    ``method``, ``target``, ``steps``, ``lr`` and every other setting (but the seed) whose value
    differs between the entries, ``kind``, ``runs``, ``nonfinite_runs``; per metric of the
    target's kind and per cost field, ``<metric>``, ``<metric>_se``, ``<metric>_n`` and
    ``<metric>_worst`` (the worst seed's value); ``total`` (modes or classes of the target) and
    ``complete_runs`` (runs that covered all of them).
    """
    settings = NAMED + tuple(k for k in KEY_FIELDS if k not in NAMED + ("seed",))
    groups = {}
    for row in latest(rows):
        if row["status"] != "error":
            key = tuple(normalize(row.get(k)) for k in settings)
            groups.setdefault(key, []).append(row)
    varying = [i for i in range(len(NAMED), len(settings))
               if len({key[i] for key in groups}) > 1]
    out = []
    for key, group in sorted(groups.items(), key=lambda item: _sort_key(item[0])):
        method, target, steps, lr = key[:len(NAMED)]
        target_suite = suite(target)
        total = int(_num(group[0][target_suite.total]))
        entry = {"method": method, "target": target, "steps": int(steps), "lr": float(lr),
                 **{settings[i]: key[i] for i in varying}, "kind": target_suite.kind,
                 "runs": len(group), "total": total,
                 "complete_runs": sum(_num(r[target_suite.covered]) == total for r in group),
                 "nonfinite_runs": sum(r["status"] == "nonfinite" for r in group)}
        for metric in target_suite.summarized + COST_FIELDS:
            values = [_num(r.get(metric)) for r in group]
            entry[metric], entry[metric + "_se"], entry[metric + "_n"] = mean_se(values)
            finite = [v for v in values if math.isfinite(v)]
            pick = min if LARGER_IS_BETTER[metric] else max
            entry[metric + "_worst"] = pick(finite) if finite else math.nan
        out.append(entry)
    return out


def method_order(method, methods=()):
    """A sort key: the methods in the order of ``methods``, then any other by name."""
    return (methods.index(method) if method in methods else len(methods), method)


def _cell(r, key, digits):
    if not math.isfinite(r[key]):
        return "nan"
    text = f"{r[key]:.{digits}f}"
    if math.isfinite(r[key + "_se"]):
        text += f" ± {r[key + '_se']:.{digits}f}"
    return text + (f" (n={r[key + '_n']})" if r[key + "_n"] != r["runs"] else "")


def markdown_table(summary, methods=()):
    """A markdown table of a summary: mean ± se over seeds, the worst seed's coverage; the rows
    in the order of ``methods``, then by learning rate and the other settings that vary between
    the entries (a column each; empty where an entry's method has no such setting)."""
    target_suite = suite(summary[0]["target"] if summary else "ring")
    cover = target_suite.covered
    varying = [k for k in KEY_FIELDS if k not in NAMED + ("seed",)
               and any(k in r for r in summary)]
    columns = [(k, LABELS[k], 3 if "fraction" in k or "kl" in k else 2)
               for k in target_suite.summarized] + [("cpu_seconds", "CPU s/run", 1)]
    lines = ["| method | lr | " + "".join(f"{k} | " for k in varying) + "runs | "
             + " | ".join(label for _, label, _ in columns)
             + f" | all {cover.split('_')[0]} | worst seed |",
             "|---|---|---|" + "---|" * (len(varying) + len(columns) + 2)]
    order = sorted(summary, key=lambda r: (method_order(r["method"], methods), r["lr"],
                                           _sort_key(tuple(r.get(k) for k in varying))))
    for r in order:
        cells = [_cell(r, key, digits) for key, _, digits in columns]
        settings = "".join(f"{'' if r.get(k) is None else r[k]} | " for k in varying)
        worst = "nan" if not math.isfinite(r[cover + "_worst"]) else f"{r[cover + '_worst']:g}"
        lines.append(f"| {r['method']} | {r['lr']:g} | {settings}{r['runs']} | "
                     + " | ".join(cells) + f" | {r['complete_runs']}/{r['runs']} | {worst} |")
    return "\n".join(lines)
