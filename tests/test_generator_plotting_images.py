"""generator.plotting.images: what the figures of image runs show, read from the matplotlib objects
they build (the figures are captured, nothing is written): the class histogram's bars and lines,
the sorted mode counts of Stacked MNIST, and the sample grids' panels and pixels."""

import numpy as np
import pytest
import torch
from matplotlib.image import AxesImage

from generator.plotting import images

PAD = 2  # the background between two cells of a grid, and around them (dualgan.images.tile)


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _horizontal(ax):
    """The heights of the axes' horizontal lines, in the order drawn."""
    return [line.get_ydata()[0] for line in ax.lines if len(set(line.get_ydata())) == 1]


def test_the_class_histogram_has_one_bar_per_class_at_its_count(saved):
    counts = [7, 0, 3, 12, 5, 5, 1, 0, 9, 8]
    n, k = sum(counts), len(counts)
    metrics = {"class_counts": counts, "classes_covered": 6, "class_reverse_kl": 0.23456}
    images.plot_class_histogram(metrics, "unused.png", title="digits, step 100")
    (fig,) = saved
    (ax,) = fig.axes
    bars = ax.patches
    assert [bar.get_height() for bar in bars] == counts
    assert [bar.get_x() + bar.get_width() / 2 for bar in bars] == list(range(k))
    assert list(ax.get_xticks()) == list(range(k))
    assert _horizontal(ax) == pytest.approx([n / k, n / (4 * k)], rel=1e-15)
    assert _legend(ax) == ["fair share n/K", "covered from n/(4K)"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == f"images (of {n})"
    assert ax.get_title() == "digits, step 100\n6/10 classes, reverse KL 0.235 nats"


def _mode_heights(ax):
    """The height of each step of the filled mode counts, left to right: a step-"mid" fill of n
    points is the start on the baseline, then two vertices (start and end) per point's step."""
    (fill,) = ax.collections
    vertices = fill.get_paths()[0].vertices
    n = len(vertices) // 4  # 1 + 2n on top, back along the baseline
    top = vertices[1:1 + 2 * n]
    return top[0::2, 0], top[0::2, 1]


@pytest.mark.parametrize("floor", [True, False], ids=["with-floor", "without-floor"])
def test_the_mode_histogram_sorts_the_counts_and_marks_the_covered_modes(saved, floor):
    m = 1000
    rng = np.random.default_rng(0)
    counts = np.zeros(m, dtype=int)
    counts[rng.choice(m, size=700, replace=False)] = rng.integers(1, 40, size=700)
    n = int(counts.sum())
    metrics = {"mode_counts": counts.tolist(), "modes_covered": 700, "mode_kl": 0.5678}
    if floor:
        metrics["mode_kl_floor"] = 0.0193
    images.plot_mode_histogram(metrics, "unused.png", title="stacked-mnist")
    (fig,) = saved
    (ax,) = fig.axes
    x, heights = _mode_heights(ax)
    assert len(heights) == m
    np.testing.assert_array_equal(heights, sorted(counts, reverse=True))
    assert x[0] == 1 and np.all(np.diff(x) > 0)  # the modes are 1 to M, most frequent first
    # the coverage line sits between the last mode with a sample and the first without
    (vertical,) = [line for line in ax.lines if len(set(line.get_xdata())) == 1]
    position = vertical.get_xdata()[0]
    assert heights[int(position - 0.5) - 1] > 0 and heights[int(position + 0.5) - 1] == 0
    assert _horizontal(ax) == pytest.approx([n / m], rel=1e-15)
    assert _legend(ax) == [f"uniform share n/M = {n / m:g}", "modes with ≥ 1 sample"]
    assert ax.get_xlim() == (0.5, m + 0.5)
    assert ax.get_xlabel() == "modes, most frequent first"
    assert ax.get_ylabel() == f"samples (of {n})"
    assert ax.get_title() == ("stacked-mnist\n700/1000 modes, KL to uniform 0.568 nats"
                              + (" (floor 0.019)" if floor else ""))


def _cell(canvas, index, shape, ncols=8):
    """The pixels of the index-th cell of a grid with ``ncols`` columns."""
    (h, w), (r, c) = shape, divmod(index, ncols)
    return canvas[PAD + r * (h + PAD): PAD + r * (h + PAD) + h,
                  PAD + c * (w + PAD): PAD + c * (w + PAD) + w]


@pytest.mark.parametrize("channels", [1, 3], ids=["grey", "rgb"])
def test_the_sample_grids_show_one_panel_per_label_with_its_first_64_images(saved, channels):
    shape = (4, 3)
    size = channels * shape[0] * shape[1]
    generator = torch.Generator().manual_seed(0)
    grids = {"exact dual": torch.rand(70, size, generator=generator, dtype=torch.float64),
             "gradient GAN": torch.rand(64, size, generator=generator, dtype=torch.float64)}
    images.plot_sample_grids(grids, shape, "unused.png", title="seed 3", channels=channels)
    (fig,) = saved
    assert fig._suptitle.get_text() == "seed 3"
    assert [ax.get_title() for ax in fig.axes] == list(grids)
    for ax, samples in zip(fig.axes, grids.values()):
        (shown,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
        canvas = np.asarray(shown.get_array())
        side = 8 * (shape[0] + PAD) + PAD, 8 * (shape[1] + PAD) + PAD  # 8 × 8 cells: 64 images
        assert canvas.shape == side + ((3,) if channels == 3 else ())
        # the pixels as given, to float32's rounding (half a unit in the last place below 1)
        for i in (0, 9, 63):  # first, second row, last cell
            expected = samples[i].numpy().reshape(channels, *shape)  # channel-major
            cell = _cell(canvas, i, shape).reshape(*shape, -1)  # (H, W, C), grey as C = 1
            np.testing.assert_allclose(np.moveaxis(cell, -1, 0), expected, rtol=0,
                                       atol=2.0**-24)
        assert not ax.axison
        if channels == 1:  # ink on paper: 0 white, 1 black, whatever the images' range
            assert shown.get_cmap().name == "gray_r" and shown.get_clim() == (0.0, 1.0)
