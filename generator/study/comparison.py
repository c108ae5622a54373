"""The methods × seeds comparison of the linearized dual GAN with the gradient-trained GAN
(``examples/compare_image_gans.py``): the metrics it reports (the target's suite decides,
:attr:`generator.evaluation.MetricSuite.compared`), their summary over seeds, and the markdown
table.

The runs are a grid of methods × seeds (:func:`comparison_runs`), each trained into its own
directory by :func:`generator.runs.report.train_and_report` under a budget policy
(:func:`run_comparison`): the linearized dual first, then the gradient GAN for as many seconds of
training as the dual run took (or both for a fixed budget). A run whose ``metrics.json`` holds
every reported metric is read back, not trained; one with a checkpoint resumes it.
"""

import json
import os

from dualgan.stats import summarize_seeds

from ..evaluation.suites import DIGITS, LABELS, LARGER_IS_BETTER, suite
from ..methods.registry import method_spec
from ..runs.config import RunConfig
from ..runs.report import train_and_report

#: The two methods compared, the exact one first (its time is the other's budget); tables name
#: them by their registry labels (:attr:`generator.methods.MethodSpec.label`).
METHODS = ("neural-dual", "mlp-ns")
_COST = ("steps", "seconds", "cpu_seconds")


def comparison_runs(target, seeds, steps=None, **overrides):
    """The run of each method (:data:`METHODS`) and seed, from the target's presets, every one
    checked before the first trains; ``steps`` sets the dual's (the baseline's budget is the
    dual run's time, :func:`run_comparison`); an override given None keeps the preset's.

    Returns
    -------
    dict
        (method, seed) → RunConfig.
    """
    given = {k: v for k, v in {"steps": steps, **overrides}.items() if v is not None}
    return {(method, seed): RunConfig.from_preset(method, target, seed=seed, **given)
            for seed in seeds for method in METHODS}


#: The baseline trains at most this many times the dual's steps: its budget is the time.
STEP_ALLOWANCE = 100


def run_comparison(runs, out, budget=None, cache_dir=None, progress=True, log=print):
    """Train (or read back) every run of :func:`comparison_runs` into ``out/<method>/seed<S>``.

    Budget policy: each seed's linearized dual runs first (for ``budget`` seconds when given);
    the gradient GAN then trains until it has spent the same seconds of training (at most
    :data:`STEP_ALLOWANCE` times the dual's steps).

    Returns
    -------
    dict
        method → seed → the run's metrics.

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C stopped a run; its checkpoint is written, and a second call resumes it.
    """
    results = {method: {} for method in METHODS}
    for (method, seed), config in runs.items():
        if method != "neural-dual":
            continue
        dual = _run_or_read(config, os.path.join(out, method, f"seed{seed}"), budget, cache_dir,
                            progress, log)
        seconds = dual["seconds"] if budget is None else budget
        base = runs["mlp-ns", seed].replace(steps=STEP_ALLOWANCE * dual["steps"])
        baseline = _run_or_read(base, os.path.join(out, "mlp-ns", f"seed{seed}"), seconds,
                                cache_dir, progress, log)
        results["neural-dual"][seed], results["mlp-ns"][seed] = dual, baseline
        headline = suite(config.data.target).headline
        log(f"seed {seed}: dual {headline} {dual[headline]:.3f} in {dual['steps']} steps, "
            f"baseline {headline} {baseline[headline]:.3f} in {baseline['steps']} steps "
            f"({seconds:.0f} s each)")
    return results


def _run_or_read(config, out, max_seconds, cache_dir, progress, log):
    """The metrics of a run: read from ``out/metrics.json`` when it holds every reported metric,
    else trained (resumed from its checkpoint when there is one)."""
    path = os.path.join(out, "metrics.json")
    if os.path.isfile(path):
        with open(path) as handle:
            metrics = json.load(handle)
        if not missing_metrics(metrics, config.data.target):
            return metrics
    resume = os.path.isfile(os.path.join(out, "checkpoint.pt"))
    report = train_and_report(config, out, resume=resume, max_seconds=max_seconds,
                              cache_dir=cache_dir, progress=progress, log=log)
    if report.interrupted:
        raise KeyboardInterrupt
    return report.metrics


def reported(target):
    """The metrics a comparison on ``target`` (a name or a target) reports, then its cost."""
    return suite(target).compared + _COST


def missing_metrics(metrics, target):
    """The reported metrics that a run's metrics lack (a run scored before they existed), in
    :func:`reported` order."""
    return [key for key in reported(target) if key not in metrics]


def summarize(runs, target):
    """Mean, standard deviation (ddof=1) and worst seed of each reported metric, per method."""
    return {method: {key: summarize_seeds({seed: m[key] for seed, m in by_seed.items()},
                                          LARGER_IS_BETTER[key])
                     for key in reported(target)}
            for method, by_seed in runs.items()}


def table(summary, runs, target):
    """The markdown table: mean ± std (worst seed) per metric, one row per method; then the
    headline's ratio, dual / gradient, per seed."""
    target_suite = suite(target)
    seeds = ", ".join(str(s) for s in next(iter(runs.values())))
    header = " | ".join(LABELS[key] for key in target_suite.compared)
    lines = [f"| method (seeds {seeds}) | {header} | steps | train seconds (wall) | CPU "
             f"seconds |", "|---|" + "---|" * len(reported(target))]
    for method, stats in summary.items():
        cells = []
        for key in reported(target):
            s, digits = stats[key], DIGITS.get(key, 0)
            cells.append(f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f} "
                         f"(worst {s['worst']:.{digits}f})")
        lines.append(f"| {method_spec(method).label} | " + " | ".join(cells) + " |")
    headline = target_suite.headline
    ratios = {seed: runs["neural-dual"][seed][headline] / runs["mlp-ns"][seed][headline]
              for seed in runs["mlp-ns"]}
    ratio = summarize_seeds(ratios, larger_is_better=LARGER_IS_BETTER[headline])
    lines.append("")
    lines.append(f"{LABELS[headline]}, dual / gradient, per seed: "
                 + ", ".join(f"seed {seed} {r:.2f}" for seed, r in ratios.items())
                 + f"; mean {ratio['mean']:.2f}, worst {ratio['worst']:.2f}")
    return "\n".join(lines)
