"""generator.study.comparison: the image comparison's summary over seeds and its table, on
Stacked MNIST's metrics, and its refusal of a run trained under another budget."""

import pytest


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


def test_a_run_of_the_table_trained_under_another_budget_is_refused_not_read_back(tmp_path):
    from generator.study import comparison as compare
    from generator.study.store import StudyTable

    runs = compare.comparison_runs("digits", [0, 1], steps=4)
    duals = {seed: runs["neural-dual", seed] for seed in (0, 1)}
    path = tmp_path / "comparison.csv"

    def row(config, max_seconds):
        return {**config.to_dict(), "status": "ok", "wall_seconds": 1.0, "train_seconds": 1.0,
                "max_seconds": max_seconds}

    StudyTable(path).append([row(duals[0], 30.0), row(duals[1], float("inf"))])
    compare._check_budgets(path, duals, {0: 30.0})  # seed 1 without a budget: inf in the table
    with pytest.raises(compare.BudgetMismatch, match="neural-dual seed 0 trained under a budget "
                                                     "of 30 s, and this comparison gives it a "
                                                     "budget of 60 s: choose another --out"):
        compare._check_budgets(path, duals, {0: 60.0})
    with pytest.raises(compare.BudgetMismatch, match="seed 1 trained under no budget, and this "
                                                     "comparison gives it a budget of 30 s"):
        compare._check_budgets(path, duals, {0: 30.0, 1: 30.0})
    # a row of before budgets were recorded (its cell empty) is taken as it is
    old = StudyTable(path)
    old.start_afresh()
    old.append([row(duals[0], "")])
    compare._check_budgets(path, duals, {0: 60.0})
