"""The figures can be read without the code (issue 32, item 10): what their legends, labels and
notes say, read from the matplotlib objects the plotting functions build."""

import importlib.util

import numpy as np
import pytest

from conftest import EXAMPLES
from generator.plotting import curves, points


def _texts(fig):
    return [t.get_text() for t in fig.texts]


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_curves_name_the_pale_per_step_values_and_the_window_of_the_means(saved):
    rng = np.random.default_rng(0)
    steps = np.arange(1, 1001)
    primal = 150.0 + rng.normal(size=1000)
    logs = {"step": steps, "primal_value": primal, "dual_value": primal - 1e-9,
            "gap": np.full(1000, 1e-9)}
    curves.plot_training_curves(logs, "unused.png")
    ax = saved[0].axes[0]
    assert ax.get_xlabel() == "step" and "nats" in ax.get_ylabel()
    labels = _legend(ax)
    assert "F(w*) at each step (pale)" in labels
    assert "primal F(w*), mean over 10 steps" in labels  # a hundredth of 1,000 steps
    pale, mean = ax.get_lines()[:2]
    assert pale.get_alpha() <= 0.3 and len(pale.get_xdata()) == 1000
    cumulative = np.concatenate([[0.0], np.cumsum(primal)])
    np.testing.assert_allclose(mean.get_ydata(), (cumulative[10:] - cumulative[:-10]) / 10)
    np.testing.assert_array_equal(mean.get_xdata(), steps[9:])  # each mean at its last step


def test_the_neural_dual_curves_have_a_legend_entry_for_kappa(saved):
    n = 300
    ones = np.ones(n)
    logs = {"step": np.arange(1, n + 1), "primal_value": ones, "dual_value": ones,
            "gap": 1e-10 * ones, "d_real": 0.6 * ones, "d_fake": 0.4 * ones,
            "kappa": np.geomspace(1.0, 0.1, n), "step_seconds": 0.01 * ones,
            "kernel_seconds": 0.004 * ones, "solve_seconds": 0.003 * ones}
    curves.plot_neural_dual_curves(logs, "unused.png")
    fig = saved[0]
    panel = fig.axes[2]
    assert _legend(panel) == ["mean D(real)", "mean D(generated)", "κ (right axis, log)"]
    kappa_axis = fig.axes[4]  # the twin of the third panel
    assert kappa_axis.get_yscale() == "log" and kappa_axis.get_ylabel().startswith("κ")
    assert any("means over 3 steps" in text for text in _texts(fig))


def test_the_sample_panels_define_hq(saved):
    import torch

    from generator.data.targets import ring

    target = ring()
    real = target.sample(200, torch.Generator().manual_seed(0)).numpy()
    metrics = {0: {"modes_covered": 3, "num_modes": 8, "high_quality_fraction": 0.5}}
    points.plot_snapshots({0: real}, real, target, "unused.png", metrics)
    fig = saved[0]
    assert "HQ 50%" in fig.axes[0].get_title()
    assert any(text.startswith("HQ (high quality): the share of generated samples within 3 "
                               "standard deviations") for text in _texts(fig))


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_primal_dual",
                                                  EXAMPLES / "compare_primal_dual.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("note", ["", "gap 1e-3"], ids=["no-warning", "a-warning"])
def test_compare_explains_hatching_only_when_a_bar_is_hatched(note):
    import dual

    compare = _compare_module()
    real, fake = compare.make_problem(40, 2, 0)
    sol = dual.solve(real, fake, solver="native")
    rows = [{"solver": "native", "form": "primal", "external": False, "note": "", "time": 1e-3},
            {"solver": "CLARABEL", "form": "dual", "external": False, "note": note, "time": 0.1},
            {"solver": "liblinear", "form": "dual", "external": True, "note": "", "time": 0.01}]
    right = compare.plot_comparison(real, fake, sol, rows).axes[1]
    hatched = [bar.get_hatch() for bar in right.patches if bar.get_hatch()]
    assert len(hatched) == (1 if note else 0)
    assert ("hatched: InaccurateSolutionWarning" in right.get_title()) == bool(note)


def test_benchmark_legend_gives_every_dimension_its_own_colour_and_marker():
    from matplotlib.colors import to_hex

    from dual.benchmark.report import plot_speedups

    dims = [2, 5, 10, 20, 50, 100, 200, 300, 500, 784, 1000, 3000]  # 12 + cold + warm = 14
    rows = []
    for d in dims:
        for backend, method, seconds in (("liblinear", "dual", 1.0),
                                         ("native", "auto: primal", 0.1),
                                         ("native-warm", "auto: primal", 0.05)):
            rows.append({"family": "overlapping", "N": 10 * d, "D": d, "backend": backend,
                         "method": method, "seconds": seconds, "relative_gap": 1e-12})
    fig = plot_speedups(rows, "test")
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [f"D = {d}" for d in dims] + ["cold (filled)", "warm (hollow)"]
    handles = legend.legend_handles[:len(dims)]
    styles = {(to_hex(h.get_facecolor()[0]), h.get_paths()[0].vertices.tobytes())
              for h in handles}
    colours = {to_hex(h.get_facecolor()[0]) for h in handles}
    assert len(colours) == len(dims) and len(styles) == len(dims)
