"""The figure of a study: its summary over seeds against the learning rate.

Built with ``matplotlib.figure.Figure`` (no pyplot, no global state), as :mod:`.curves`.
"""

import math

from matplotlib.figure import Figure

from dualgan.files import save_figure

from ..evaluation.suites import LABELS, suite
from ..study.grid import STUDY_METHODS
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
