"""Bookkeeping shared by the training scripts: config on disk, resume, final evaluation."""

import json
import os
import sys

import torch

from .metrics import mode_metrics, moment_errors
from .models import sample_latent

EVAL_SAMPLES = 2500  # the mode-collapse protocol's sample count


def start_or_resume(args, trainer, may_change=("resume", "no_progress")):
    """Write ``OUT/config.json``; with ``args.resume`` continue from ``OUT/checkpoint.pt``.

    A resumed run must have the settings it was started with (except ``may_change``); otherwise
    the script exits with the differences, since the continuation would not be the run it claims.
    """
    config_path = os.path.join(args.out, "config.json")
    if args.resume:
        with open(config_path) as handle:
            saved = json.load(handle)
        changed = {k: (saved.get(k), v) for k, v in vars(args).items()
                   if k not in may_change and saved.get(k) != v}
        if changed:
            sys.exit(f"--resume with settings that differ from the checkpoint's run: {changed}")
        trainer.resume()
        print(f"resumed from step {trainer.step} of {args.out}/checkpoint.pt")
    with open(config_path, "w") as handle:
        json.dump(vars(args), handle, indent=2)


def evaluate_samples(trainer, target, seed):
    """Mode metrics and moment errors on 2,500 fresh samples (seeded apart from training).

    Returns
    -------
    metrics : dict
    rng : torch.Generator
        The evaluation stream, positioned after the latent draw (for further evaluation draws).
    latent : Tensor, shape (2500, latent_dim)
    """
    rng = torch.Generator().manual_seed(seed + 7_000_001)
    latent = sample_latent(EVAL_SAMPLES, trainer.latent_dim, rng)
    points = trainer.sample_generator(latent)
    metrics = mode_metrics(points, target)
    metrics.update(moment_errors(points, target))
    return metrics, rng, latent


def snapshot_metrics(result, target, seed):
    """Mode metrics of every snapshot, and 2,500 real samples to draw beside them."""
    per_step = {step: mode_metrics(points, target) for step, points in result.snapshots.items()}
    real = target.sample(EVAL_SAMPLES, torch.Generator().manual_seed(seed + 9))
    return per_step, real


def summary_line(target, metrics):
    """One line: modes, high-quality fraction, reverse KL and moment errors."""
    return (f"{target.name}: {metrics['modes_covered']}/{metrics['num_modes']} modes, "
            f"high quality {metrics['high_quality_fraction']:.1%}, reverse KL "
            f"{metrics['reverse_kl']:.3f} nats; mean error {metrics['mean_error']:.3f}, "
            f"covariance error {metrics['cov_error']:.1%}")


METRIC_KEYS = ("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl",
               "mode_counts", "mean_error", "cov_error")
