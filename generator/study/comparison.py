"""The methods × seeds comparison of the linearized dual GAN with the gradient-trained GAN
(``examples/compare_image_gans.py``): the metrics it reports (the target's suite decides,
:attr:`generator.evaluation.MetricSuite.compared`), their summary over seeds, and the markdown
table.

The runs themselves are those of :mod:`generator.cli` (one per method and seed); here only their
``metrics.json`` contents, by method and seed, are summarized.
"""

from dualgan.stats import summarize_seeds

from ..evaluation.suites import DIGITS, LABELS, LARGER_IS_BETTER, suite

METHODS = {"neural-dual": "linearized dual (exact steps)",
           "mlp-ns": "gradient GAN (non-saturating)"}
_COST = ("steps", "seconds", "cpu_seconds")


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
        lines.append(f"| {METHODS[method]} | " + " | ".join(cells) + " |")
    headline = target_suite.headline
    ratios = {seed: runs["neural-dual"][seed][headline] / runs["mlp-ns"][seed][headline]
              for seed in runs["mlp-ns"]}
    ratio = summarize_seeds(ratios, larger_is_better=LARGER_IS_BETTER[headline])
    lines.append("")
    lines.append(f"{LABELS[headline]}, dual / gradient, per seed: "
                 + ", ".join(f"seed {seed} {r:.2f}" for seed, r in ratios.items())
                 + f"; mean {ratio['mean']:.2f}, worst {ratio['worst']:.2f}")
    return "\n".join(lines)
