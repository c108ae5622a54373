"""The stability study over both step sizes (generator.study.grid, .stability and
generator.plotting.study): the grid's expansion, the report against a hand-made table, and the
heat map's cells."""

import math

import numpy as np
import pytest
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from generator.plotting.study import headline_distribution, stability_heatmaps
from generator.study.grid import stability_grid
from generator.study.stability import cells, report_table, stability_report

LRS = (1e-3, 1e-2)
DUAL, GAN = "linearized dual (exact steps)", "gradient GAN (non-saturating)"  # the panels' names
D_STEPS = {"kappa": [0.1, 1.0, 10.0], "d_lr": [2e-5, 2e-4]}


def test_the_grid_crosses_learning_rates_with_each_methods_own_discriminator_step():
    configs = stability_grid("ring", ["neural-dual", "mlp-ns"], LRS, 3, 2, 7, d_steps=D_STEPS)
    assert len(configs) == len(LRS) * 2 * (3 + 2)
    flat = [c.flat() for c in configs]
    dual = {(c["seed"], c["lr"], c["kappa"]) for c in flat if c["method"] == "neural-dual"}
    gan = {(c["seed"], c["lr"], c["d_lr"]) for c in flat if c["method"] == "mlp-ns"}
    assert dual == {(s, lr, k) for s in (3, 4) for lr in LRS for k in D_STEPS["kappa"]}
    assert gan == {(s, lr, d) for s in (3, 4) for lr in LRS for d in D_STEPS["d_lr"]}
    assert all(c.training.steps == 7 and c.training.lr_final is None for c in configs)
    # the first runs cover every method: an interrupted study has rows of both
    assert {c.method for c in configs[:5]} == {"neural-dual", "mlp-ns"}


def test_a_method_whose_step_is_not_in_the_grid_keeps_its_preset():
    from generator.runs.config import RunConfig

    configs = stability_grid("ring", ["neural-dual", "mlp-ns"], LRS, 0, 1, 7,
                             d_steps={"d_lr": [1e-4]})
    preset = RunConfig.from_preset("neural-dual", "ring").method_settings.kappa
    assert {c.method_settings.kappa for c in configs if c.method == "neural-dual"} == {preset}
    assert len(configs) == 2 * 2


def test_a_step_size_that_is_not_positive_is_refused_naming_it():
    with pytest.raises(ValueError, match="kappa"):
        stability_grid("ring", ["neural-dual"], LRS, 0, 1, 7, d_steps={"kappa": [0.0]})


def _row(method, lr, step, seed, fcd, classes=10, status="ok"):
    setting = "kappa" if method == "neural-dual" else "d_lr"
    return {"method": method, "target": "mnist", "lr": str(lr), setting: str(step),
            "seed": str(seed), "steps": "10", "status": status, "classes_covered": str(classes),
            "num_classes": "10", "frechet_classifier_distance": str(fcd)}


# A hand-made table: the dual's three cells have medians 10, 15, 40 (the last one within 2× of
# 10? no: 40 > 20), the GAN's two cells 20 (best) and 30, but one GAN seed lost a class at 30,
# and one dual run diverged (its distance nan counts as infinite, so the median is the larger
# of the other two).
HAND = [
    _row("neural-dual", 1e-3, 1.0, 0, 9.0), _row("neural-dual", 1e-3, 1.0, 1, 10.0),
    _row("neural-dual", 1e-3, 1.0, 2, 12.0),
    _row("neural-dual", 1e-2, 1.0, 0, 15.0), _row("neural-dual", 1e-2, 1.0, 1, 14.0),
    _row("neural-dual", 1e-2, 1.0, 2, "nan", classes=0, status="nonfinite"),
    _row("neural-dual", 1e-2, 10.0, 0, 40.0), _row("neural-dual", 1e-2, 10.0, 1, 41.0),
    _row("neural-dual", 1e-2, 10.0, 2, 39.0),
    _row("mlp-ns", 1e-3, 2e-4, 0, 20.0), _row("mlp-ns", 1e-3, 2e-4, 1, 20.0),
    _row("mlp-ns", 1e-3, 2e-4, 2, 25.0),
    _row("mlp-ns", 1e-2, 2e-4, 0, 30.0, classes=9), _row("mlp-ns", 1e-2, 2e-4, 1, 30.0),
    _row("mlp-ns", 1e-2, 2e-4, 2, 28.0),
]


def test_cells_take_the_median_over_seeds_and_count_a_diverged_run_as_the_worst():
    by_key = {(c.method, c.lr, c.d_value): c for c in cells(HAND, "mnist")}
    assert by_key["neural-dual", 1e-3, 1.0].median == 10.0
    assert by_key["neural-dual", 1e-2, 1.0].median == 15.0  # median of 14, 15, ∞
    assert not by_key["neural-dual", 1e-2, 1.0].complete  # the diverged run covered nothing
    assert by_key["mlp-ns", 1e-2, 2e-4].median == 30.0
    assert by_key["mlp-ns", 1e-3, 2e-4].d_step == "d_lr" and by_key["mlp-ns", 1e-3, 2e-4].seeds == 3


def test_the_report_counts_good_settings_and_gives_median_and_worst_over_the_grid():
    report = stability_report(cells(list(reversed(HAND)), "mnist"), "mnist")
    assert list(report) == ["neural-dual", "mlp-ns"]  # the exact method first, as rows come
    dual, gan = report["neural-dual"], report["mlp-ns"]
    # dual: best 10; 15 is within 2× but a seed diverged; 40 is beyond 2×: one good cell of 3
    assert (dual["cells"], dual["good"], dual["best"]) == (3, 1, 10.0)
    assert dual["good_fraction"] == pytest.approx(1 / 3)
    assert (dual["median"], dual["worst"], dual["incomplete"]) == (15.0, 40.0, 1)
    # GAN: best 20; 30 is within 2× but lost a class: one good of 2
    assert (gan["good"], gan["good_fraction"], gan["median"], gan["worst"]) == (1, 0.5, 25.0, 30.0)
    text = report_table(report, "mnist")
    assert "| linearized dual (exact steps) | 3 | 1 (33%) | 10 | 15 | 40 | 1 |" in text
    assert "Fréchet classifier distance: best" in text.splitlines()[0]


def test_on_the_ring_larger_is_better_and_half_the_best_is_still_good():
    rows = [{"method": "neural-dual", "target": "ring", "lr": "0.001", "kappa": "1",
             "seed": "0", "steps": "5", "status": "ok", "modes_covered": "8", "num_modes": "8",
             "high_quality_fraction": str(q)} for q in (0.8,)]
    rows += [{**rows[0], "lr": "0.01", "high_quality_fraction": "0.4"},
             {**rows[0], "lr": "0.1", "high_quality_fraction": "0.39"}]
    report = stability_report(cells(rows, "ring"), "ring")["neural-dual"]
    assert (report["best"], report["worst"], report["good"]) == (0.8, 0.39, 2)


def test_the_heat_map_holds_each_cells_median_and_frames_the_incomplete_ones():
    fig = stability_heatmaps(cells(HAND, "mnist"), "mnist", "hand-made")
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == [DUAL, GAN]
    dual = panels[0]
    (image,) = [child for child in dual.get_children() if isinstance(child, AxesImage)]
    grid = np.ma.filled(image.get_array(), np.nan)
    # rows: κ = 1, 10; columns: lr = 1e-3, 1e-2; no run at (κ = 10, lr = 1e-3)
    assert grid[0, 0] == 10.0 and grid[0, 1] == 15.0 and grid[1, 1] == 40.0
    assert math.isnan(grid[1, 0])
    assert sorted(t.get_text() for t in dual.texts) == ["10", "15", "40"]  # the medians
    assert [t.get_text() for t in dual.get_xticklabels()] == ["0.001", "0.01"]
    assert [t.get_text() for t in dual.get_yticklabels()] == ["1", "10"]
    assert dual.get_xlabel() == "generator learning rate" and dual.get_ylabel().startswith("κ")
    frames = [p for p in dual.patches if isinstance(p, Rectangle) and p.get_edgecolor()[0] == 1]
    assert len(frames) == 1 and frames[0].get_xy() == pytest.approx((1 - 0.46, 0 - 0.46))
    assert panels[1].get_ylabel() == "discriminator learning rate"


def test_the_distribution_shows_each_methods_settings_best_first():
    fig = headline_distribution(cells(HAND, "mnist"), "mnist")
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {DUAL, GAN}
    assert list(lines[DUAL].get_ydata()) == [10.0, 15.0, 40.0]  # smaller is better
    assert list(lines[DUAL].get_xdata()) == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert ax.get_yscale() == "log"


def test_the_report_table_writes_large_headlines_as_whole_numbers():
    report = {"mlp-ns": {"cells": 9, "good": 3, "good_fraction": 1 / 3, "best": 102.4,
                         "median": 693.0, "worst": 2214.6, "incomplete": 4}}
    row = report_table(report, "mnist").splitlines()[2]
    assert row == "| gradient GAN (non-saturating) | 9 | 3 (33%) | 102 | 693 | 2,215 | 4 |"
