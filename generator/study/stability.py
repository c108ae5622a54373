"""Does a method still need tuning? A stability study's rows read per setting of the two step
sizes (the generator's learning rate × the discriminator's step), over seeds.

A *cell* is one method at one setting: the median over seeds of the target's headline metric
(the Fréchet classifier distance on images, the high-quality fraction on the ring:
:attr:`generator.evaluation.MetricSuite.headline`), and whether every seed covered every class
or mode. A cell is *good* when every seed covers everything and its median lies within a factor
of 2 of the method's best cell (at most twice the best distance, or at least half the best
fraction). :func:`stability_report` gives, per method, the fraction of good cells and the median
and worst headline over the grid.

A run that diverged (status ``"nonfinite"``) covers nothing, and its headline counts as the worst
possible value (an infinite distance, a zero fraction), so it is never hidden by the median.
"""

import math
import statistics
from dataclasses import dataclass
from typing import Optional

from ..evaluation.suites import LABELS, suite
from ..methods.registry import method_spec
from .grid import STUDY_METHODS
from .summary import latest, method_order

#: A good cell's headline is within this factor of the method's best cell.
WITHIN = 2.0


@dataclass(frozen=True)
class Cell:
    """One method at one setting, over its seeds.

    Attributes
    ----------
    method : str
    lr : float
        The generator's learning rate.
    d_step : str or None
        The name of the discriminator's step setting (``"kappa"``, ``"d_lr"``), None for a
        method without one.
    d_value : float or None
        Its value in these runs.
    median : float
        Median over seeds of the headline (a diverged run counts as the worst value).
    complete : bool
        Every seed covered every class or mode.
    seeds : int
        Runs in the cell.
    """

    method: str
    lr: float
    d_step: Optional[str]
    d_value: Optional[float]
    median: float
    complete: bool
    seeds: int


def _num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def cells(rows, target):
    """The :class:`Cell` of each method × learning rate × discriminator step in ``rows`` (rows
    of :func:`generator.study.run.run_one`, numbers or CSV text; failed runs, status
    ``"error"``, are left out), sorted by method (exact ones first, :data:`STUDY_METHODS`),
    learning rate and step."""
    s = suite(target)
    worst = -math.inf if s.larger_is_better(s.headline) else math.inf
    groups = {}
    for row in latest(rows):
        if row["status"] == "error":
            continue
        setting = method_spec(row["method"]).d_step
        d_value = _num(row.get(setting)) if setting else None
        d_value = None if d_value is not None and math.isnan(d_value) else d_value
        key = (row["method"], _num(row["lr"]), setting, d_value)
        groups.setdefault(key, []).append(row)
    out = []
    for (method, lr, setting, d_value), group in groups.items():
        values = [_num(r[s.headline]) for r in group]
        values = [v if math.isfinite(v) else worst for v in values]
        complete = all(_num(r[s.covered]) == _num(r[s.total]) for r in group)
        out.append(Cell(method, lr, setting, d_value, statistics.median(values), complete,
                        len(group)))
    return sorted(out, key=lambda c: (method_order(c.method, STUDY_METHODS), c.lr,
                                      -math.inf if c.d_value is None else c.d_value))


def is_good(cell, best, larger_is_better):
    """Every seed covered everything, and the median is within :data:`WITHIN` of ``best``."""
    if not cell.complete:
        return False
    if larger_is_better:
        return cell.median >= best / WITHIN
    return cell.median <= best * WITHIN


def stability_report(method_cells, target):
    """Per method: how many cells, the fraction good, the best, median and worst headline over
    the grid (the medians over seeds of its cells), and the cells where a seed lost a class or
    mode.

    Returns
    -------
    dict
        method → {``cells``, ``good``, ``good_fraction``, ``best``, ``median``, ``worst``,
        ``incomplete``}.
    """
    s = suite(target)
    larger = s.larger_is_better(s.headline)
    pick_best, pick_worst = (max, min) if larger else (min, max)
    report = {}
    for method in dict.fromkeys(c.method for c in method_cells):
        mine = [c for c in method_cells if c.method == method]
        medians = [c.median for c in mine]
        best = pick_best(medians)
        good = sum(is_good(c, best, larger) for c in mine)
        report[method] = {"cells": len(mine), "good": good, "good_fraction": good / len(mine),
                          "best": best, "median": statistics.median(medians),
                          "worst": pick_worst(medians),
                          "incomplete": sum(not c.complete for c in mine)}
    return report


def report_table(report, target):
    """The report as a markdown table, one row per method (named by its registry label)."""
    s = suite(target)
    lines = [f"| method | settings | good settings | {LABELS[s.headline]}: best | median | "
             f"worst | settings where a seed lost a "
             f"{'class' if s.total == 'num_classes' else 'mode'} |",
             "|---|---|---|---|---|---|---|"]
    for method, r in report.items():
        lines.append(f"| {method_spec(method).label} | {r['cells']} | {r['good']} "
                     f"({r['good_fraction']:.0%}) | {headline_text(r['best'])} | "
                     f"{headline_text(r['median'])} | {headline_text(r['worst'])} | "
                     f"{r['incomplete']} |")
    return "\n".join(lines)


def headline_text(value):
    """A headline value as tables and heat maps write it: three significant digits, whole
    numbers (with thousands separators) from 100 up."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
