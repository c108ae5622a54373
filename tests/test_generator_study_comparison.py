"""generator.study.comparison: the image comparison's summary over seeds and its table, on
Stacked MNIST's metrics."""


def test_the_image_comparison_reports_modes_kl_and_confidence_on_stacked_mnist():
    from generator.study import comparison as compare  # examples/compare_image_gans.py's summary

    metrics = {0: {"modes_covered": 1000, "mode_kl": 0.1, "channel_dependence": 0.02,
                   "confident_fraction": 0.3, "steps": 10, "seconds": 1.0, "cpu_seconds": 1.0},
               1: {"modes_covered": 990, "mode_kl": 0.3, "channel_dependence": 0.05,
                   "confident_fraction": 0.1, "steps": 12, "seconds": 1.0, "cpu_seconds": 1.0}}
    runs = {"neural-dual": metrics, "mlp-ns": metrics}
    summary = compare.summarize(runs, "stacked-mnist")
    assert summary["mlp-ns"]["mode_kl"]["worst"] == 0.3
    assert summary["mlp-ns"]["modes_covered"]["worst"] == 990
    text = compare.table(summary, runs, "stacked-mnist")
    lines = text.split("\n\n")[0].splitlines()
    assert summary["neural-dual"]["channel_dependence"]["worst"] == 0.05
    assert "modes covered | mode KL (nats) | of it, channel dependence" in lines[0]
    assert len(lines) == 4
    assert all(line.count("|") == lines[0].count("|") for line in lines)
    # the headline (mode KL) per seed, dual / gradient: the same runs, so 1 on every seed
    assert text.splitlines()[-1].startswith("mode KL (nats), dual / gradient, per seed: seed 0 "
                                            "1.00, seed 1 1.00")
