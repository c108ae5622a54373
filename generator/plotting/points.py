"""Figures of a run on a 2-D target: samples against the modes at each snapshot, and the dual
weights λ of one exact solve.

Built with ``matplotlib.figure.Figure`` (no pyplot, no global state), as
:mod:`generator.plotting.curves`.
"""

import math

import numpy as np
from matplotlib.figure import Figure

from dualgan.files import save_figure

#: What "HQ" in a panel title means (generator.evaluation.points).
HQ_NOTE = "HQ (high quality): the share of generated samples within 3 standard deviations of a mode"


def _limits(target, real):
    """Axis limits holding every mode of the target and every real sample, padded."""
    pts = np.concatenate([np.asarray(target.modes), np.asarray(real)])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * float((hi - lo).max()) + 0.2
    return (lo[0] - pad, hi[0] + pad), (lo[1] - pad, hi[1] + pad)


def plot_snapshots(snapshots, real, target, path, metrics=None):
    """One panel per snapshot step: generated samples (blue) over real samples (orange).

    Parameters
    ----------
    snapshots : dict
        step → generated points (n, 2).
    real : array_like, shape (n, 2)
    target : generator.data.targets.GaussianMixture
        Its name goes into the title.
    path : str
    metrics : dict, optional
        step → output of :func:`generator.evaluation.points.mode_metrics`, shown in the panel
        titles.
    """
    steps = sorted(snapshots)
    cols = min(len(steps), 5)
    rows = math.ceil(len(steps) / cols)
    note = 0.35 if metrics else 0.0  # inches below the panels for the note on HQ
    fig = Figure(figsize=(3.2 * cols, 3.4 * rows + note))
    axes = fig.subplots(rows, cols, squeeze=False)
    xlim, ylim = _limits(target, real)
    real = np.asarray(real)
    for ax in axes.flat[len(steps):]:
        ax.axis("off")
    for ax, step in zip(axes.flat, steps):
        fake = np.asarray(snapshots[step])
        ax.scatter(real[:, 0], real[:, 1], s=8, c="tab:orange", alpha=0.25, linewidths=0,
                   label="real")
        ax.scatter(fake[:, 0], fake[:, 1], s=2, c="tab:blue", alpha=0.5, linewidths=0,
                   label="generated")
        title = f"step {step}"
        if metrics is not None and step in metrics:
            m = metrics[step]
            title += (f"\n{m['modes_covered']}/{m['num_modes']} modes, "
                      f"HQ {m['high_quality_fraction']:.0%}")
        ax.set_title(title, fontsize=9)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(loc="upper left", fontsize=7, markerscale=3, framealpha=0.8)
    fig.suptitle(f"Generated vs real samples ({target.name})", fontsize=11)
    if metrics:
        fig.text(0.5, 0.005, HQ_NOTE, ha="center", va="bottom", fontsize=7 if cols < 3 else 8)
    height = fig.get_figheight()  # room for the note below and the title above
    fig.tight_layout(rect=(0, note / height, 1, 1 - 0.2 / height))
    save_figure(fig, path, dpi=130)


def plot_dual_weights(real, fake, lam_real, lam_fake, target, path):
    """Final real and generated points coloured by their dual weights (SPEC 3).

    Real point i: −λ_i, the probability that D calls it fake. Generated point j: 1 + λ_j, the
    probability that D calls it real (its weight in b(λ) and in the generator's gradient).
    """
    real, fake = np.asarray(real), np.asarray(fake)
    fig = Figure(figsize=(9.6, 4.4))
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    xlim, ylim = _limits(target, real)
    weight_real, weight_fake = -np.asarray(lam_real), 1.0 + np.asarray(lam_fake)
    # a diverging scale centred on 1/2 (D undecided), wide enough for the largest deviation
    half = max(0.05, float(np.max(np.abs(np.concatenate([weight_real, weight_fake]) - 0.5))))
    panels = [(real, weight_real, "real x_i, coloured by −λ_i = P(D says fake)"),
              (fake, weight_fake, "generated g_j, coloured by 1 + λ_j = P(D says real)")]
    for ax, (pts, weight, title) in zip(axes, panels):
        other = fake if pts is real else real
        ax.scatter(other[:, 0], other[:, 1], s=4, c="0.85", linewidths=0)
        sc = ax.scatter(pts[:, 0], pts[:, 1], s=9, c=weight, cmap="coolwarm", vmin=0.5 - half,
                        vmax=0.5 + half, linewidths=0)
        ax.set_title(title, fontsize=9)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
    fig.colorbar(sc, ax=axes, shrink=0.85, label="dual weight (0.5: D undecided)")
    fig.suptitle("Dual weights of the exact discriminator on the final minibatch "
                 "(the other set in grey)", fontsize=11)
    save_figure(fig, path, dpi=130, bbox_inches="tight")
