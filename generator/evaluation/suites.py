"""One metric suite per kind of target: the only place that knows what a kind's metrics are.

A target says what it is by its ``kind`` (:data:`generator.data.targets.KINDS`); :func:`suite`
looks the kind up and returns its :class:`MetricSuite`: the metric names a run reports, the
headline metric and the count of what is covered, how many samples an evaluation draws, how
samples are scored, what a run that diverged scores, the one-line summary, and the figures of a
run. The scripts, the study, its summary and the comparison ask the suite; none of them compares
kinds.

Whether larger is better is recorded once, per metric, in :data:`LARGER_IS_BETTER` (a metric
absent from it is not ordered: a count of samples, a floor). :data:`LABELS` names the metrics in
tables and figures.

Adding a kind of target: a class with a new ``kind`` in :mod:`generator.data`, its scoring in a
module of this package, and one :class:`MetricSuite` registered in :data:`SUITES`.
"""

import math
import os
from dataclasses import dataclass
from typing import Callable, Optional

from dualgan.validation import check_choice

#: Per metric: True when larger is better, False when smaller is (the worst seed is then the
#: largest value). Costs are smaller-is-better.
LARGER_IS_BETTER = {
    "modes_covered": True, "high_quality_fraction": True, "reverse_kl": False,
    "classes_covered": True, "class_reverse_kl": False, "confident_fraction": True,
    "frechet_classifier_distance": False, "mode_kl": False, "channel_dependence": False,
    "steps": True, "seconds": False, "cpu_seconds": False, "wall_seconds": False,
}

#: How each metric is named in tables and figures.
LABELS = {"modes_covered": "modes covered", "high_quality_fraction": "high-quality fraction",
          "reverse_kl": "reverse KL (nats)", "classes_covered": "classes covered",
          "class_reverse_kl": "class reverse KL (nats)",
          "confident_fraction": "confident fraction",
          "frechet_classifier_distance": "Fréchet classifier distance",
          "mode_kl": "mode KL (nats)", "channel_dependence": "of it, channel dependence",
          "cpu_seconds": "CPU seconds per run"}

#: Decimal places of each metric in tables (others: 0).
DIGITS = {"high_quality_fraction": 3, "reverse_kl": 3, "class_reverse_kl": 3,
          "confident_fraction": 3, "mode_kl": 3, "channel_dependence": 3,
          "frechet_classifier_distance": 2}


@dataclass(frozen=True)
class MetricSuite:
    """What a kind of target is judged by.

    Attributes
    ----------
    kind : str
        The targets' ``kind`` it judges.
    eval_size : int
        Generated samples per evaluation, its protocol's (the first ones drawn).
    reported : tuple of str
        The metrics a run writes to ``metrics.json``.
    fields : tuple of str
        The metrics of a study's result row.
    covered, total : str
        The metric that counts what is covered (modes, classes), and the one holding how many
        there are.
    headline : str
        The metric a comparison leads with.
    summarized : tuple of str
        A study summary's metrics (the first is ``covered``).
    plotted : tuple of str
        The panels of a study's figure.
    compared : tuple of str
        The columns of a methods × seeds comparison.
    snapshot_size : int
        Samples per snapshot of a run (the figures' panels).
    judge : callable
        ``judge(target, cache_dir)``: an object whose ``score(samples)`` gives the metrics.
    summary : callable
        ``summary(target, metrics)``: one line for the terminal.
    failed : callable
        ``failed(target)``: the fields of a run whose training produced NaN/inf (nothing
        covered; undefined distances nan).
    plot_run : callable
        ``plot_run(out, result, target, metrics, title, seed)``: the figures of a finished run,
        written into the directory ``out``; returns their file names.
    """

    kind: str
    eval_size: int
    reported: tuple
    fields: tuple
    covered: str
    total: str
    headline: str
    summarized: tuple
    plotted: tuple
    compared: tuple
    snapshot_size: int
    judge: Callable
    summary: Callable
    failed: Callable
    plot_run: Callable

    def larger_is_better(self, metric):
        """True when larger values of ``metric`` are better (:data:`LARGER_IS_BETTER`)."""
        if metric not in LARGER_IS_BETTER:
            raise ValueError(f"metric {metric!r} has no direction; ordered metrics: "
                             f"{sorted(LARGER_IS_BETTER)}")
        return LARGER_IS_BETTER[metric]


# --------------------------------------------------------------------------- points


class _PointJudge:
    """Mode metrics and moment errors of 2-D samples (:mod:`.points`)."""

    def __init__(self, target):
        self.target = target

    def score(self, samples):
        from .points import mode_metrics, moment_errors

        metrics = mode_metrics(samples, self.target)
        metrics.update(moment_errors(samples, self.target))
        return metrics


def _point_summary(target, metrics):
    return (f"{target.name}: {metrics['modes_covered']}/{metrics['num_modes']} modes, "
            f"high quality {metrics['high_quality_fraction']:.1%}, reverse KL "
            f"{metrics['reverse_kl']:.3f} nats; mean error {metrics['mean_error']:.3f}, "
            f"covariance error {metrics['cov_error']:.1%}")


def _point_failed(target):
    return {"modes_covered": 0, "num_modes": target.num_modes, "high_quality_fraction": 0.0,
            "reverse_kl": math.nan}


POINT_EVAL_SIZE = 2500  # the mode-collapse protocol's sample count


def _point_figures(out, result, target, metrics, title, seed):
    """samples.png: the snapshots against 2,500 real samples, with each one's mode metrics."""
    import torch

    from ..plotting.points import plot_snapshots
    from .points import mode_metrics

    per_step = {step: mode_metrics(points, target) for step, points in result.snapshots.items()}
    real = target.sample(POINT_EVAL_SIZE, torch.Generator().manual_seed(seed + 9))
    plot_snapshots(result.snapshots, real, target, os.path.join(out, "samples.png"), per_step)
    return ["samples.png"]


POINTS = MetricSuite(
    kind="points", eval_size=POINT_EVAL_SIZE,
    reported=("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl",
              "mode_counts", "mean_error", "cov_error"),
    fields=("modes_covered", "num_modes", "high_quality_fraction", "reverse_kl"),
    covered="modes_covered", total="num_modes", headline="high_quality_fraction",
    summarized=("modes_covered", "high_quality_fraction", "reverse_kl"),
    plotted=("modes_covered", "high_quality_fraction", "reverse_kl", "cpu_seconds"),
    compared=("modes_covered", "high_quality_fraction", "reverse_kl"),
    snapshot_size=POINT_EVAL_SIZE,
    judge=lambda target, cache_dir=None: _PointJudge(target),
    summary=_point_summary, failed=_point_failed, plot_run=_point_figures)


# --------------------------------------------------------------------------- images


def _image_judge(target, cache_dir=None):
    from .images import judge

    return judge(target, cache_dir)


def _image_summary(target, metrics):
    return (f"{target.name}: {metrics['classes_covered']}/{metrics['num_classes']} classes, "
            f"class reverse KL {metrics['class_reverse_kl']:.3f} nats, confident "
            f"{metrics['confident_fraction']:.1%}, Fréchet classifier distance "
            f"{metrics['frechet_classifier_distance']:.2f} (train vs test: "
            f"{metrics['reference_frechet_classifier_distance']:.2f})")


def _image_failed(target):
    return {"classes_covered": 0, "num_classes": target.num_classes,
            "class_reverse_kl": math.nan, "confident_fraction": 0.0,
            "frechet_classifier_distance": math.nan,
            "reference_frechet_classifier_distance": math.nan}


def _image_figures(out, result, target, metrics, title, seed):
    """samples.png (an image grid per snapshot) and classes.png (the class histogram)."""
    from ..plotting.images import plot_class_histogram, plot_image_snapshots

    plot_image_snapshots(result.snapshots, target.image_shape, os.path.join(out, "samples.png"),
                         title, target.channels)
    plot_class_histogram(metrics, os.path.join(out, "classes.png"), title)
    return ["samples.png", "classes.png"]


IMAGE_FIELDS = ("classes_covered", "num_classes", "class_reverse_kl", "confident_fraction",
                "frechet_classifier_distance", "reference_frechet_classifier_distance")

IMAGES = MetricSuite(
    kind="images", eval_size=10_000,
    reported=IMAGE_FIELDS + ("class_counts",), fields=IMAGE_FIELDS,
    covered="classes_covered", total="num_classes", headline="frechet_classifier_distance",
    summarized=("classes_covered", "class_reverse_kl", "confident_fraction",
                "frechet_classifier_distance"),
    plotted=("classes_covered", "class_reverse_kl", "frechet_classifier_distance",
             "cpu_seconds"),
    compared=("classes_covered", "class_reverse_kl", "confident_fraction",
              "frechet_classifier_distance"),
    snapshot_size=64, judge=_image_judge, summary=_image_summary, failed=_image_failed,
    plot_run=_image_figures)


# --------------------------------------------------------------------------- stacked images


def _stacked_judge(target, cache_dir=None):
    from .stacked import judge

    return judge(target, cache_dir)


def _stacked_summary(target, metrics):
    return (f"{target.name}: {metrics['modes_covered']}/{metrics['num_modes']} modes, mode "
            f"KL {metrics['mode_kl']:.3f} nats (floor {metrics['mode_kl_floor']:.3f}), all "
            f"{target.channels} channels confident {metrics['confident_fraction']:.1%}")


def _stacked_failed(target):
    return {"modes_covered": 0, "num_modes": target.num_modes, "mode_kl": math.nan,
            "channel_dependence": math.nan, "confident_fraction": 0.0}


def _stacked_figures(out, result, target, metrics, title, seed):
    """samples.png (an RGB grid per snapshot) and modes.png (the sorted mode counts)."""
    from ..plotting.images import plot_image_snapshots, plot_mode_histogram

    plot_image_snapshots(result.snapshots, target.image_shape, os.path.join(out, "samples.png"),
                         title, target.channels)
    plot_mode_histogram(metrics, os.path.join(out, "modes.png"), title)
    return ["samples.png", "modes.png"]


STACKED = MetricSuite(
    kind="stacked", eval_size=26_000,
    reported=("modes_covered", "num_modes", "mode_kl", "confident_fraction", "mode_kl_floor",
              "channel_class_kl", "channel_dependence", "mode_counts"),
    fields=("modes_covered", "num_modes", "mode_kl", "channel_dependence", "confident_fraction"),
    covered="modes_covered", total="num_modes", headline="mode_kl",
    summarized=("modes_covered", "mode_kl", "confident_fraction"),
    plotted=("modes_covered", "mode_kl", "confident_fraction", "cpu_seconds"),
    compared=("modes_covered", "mode_kl", "channel_dependence", "confident_fraction"),
    snapshot_size=64, judge=_stacked_judge, summary=_stacked_summary, failed=_stacked_failed,
    plot_run=_stacked_figures)


#: The suite of each kind of target.
SUITES = {s.kind: s for s in (POINTS, IMAGES, STACKED)}


def suite(target):
    """The :class:`MetricSuite` of ``target``: a target object (by its ``kind``) or a target's
    name (by :data:`generator.data.targets.TARGET_KINDS`, without building it).

    Raises
    ------
    ValueError
        An unknown target name, or a kind no suite judges (the message lists the known ones).
    """
    kind: Optional[str]
    if isinstance(target, str):
        from ..data.targets import TARGET_KINDS

        kind = TARGET_KINDS[check_choice(target, "target", TARGET_KINDS)]
    else:
        kind = target.kind
    return SUITES[check_choice(kind, "target kind", SUITES)]


#: The fields of a study's result row that the suites define, each once, in suite order.
ALL_FIELDS = tuple(dict.fromkeys(f for s in SUITES.values() for f in s.fields))
