"""The figure of a study: its summary over seeds against the learning rate.

Built with ``matplotlib.figure.Figure`` (no pyplot, no global state), as :mod:`.curves`.
"""

import math

import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dualgan.files import save_figure

from ..evaluation.suites import LABELS, suite
from ..methods.registry import method_spec
from ..study.grid import STUDY_METHODS
from ..study.stability import headline_text
from ..study.summary import method_order


def plot_study_summary(summary, path, title, order=STUDY_METHODS):
    """Mean ± standard error over seeds against the learning rate (log x), one panel per metric
    of the target's suite (:attr:`generator.evaluation.MetricSuite.plotted`), the methods in the
    order of ``order``."""
    target_suite = suite(summary[0]["target"] if summary else "ring")
    metrics = target_suite.plotted
    fig = Figure(figsize=(4.2 * len(metrics), 3.8))
    axes = fig.subplots(1, len(metrics))
    methods = sorted({r["method"] for r in summary},
                     key=lambda method: method_order(method, order))
    for ax, key in zip(axes, metrics):
        for method in methods:
            rows = sorted((r for r in summary if r["method"] == method), key=lambda r: r["lr"])
            se = [0.0 if not math.isfinite(r[key + "_se"]) else r[key + "_se"] for r in rows]
            ax.errorbar([r["lr"] for r in rows], [r[key] for r in rows], yerr=se, marker="o",
                        ms=4, capsize=3, label=method)
        if key == target_suite.covered and summary:
            ax.axhline(summary[0]["total"], color="grey", ls=":", lw=1)
        if key in ("frechet_classifier_distance", "cpu_seconds") and any(
                r[key] > 0 for r in summary):  # (nan > 0 is False)
            ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set(xlabel="learning rate", title=LABELS[key])
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


#: How the discriminator's step settings are named on the heat maps' axes.
D_STEP_LABELS = {"kappa": "κ, the trust region (c = κ·mean diag K)",
                 "d_lr": "discriminator learning rate"}


def stability_heatmaps(method_cells, target, title=""):
    """One heat map per method: the generator's learning rate (x) × the discriminator's step (y),
    each cell coloured by the median over seeds of the target's headline, a cross where any seed
    lost a class or mode. The colour scale is shared (log for a distance), so the panels compare.

    Returns
    -------
    matplotlib.figure.Figure
        Its axes hold, per method, an ``AxesImage`` whose array is the medians (rows: steps in
        increasing order; columns: learning rates in increasing order; nan where no run).
    """
    s = suite(target)
    larger = s.larger_is_better(s.headline)
    methods = sorted({c.method for c in method_cells}, key=lambda m: method_order(m, STUDY_METHODS))
    finite = [c.median for c in method_cells if math.isfinite(c.median)]
    log = not larger and finite and min(finite) > 0
    norm = None
    if finite:
        from matplotlib.colors import LogNorm, Normalize

        norm = (LogNorm if log else Normalize)(min(finite), max(finite))
    fig = Figure(figsize=(4.6 * len(methods) + 1.2, 4.1), layout="constrained")
    axes = fig.subplots(1, len(methods), squeeze=False)[0]
    outline = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    cmap = "viridis" if larger else "viridis_r"  # the better, the brighter
    image = None
    for ax, method in zip(axes, methods):
        mine = [c for c in method_cells if c.method == method]
        lrs = sorted({c.lr for c in mine})
        steps = sorted({c.d_value for c in mine}, key=lambda v: -math.inf if v is None else v)
        grid = np.full((len(steps), len(lrs)), np.nan)
        for c in mine:
            i, j = steps.index(c.d_value), lrs.index(c.lr)
            grid[i, j] = c.median if math.isfinite(c.median) else np.nan
            ax.text(j, i, headline_text(c.median) if math.isfinite(c.median) else "diverged",
                    ha="center", va="center", fontsize=8, color="black", path_effects=outline)
            if not c.complete:
                ax.add_patch(Rectangle((j - 0.46, i - 0.46), 0.92, 0.92, fill=False,
                                       edgecolor="red", lw=2.5))
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap=cmap, norm=norm)
        setting = D_STEP_LABELS.get(mine[0].d_step, "discriminator step")
        ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs], fontsize=7)
        ax.set_yticks(range(len(steps)), ["preset" if v is None else f"{v:g}" for v in steps],
                      fontsize=7)
        ax.set(xlabel="generator learning rate", ylabel=setting, title=method_spec(method).label)
    if image is not None:
        fig.colorbar(image, ax=list(axes), label=f"{LABELS[s.headline]}\n(median over seeds)")
    lost = "class" if s.total == "num_classes" else "mode"
    fig.suptitle(f"{title}: {LABELS[s.headline]}, {'larger' if larger else 'smaller'} is "
                 f"better; red frame: a seed lost a {lost}", fontsize=10)
    return fig


def headline_distribution(method_cells, target, title=""):
    """The headline of every setting, per method, as sorted values (an empirical quantile
    curve): how much of each method's grid reaches a given quality.

    Returns
    -------
    matplotlib.figure.Figure
        One line per method: x the fraction of settings, y their medians sorted best first.
    """
    s = suite(target)
    larger = s.larger_is_better(s.headline)
    fig = Figure(figsize=(5.6, 3.9))
    ax = fig.subplots()
    methods = sorted({c.method for c in method_cells}, key=lambda m: method_order(m, STUDY_METHODS))
    for method in methods:
        values = sorted((c.median for c in method_cells if c.method == method), reverse=larger)
        fractions = (np.arange(len(values)) + 1) / len(values)
        shown = [v if math.isfinite(v) else np.nan for v in values]
        ax.step(fractions, shown, where="post", marker="o", ms=3, label=method_spec(method).label)
    if not larger:
        ax.set_yscale("log")
    ax.set(xlabel="fraction of settings (best first)",
           ylabel=f"{LABELS[s.headline]}, median over seeds", title=title or None)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
