"""Per-step curves of a training run: the exact dual's values and gap (SPEC 4), the game's value
and outputs of the gradient-trained GANs, and the linearized dual's values, certificate and costs
(SPEC 7). Pale lines are the values of every step; solid ones their means over
:func:`smoothing_window` steps, as the legends say.

Figures are built with ``matplotlib.figure.Figure`` and written atomically
(:func:`dualgan.files.save_figure`): no pyplot, no backend selection, no global state, so
importing this module changes nothing for the caller.
"""

import numpy as np
from matplotlib.figure import Figure

from dualgan.files import save_figure


def smoothing_window(num_steps):
    """Steps per mean in the smoothed curves: a hundredth of the run, at least 1."""
    return max(1, num_steps // 100)


def smooth(values, window):
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_training_curves(logs, path, ceiling=None):
    """Dual value g(λ*), primal value F(w*) and the duality gap (log scale) against the step.

    Parameters
    ----------
    logs : dict
        Per-step logs with keys ``step``, ``primal_value``, ``dual_value``, ``gap``.
    path : str
    ceiling : float, optional
        (N + M)·log 2, the largest possible value, reached when D ≡ 1/2 (drawn dotted).
    """
    steps = np.asarray(logs["step"])
    window = smoothing_window(len(steps))
    fig = Figure(figsize=(11, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(steps, logs["primal_value"], c="tab:orange", lw=0.5, alpha=0.25,
             label="F(w*) at each step (pale)")
    s = steps[window - 1:]
    ax1.plot(s, smooth(logs["primal_value"], window), c="tab:orange", lw=1.5,
             label=f"primal F(w*), mean over {window} steps")
    ax1.plot(s, smooth(logs["dual_value"], window), c="tab:blue", lw=1.5, ls="--",
             label=f"dual g(λ*), mean over {window} steps")
    if ceiling is not None:
        ax1.axhline(ceiling, c="0.3", lw=0.8, ls=":", label="(N+M)·log 2  (D ≡ 1/2)")
    values = np.asarray(logs["dual_value"], dtype=float)
    top = max(values.max(), ceiling if ceiling is not None else -np.inf)
    bottom = np.percentile(values, 2)
    ax1.set_ylim(bottom - 0.05 * (top - bottom), top + 0.05 * (top - bottom))
    ax1.set_xlabel("step")
    ax1.set_ylabel("nats (sum over the minibatch)")
    ax1.set_title("Optimal objective F(w*) = g(λ*) (curves coincide); the generator ascends it",
                  fontsize=10)
    ax1.legend(fontsize=8, loc="lower right")
    gap = np.abs(np.asarray(logs["gap"], dtype=float))
    ax2.semilogy(steps, np.maximum(gap, 1e-16), c="tab:green", lw=0.6, marker=".", ms=1.5,
                 ls="none")
    ax2.set_xlabel("step")
    ax2.set_ylabel("|F(w*) − g(λ*)| (nats; 0 drawn at 1e-16)")
    ax2.set_title("Certified duality gap per solve", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


def plot_game_curves(logs, path):
    """V̂ after the discriminator steps, and the mean D on real and generated samples (baselines).
    """
    steps = np.asarray(logs["step"])
    fig = Figure(figsize=(11, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(steps, logs["value"], lw=0.6, label="V̂(D, G) on the minibatch")
    ax1.axhline(-np.log(4.0), color="grey", ls=":", label="−log 4 (D ≡ ½, SPEC 5 4f)")
    ax1.set(xlabel="step", ylabel="nats per sample", title="Value of the game")
    ax1.legend(fontsize=8)
    ax2.plot(steps, logs["d_real"], lw=0.6, label="mean D(real)")
    ax2.plot(steps, logs["d_fake"], lw=0.6, label="mean D(generated)")
    ax2.set(xlabel="step", ylim=(-0.02, 1.02), title="Discriminator outputs")
    ax2.legend(fontsize=8)
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
    ax1.plot(s, smooth(logs["primal_value"], window), c="tab:orange", lw=1.5, label="F(δ*)")
    ax1.plot(s, smooth(logs["dual_value"], window), c="tab:blue", lw=1.2, ls="--",
             label="g(λ*)")
    ax1.set(xlabel="step", ylabel="nats (sum over the minibatch)",
            title="Optimal value of each step's problem")
    ax1.legend(fontsize=8)
    gap = np.maximum(np.abs(np.asarray(logs["gap"], dtype=float)), 1e-16)
    ax2.semilogy(steps, gap, c="tab:green", ls="none", marker=".", ms=1.5)
    ax2.set(xlabel="step", ylabel="|F − g| (nats; 0 drawn at 1e-16)",
            title="Certified duality gap per solve")
    ax3.plot(s, smooth(logs["d_real"], window), label="mean D(real)")
    ax3.plot(s, smooth(logs["d_fake"], window), label="mean D(generated)")
    ax3.set(xlabel="step", ylim=(-0.02, 1.02), title="Updated discriminator; κ (right)")
    kappa_ax = ax3.twinx()
    kappa_ax.plot(steps, logs["kappa"], c="0.4", lw=0.8, ls=":", label="κ (right axis, log)")
    kappa_ax.set_yscale("log")
    kappa_ax.set_ylabel("κ: c = κ·mean diag K")
    lines = ax3.get_lines() + kappa_ax.get_lines()
    ax3.legend(lines, [line.get_label() for line in lines], fontsize=8, loc="upper left")
    for key, label in (("step_seconds", "whole step"), ("kernel_seconds", "factors and K"),
                       ("solve_seconds", "exact solve")):
        ax4.plot(s, 1e3 * smooth(logs[key], window), label=label)
    ax4.set(xlabel="step", ylabel="ms", title="Time per step")
    ax4.legend(fontsize=8)
    fig.text(0.5, 0.005, f"Curves are means over {window} steps, the gap and κ are per step.",
             ha="center", va="bottom", fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    save_figure(fig, path, dpi=130)
