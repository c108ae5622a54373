"""Figures of image runs and of the linearized dual method: sample grids (grey, or RGB for three
stacked channels), the class histogram, the sorted mode counts of Stacked MNIST, and the per-step
curves of SPEC 7 (values, certificate, discriminator outputs, time per step).

Built with ``matplotlib.figure.Figure`` (no pyplot, no global state), as :mod:`generator.plots`.
"""

import math

import numpy as np
from matplotlib.figure import Figure

from dualgan.files import save_figure
from dualgan.images import tile

from .plots import _smooth, smoothing_window

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
        From :meth:`generator.image_metrics.ImageJudge.score` (``class_counts`` and the rest).
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
        From :meth:`generator.stacked_metrics.StackedJudge.score` (``mode_counts`` and the rest).
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


def plot_neural_dual_curves(logs, path):
    """Per-step curves of the linearized dual method (SPEC 7).

    Panels: the optimal value F(δ*) = g(λ*) of each step; the certified gap (log scale); the
    updated discriminator's mean output on real and generated samples with κ; and the seconds
    per step (total, K, solve), smoothed.
    """
    steps = np.asarray(logs["step"])
    window = smoothing_window(len(steps))
    s = steps[window - 1:]
    fig = Figure(figsize=(13, 3.9))
    ax1, ax2, ax3, ax4 = fig.subplots(1, 4)
    ax1.plot(s, _smooth(logs["primal_value"], window), c="tab:orange", lw=1.5, label="F(δ*)")
    ax1.plot(s, _smooth(logs["dual_value"], window), c="tab:blue", lw=1.2, ls="--",
             label="g(λ*)")
    ax1.set(xlabel="step", ylabel="nats (sum over the minibatch)",
            title="Optimal value of each step's problem")
    ax1.legend(fontsize=8)
    gap = np.maximum(np.abs(np.asarray(logs["gap"], dtype=float)), 1e-16)
    ax2.semilogy(steps, gap, c="tab:green", ls="none", marker=".", ms=1.5)
    ax2.set(xlabel="step", ylabel="|F − g| (nats; 0 drawn at 1e-16)",
            title="Certified duality gap per solve")
    ax3.plot(s, _smooth(logs["d_real"], window), label="mean D(real)")
    ax3.plot(s, _smooth(logs["d_fake"], window), label="mean D(generated)")
    ax3.set(xlabel="step", ylim=(-0.02, 1.02), title="Updated discriminator; κ (right)")
    kappa_ax = ax3.twinx()
    kappa_ax.plot(steps, logs["kappa"], c="0.4", lw=0.8, ls=":", label="κ (right axis, log)")
    kappa_ax.set_yscale("log")
    kappa_ax.set_ylabel("κ: c = κ·mean diag K")
    lines = ax3.get_lines() + kappa_ax.get_lines()
    ax3.legend(lines, [line.get_label() for line in lines], fontsize=8, loc="upper left")
    for key, label in (("step_seconds", "whole step"), ("kernel_seconds", "factors and K"),
                       ("solve_seconds", "exact solve")):
        ax4.plot(s, 1e3 * _smooth(logs[key], window), label=label)
    ax4.set(xlabel="step", ylabel="ms", title="Time per step")
    ax4.legend(fontsize=8)
    fig.text(0.5, 0.005, f"Curves are means over {window} steps, the gap and κ are per step.",
             ha="center", va="bottom", fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    save_figure(fig, path, dpi=130)
