"""The image comparison of the linearized dual GAN with the gradient-trained GAN
(``examples/compare_image_gans.py``): the metrics it reports per kind of target, their summary
over seeds, and the markdown table.

The runs themselves are those of :mod:`generator.cli` (one per method and seed); here only their
``metrics.json`` contents, by method and seed, are summarized.
"""

from dualgan.stats import summarize_seeds

METHODS = {"neural-dual": "linearized dual (exact steps)",
           "mlp-ns": "gradient GAN (non-saturating)"}
_COST = {"steps": True, "seconds": False, "cpu_seconds": False}
#: Per kind of target: metric → True when larger is better (the worst seed is the minimum).
REPORTED = {"images": {"classes_covered": True, "class_reverse_kl": False,
                       "confident_fraction": True, "frechet_classifier_distance": False, **_COST},
            "stacked": {"modes_covered": True, "mode_kl": False, "channel_dependence": False,
                        "confident_fraction": True, **_COST}}
HEADERS = {"images": "classes covered | class reverse KL (nats) | confident | Fréchet classifier "
                     "distance",
           "stacked": "modes of 1,000 | mode KL (nats) | of it, channel dependence | all "
                      "channels confident"}


def missing_metrics(metrics, kind="images"):
    """The reported metrics of ``kind`` that a run's metrics lack (a run scored before they
    existed), in :data:`REPORTED` order."""
    return [key for key in REPORTED[kind] if key not in metrics]


def summarize(runs, kind="images"):
    """Mean, standard deviation (ddof=1) and worst seed of each reported metric, per method."""
    return {method: {key: summarize_seeds({seed: m[key] for seed, m in by_seed.items()},
                                          larger_is_better)
                     for key, larger_is_better in REPORTED[kind].items()}
            for method, by_seed in runs.items()}


def table(summary, runs, kind="images"):
    """The markdown table: mean ± std (worst seed) per metric, one row per method."""
    seeds = ", ".join(str(s) for s in next(iter(runs.values())))
    lines = [f"| method (seeds {seeds}) | {HEADERS[kind]} | steps | train seconds (wall) | CPU "
             f"seconds |", "|---|" + "---|" * len(REPORTED[kind])]
    for method, stats in summary.items():
        cells = []
        for key in REPORTED[kind]:
            s = stats[key]
            digits = {"class_reverse_kl": 3, "confident_fraction": 3, "mode_kl": 3,
                      "channel_dependence": 3,
                      "frechet_classifier_distance": 2}.get(key, 0)
            cells.append(f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f} "
                         f"(worst {s['worst']:.{digits}f})")
        lines.append(f"| {METHODS[method]} | " + " | ".join(cells) + " |")
    if kind != "images":
        return "\n".join(lines)
    ratios = {seed: runs["neural-dual"][seed]["frechet_classifier_distance"]
              / runs["mlp-ns"][seed]["frechet_classifier_distance"] for seed in runs["mlp-ns"]}
    ratio = summarize_seeds(ratios, larger_is_better=False)
    lines.append("")
    lines.append("Fréchet classifier distance, dual / gradient, per seed: "
                 + ", ".join(f"seed {seed} {r:.2f}" for seed, r in ratios.items())
                 + f"; mean {ratio['mean']:.2f}, worst {ratio['worst']:.2f}")
    return "\n".join(lines)
