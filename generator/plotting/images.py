"""Figures of image runs: sample grids (grey, or RGB for three stacked channels), the class
histogram, and the sorted mode counts of Stacked MNIST.

Built with ``matplotlib.figure.Figure`` (no pyplot, no global state), as
:mod:`generator.plotting.curves`.
"""

import math

import numpy as np
from matplotlib.figure import Figure

from dualgan.files import save_figure
from dualgan.images import tile

GRID = 64  # images per sample grid (8 × 8)


def _grid(ax, images, image_shape, title, channels=1):
    canvas = tile(images[:GRID], image_shape, ncols=int(math.sqrt(GRID)), channels=channels)
    if channels == 1:
        ax.imshow(canvas, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:  # channels 0, 1, 2 as red, green, blue, on black
        ax.imshow(np.clip(canvas, 0.0, 1.0), interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def plot_image_snapshots(snapshots, image_shape, path, title="", channels=1):
    """One 8×8 grid of generated images per snapshot step.

    Parameters
    ----------
    snapshots : dict
        step → images (n ≥ 64, C·H·W), pixels in [0, 1], channel-major.
    image_shape : (int, int)
    path : str
    title : str
    channels : int
        C: 1 (grey) or 3 (RGB).
    """
    steps = sorted(snapshots)
    fig = Figure(figsize=(2.6 * len(steps), 2.9))
    axes = np.atleast_1d(fig.subplots(1, len(steps)))
    for ax, step in zip(axes, steps):
        _grid(ax, snapshots[step].detach().cpu(), image_shape, f"step {step}", channels)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


def plot_sample_grids(grids, image_shape, path, title="", channels=1):
    """Grids side by side, e.g. two methods: ``grids`` maps a label to images (n ≥ 64, C·H·W),
    ``channels`` C as in :func:`plot_image_snapshots`."""
    fig = Figure(figsize=(3.4 * len(grids), 3.7))
    axes = np.atleast_1d(fig.subplots(1, len(grids)))
    for ax, (label, images) in zip(axes, grids.items()):
        _grid(ax, images.detach().cpu(), image_shape, label, channels)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


def plot_class_histogram(metrics, path, title=""):
    """Predicted classes of the evaluation images, with the fair share and the coverage line.

    Parameters
    ----------
    metrics : dict
        From :meth:`generator.evaluation.images.ImageJudge.score` (``class_counts`` and the rest).
    """
    counts = np.asarray(metrics["class_counts"])
    n, k = counts.sum(), len(counts)
    fig = Figure(figsize=(5.5, 3.4))
    ax = fig.subplots()
    ax.bar(np.arange(k), counts, color="tab:blue")
    ax.axhline(n / k, color="0.3", ls="--", lw=1, label="fair share n/K")
    ax.axhline(n / (4 * k), color="tab:red", ls=":", lw=1, label="covered from n/(4K)")
    ax.set_xticks(np.arange(k))
    ax.set(xlabel="predicted class", ylabel=f"images (of {n})")
    ax.set_title(f"{title}\n{metrics['classes_covered']}/{k} classes, reverse KL "
                 f"{metrics['class_reverse_kl']:.3f} nats", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


def plot_mode_histogram(metrics, path, title=""):
    """Stacked MNIST: the counts of the 1,000 modes, sorted from the most frequent, with the
    uniform share n/M; the modes right of the coverage line have no sample.

    Parameters
    ----------
    metrics : dict
        From :meth:`generator.evaluation.stacked.StackedJudge.score` (``mode_counts`` and the rest).
    """
    counts = np.sort(np.asarray(metrics["mode_counts"]))[::-1]
    n, m = counts.sum(), len(counts)
    fig = Figure(figsize=(6.0, 3.4))
    ax = fig.subplots()
    ax.fill_between(np.arange(1, m + 1), counts, step="mid", color="tab:blue", lw=0)
    ax.axhline(n / m, color="0.3", ls="--", lw=1, label=f"uniform share n/M = {n / m:g}")
    ax.axvline(metrics["modes_covered"] + 0.5, color="tab:red", ls=":", lw=1,
               label="modes with ≥ 1 sample")
    ax.set(xlabel="modes, most frequent first", ylabel=f"samples (of {n})", xlim=(0.5, m + 0.5))
    floor = (f" (floor {metrics['mode_kl_floor']:.3f})" if "mode_kl_floor" in metrics else "")
    ax.set_title(f"{title}\n{metrics['modes_covered']}/{m} modes, KL to uniform "
                 f"{metrics['mode_kl']:.3f} nats{floor}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
