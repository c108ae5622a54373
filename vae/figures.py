"""Figures of a trained VAE: reconstructions, samples, losses, latents.

Built with ``matplotlib.figure.Figure`` (no pyplot, no backend selection at import) and written
atomically (:func:`dualgan.files.save_figure`).
"""

import torch
from matplotlib.figure import Figure

from dualgan.files import save_figure
from dualgan.images import tile


def _save(fig, path):
    save_figure(fig, path, dpi=110, bbox_inches="tight")


@torch.no_grad()
def plot_reconstructions(model, x, image_shape, path, title=""):
    """Originals (top row) above the mean reconstructions E[x|z=μ(x)] (bottom row)."""
    model.eval()
    mu, _ = model.encode(x)
    recon = model.mean_image(model.decode(mu))
    fig = Figure(figsize=(len(x) * 0.6, 1.6))
    axes = fig.subplots(2, 1)
    for ax, imgs, label in zip(axes, (x, recon), ("data", "reconstruction")):
        ax.imshow(tile(imgs, image_shape, len(x)), cmap="gray", vmin=0, vmax=1)
        ax.set_ylabel(label, fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].set_title(title, fontsize=8)
    _save(fig, path)


@torch.no_grad()
def plot_samples(model, image_shape, path, n=64, seed=0):
    """A grid of decoder means E[x|z] for z ~ N(0, I)."""
    model.eval()
    imgs = model.sample(n, rng=torch.Generator().manual_seed(seed))
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    ax.imshow(tile(imgs, image_shape, int(n**0.5)), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    ax.set_title("samples: E[x | z], z ~ N(0, I)", fontsize=9)
    _save(fig, path)


def plot_losses(history, path):
    """Train and test negative ELBO (nats per image) against the epoch."""
    epochs = range(1, len(history["train_loss"]) + 1)
    fig = Figure(figsize=(5, 3.5))
    ax = fig.subplots()
    ax.plot(epochs, history["train_loss"], "o-", label="train")
    ax.plot(epochs, history["test_loss"], "s-", label="test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("negative ELBO (nats / image)")
    ax.grid(alpha=0.3)
    ax.legend()
    _save(fig, path)


@torch.no_grad()
def plot_latent_scatter(model, x, y, path):
    """Posterior means μ(x) of a 2-D latent, coloured by digit."""
    model.eval()
    mu, _ = model.encode(x)
    fig = Figure(figsize=(5.5, 5))
    ax = fig.subplots()
    sc = ax.scatter(mu[:, 0], mu[:, 1], c=y, cmap="tab10", s=3, vmin=-0.5, vmax=9.5)
    fig.colorbar(sc, ax=ax, ticks=range(10), label="digit")
    ax.set_xlabel("$\\mu_1$")
    ax.set_ylabel("$\\mu_2$")
    ax.set_title("posterior means of the test set", fontsize=9)
    _save(fig, path)
