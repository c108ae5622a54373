"""Tables, the worst-cell summary and the figures of the benchmark (:mod:`dual.benchmark`).

matplotlib is imported inside the plotting functions only: the rest needs numpy.
"""

import statistics
import textwrap
from collections import defaultdict

import numpy as np

#: warm-start goals apply to cells with D at most this
WARM_MAX_D = 1000


def cell_speedups(rows):
    """Per cell (family, N, D): liblinear's seconds and native auto's speedups, cold and warm.

    Cells without a liblinear time (skipped, or ``--no-liblinear``) are left out.
    """
    cells = defaultdict(dict)
    for r in rows:
        if r.get("skipped") or "seconds" not in r:
            continue
        key = (r["family"], r["N"], r["D"])
        if r["backend"] == "liblinear":
            cells[key]["liblinear"] = r["seconds"]
        elif r["backend"] == "native" and str(r["method"]).startswith("auto"):
            cells[key]["cold"] = r
        elif r["backend"] == "native-warm" and str(r["method"]).startswith("auto"):
            cells[key]["warm"] = r
    out = []
    for (family, n, d), cell in cells.items():
        if "liblinear" not in cell or "cold" not in cell:
            continue
        lib = cell["liblinear"]
        out.append(dict(family=family, N=n, D=d, liblinear=lib, cold=lib / cell["cold"]["seconds"],
                        cold_method=cell["cold"]["method"],
                        cold_gap=cell["cold"]["relative_gap"],
                        warm=lib / cell["warm"]["seconds"] if "warm" in cell else None,
                        warm_gap=cell["warm"]["relative_gap"] if "warm" in cell else None))
    return out


def summarize(rows):
    """Worst and median speedups over liblinear, per family and overall (see the goals)."""
    cells = cell_speedups(rows)
    if not cells:
        return {}

    def stats(group):
        warm = [c for c in group if c["warm"] is not None and c["D"] <= WARM_MAX_D]
        worst_cold = min(group, key=lambda c: c["cold"])
        worst_warm = min(warm, key=lambda c: c["warm"]) if warm else None
        return dict(cells=len(group), median_cold=statistics.median(c["cold"] for c in group),
                    worst_cold=worst_cold,
                    median_warm=statistics.median(c["warm"] for c in warm) if warm else None,
                    worst_warm=worst_warm,
                    max_gap=max(max(c["cold_gap"], c["warm_gap"] or 0.0) for c in group))

    by_family = defaultdict(list)
    for cell in cells:
        by_family[cell["family"]].append(cell)
    return {"all": stats(cells), **{f: stats(g) for f, g in by_family.items()}}


def _at(cell, key):
    return f"{cell[key]:.3g}x at N={cell['N']}, D={cell['D']}"


def print_summary(summary):
    if not summary:
        return
    print(f"\nnative auto against liblinear (speedup = liblinear time / native time; warm over "
          f"cells with D <= {WARM_MAX_D}):")
    print(f"{'family':<18} {'cells':>5} {'median cold':>12} {'worst cold':>28} "
          f"{'median warm':>12} {'worst warm':>28} {'max rel gap':>12}")
    for family, s in summary.items():
        warm = "" if s["worst_warm"] is None else _at(s["worst_warm"], "warm")
        median_warm = "" if s["median_warm"] is None else f"{s['median_warm']:.3g}x"
        print(f"{family:<18} {s['cells']:>5} {s['median_cold']:>11.3g}x "
              f"{_at(s['worst_cold'], 'cold'):>28} {median_warm:>12} {warm:>28} "
              f"{s['max_gap']:>12.1e}")


def print_table(rows):
    header = (f"{'family':<17} {'N=M':>6} {'D':>5} {'backend':<12} {'method':<36} "
              f"{'time [s]':>10} {'speedup':>9} {'iters':>6} {'CG':>5} {'rel gap':>9} "
              f"{'ΔF/best':>9}")
    print(header)
    print("-" * len(header))
    for r in rows:
        where = f"{r['family']:<17} {r['N']:>6} {r['D']:>5} {r['backend']:<12} {r['method']:<36}"
        if r.get("skipped"):
            print(f"{where} skipped: {r['skipped']}")
            continue
        speedup = "" if r.get("speedup") is None else f"{r['speedup']:.3g}x"
        iters = "?" if r.get("iterations") is None else r["iterations"]
        products = "" if r.get("products") is None else r["products"]
        print(f"{where} {r['seconds']:>10.4f} {speedup:>9} {iters:>6} {products:>5} "
              f"{r['relative_gap']:>9.1e} {r['objective_diff']:>9.1e}")


def _figure(ncols, nrows, width, height):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def plot_speedups(rows, title):
    """Speedup over liblinear against N/D, one panel per family; cold filled, warm hollow."""
    from matplotlib.ticker import NullLocator

    cells = cell_speedups(rows)
    families = list(dict.fromkeys(c["family"] for c in cells)) or ["(no cell with liblinear)"]
    ncols = min(4, len(families))
    nrows = -(-len(families) // ncols)
    width = max(4 * ncols, 8.0)  # room for the legend and the title beside a single panel
    fig, axes = _figure(ncols, nrows, width, 3.4 * nrows + 0.9)
    dims = sorted({c["D"] for c in cells})
    colours, shapes = _distinct_styles(dims)
    for ax in axes.flat[len(families):]:
        ax.set_visible(False)
    for ax, family in zip(axes.flat, families):
        for c in (c for c in cells if c["family"] == family):
            ratio = c["N"] / c["D"]
            ax.scatter(ratio, c["cold"], color=colours[c["D"]], marker=shapes[c["D"]], s=30)
            if c["warm"] is not None:
                ax.scatter(ratio, c["warm"], edgecolors=colours[c["D"]], facecolors="none",
                           marker=shapes[c["D"]], s=36)
        ax.axhline(1.0, color="black", linewidth=1.0)
        ax.axhline(10.0, color="black", linewidth=0.8, linestyle="--")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())  # decades only: readable, and quick to draw
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_title(family, fontsize=10)
        ax.set_xlabel("N / D")
        ax.grid(True, alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("speedup over liblinear")
    handles = [axes.flat[0].scatter([], [], color=colours[d], marker=shapes[d], label=f"D = {d}")
               for d in dims]
    handles.append(axes.flat[0].scatter([], [], color="black", marker="o", label="cold (filled)"))
    handles.append(axes.flat[0].scatter([], [], edgecolors="black", facecolors="none",
                                        marker="o", label="warm (hollow)"))
    ncol = min(len(handles), int(width))  # about an inch an entry
    rows = -(-len(handles) // ncol)
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=8, frameon=False)
    fig.suptitle(textwrap.fill(title, int(width * 13)), fontsize=10)
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, (0.22 * rows + 0.05) / height, 1, 1 - 0.45 / height))
    return fig


def _distinct_styles(values):
    """A colour and a marker shape for each value, no two values alike: up to 20 colours
    (tab20, the saturated half first) and 7 shapes, so a shape repeats only with another
    colour."""
    from matplotlib import colormaps

    palette = colormaps["tab20"].colors
    order = list(palette[0::2]) + list(palette[1::2])
    shapes = ("o", "s", "^", "D", "v", "P", "X")
    colours = {v: order[i % len(order)] for i, v in enumerate(values)}
    return colours, {v: shapes[i % len(shapes)] for i, v in enumerate(values)}


def _style(backend, method):
    """One fixed look per series, the same in every panel: colour by backend, marker by form."""
    form = method.split(":")[0].split("/")[0]  # "auto: primal/…" → "auto"
    colours = {"native": "tab:blue", "native-warm": "tab:green", "liblinear": "black",
               "cvxpy-CLARABEL": "tab:orange", "cvxpy-ECOS": "tab:red", "cvxpy-SCS": "tab:purple"}
    markers = {"primal": "o", "dual": "s", "auto": "^"}
    cvxpy = backend.startswith("cvxpy")
    return dict(color=colours.get(backend, "tab:gray"), marker=markers.get(form, "x"),
                linestyle="--" if cvxpy else "-", linewidth=2.5 if backend == "liblinear" else 1.5,
                alpha=0.75 if cvxpy else 1.0)


def plot_times(rows, title, panel=lambda row: f"D = {row['D']}"):
    """Time against N + M, log-log, one panel per value of ``panel(row)``."""
    panels = sorted({panel(r) for r in rows})
    fig, axes = _figure(len(panels), 1, max(5 * len(panels), 9), 5)
    handles = {}
    for ax, name in zip(axes[0], panels):
        series = {}
        for r in rows:
            if panel(r) == name and "seconds" in r and not r.get("skipped"):
                key = (r["backend"], str(r["method"]).split(":")[0].split("/")[0])
                series.setdefault(key, []).append((r["N"] + r["M"], r["seconds"]))
        for (backend, form), points in sorted(series.items()):
            points.sort()
            (line,) = ax.loglog(*zip(*points), **_style(backend, form))
            handles[f"{backend} {form}"] = line
        ax.set_title(name)
        ax.set_xlabel("N + M")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("least wall time over repeats [s]")
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=6, fontsize=8,
               frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.14, 1, 0.95))
    return fig


def json_ready(value):
    """numpy scalars and arrays as plain Python (for json.dumps)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
