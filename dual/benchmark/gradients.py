"""Gradients of the optimal discriminator value, two ways, against finite differences
(``examples/compare_gradients.py``; needs torch, imported with this module).

On seeded problems (real ~ N(m, I), fake ~ N(0, I), ‖m‖ = 1, score offsets ~ N(0, 0.5²), c = 1)
the gradient of V = max_λ g(λ) = min_w F(w) (SPEC 2, 7) with respect to the fake features and
their offsets comes from

* ``danskin``: :func:`dual.autograd.optimal_value`, the native solve (``tol``, default 1e-10)
  and the closed-form gradient −β*_j w* (SPEC 4);
* ``cvxpylayers``: :class:`dual.layers.BoxDualLayer`, implicit differentiation of the conic solve
  (Clarabel inside diffcp; the ``[layers]`` extra);

and each is compared with central finite differences of the re-solved optimum (native Newton,
tol 1e-13) along random unit directions: relative error ‖(⟨∇V, v_k⟩)_k − (FD_k)_k‖ / ‖(FD_k)_k‖.
The finite differences' truncation error is estimated from steps h and 2h.
:func:`run_gradient_check` writes OUT/gradients.csv, OUT/gradients.json and OUT/gradients.png;
finished cells are checkpointed, ``resume`` skips them.
"""

import csv
import io
import json
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from dualgan.files import save_figure, write_json, write_text
from dualgan.validation import check_int, check_positive, check_real

from .. import autograd, solve

COLUMNS = ["N", "D", "seed", "route", "rel_error", "fd_truncation", "seconds", "build_seconds",
           "value_minus_certified", "certified_gap", "skipped"]
FD = {"solver": "native", "form": "auto", "tol": 1e-13}
# Memory of a process that builds a layer, base + a·(N + M)²·(D + k) GB, fitted to measurements
# on this machine (1.0 GB at N = M = 150, D = 50; 3.0 GB at 300, D = 50; 2.0 GB at 1000, D = 2).
LAYER_GB = {"base": 0.35, "a": 1.43e-7, "k": 0.9}


@dataclass
class GradientSettings:
    """What :func:`run_gradient_check` compares, checked on construction (``ValueError`` and
    ``TypeError`` name the setting). Field names are those of the script's options."""

    sizes: list = field(default_factory=lambda: [50, 200, 1000])  # N = M values
    dims: list = field(default_factory=lambda: [2, 50])  # D values
    seeds: list = field(default_factory=lambda: [0, 1, 2])
    c: float = 1.0  # L2 weight c > 0 (SPEC 1)
    directions: int = 4  # random directions for the finite differences
    h: float = 1e-4  # finite-difference step
    tol: float = 1e-10  # the Danskin route's native tol (the gradient's error follows its gap)
    layers_max_gb: float = 6.0  # skip cvxpylayers where its canonicalization needs more (GB)
    no_layers: bool = False  # Danskin only

    def __post_init__(self):
        for name in ("sizes", "dims"):
            for value in getattr(self, name):
                check_int(value, name, minimum=1)
        for seed in self.seeds:
            check_int(seed, "seeds", minimum=0)
        check_int(self.directions, "directions", minimum=1)
        check_positive(self.h, "h")
        check_positive(self.c, "c", why="SPEC 1")
        check_real(self.tol, "tol", low=0.0, high=1.0)
        check_positive(self.layers_max_gb, "layers_max_gb")


def make_problem(n, d, seed):
    """Real (n, d) ~ N(m, I), fake (n, d) ~ N(0, I) with ‖m‖ = 1, offsets ~ N(0, 0.5²)."""
    rng = np.random.default_rng([seed, n, d])
    real = rng.normal(size=(n, d)) + 1.0 / np.sqrt(d)
    return real, rng.normal(size=(n, d)), 0.5 * rng.normal(size=n), 0.5 * rng.normal(size=n)


def finite_differences(real, fake, a_real, a_fake, c, directions, h):
    """Central differences of V along unit directions v = (V_fake, v_offset), at steps h and 2h.

    Each value is g(λ) of a native solve to a relative gap of about 1e-13 (in [V − gap, V]), so
    over a step of 1e-4 the values' own errors add about 1e-9 of the derivative.
    """
    rng = np.random.default_rng(12345)

    def value(shift_fake, shift_offset):
        sol = solve(real, fake + shift_fake, c, offset_real=a_real,
                         offset_fake=a_fake + shift_offset, **FD)
        return sol.dual_value

    rows = []
    for _ in range(directions):
        v = rng.normal(size=fake.size + a_fake.size)
        v /= np.linalg.norm(v)
        v_fake, v_off = v[:fake.size].reshape(fake.shape), v[fake.size:]
        fd = [(value(s * v_fake, s * v_off) - value(-s * v_fake, -s * v_off)) / (2 * s)
              for s in (h, 2 * h)]
        rows.append((v, *fd))
    return rows


def compare(gradient, fd_rows):
    """Relative error of ⟨gradient, v⟩ against FD(h), and abs(FD(h) − FD(2h)), about three times
    FD(h)'s O(h²) truncation error (a Richardson estimate), both relative to ‖FD(h)‖."""
    projected = np.array([gradient @ v for v, _, _ in fd_rows])
    fd_h = np.array([row[1] for row in fd_rows])
    fd_2h = np.array([row[2] for row in fd_rows])
    scale = np.linalg.norm(fd_h)
    return float(np.linalg.norm(projected - fd_h) / scale), float(
        np.linalg.norm(fd_h - fd_2h) / scale)


def run_cell(n, d, seed, settings, layer):
    """Rows of one problem: each route's relative error, time and value, or why it was skipped."""
    real, fake, a_real, a_fake = make_problem(n, d, seed)
    reference = solve(real, fake, settings.c, offset_real=a_real, offset_fake=a_fake, **FD)
    fd_rows = finite_differences(real, fake, a_real, a_fake, settings.c, settings.directions,
                                 settings.h)
    routes = [("danskin", None)] + ([] if layer is None else [("cvxpylayers", layer)])
    rows = []
    for route, compiled in routes:
        base = dict(N=n, D=d, seed=seed, route=route, certified_gap=reference.gap)
        if isinstance(compiled, str):  # the reason there is no layer
            rows.append(dict(base, skipped=compiled))
            continue
        tensors = [torch.tensor(x, requires_grad=i in (1, 3))  # fake and its offsets
                   for i, x in enumerate((real, fake, a_real, a_fake))]
        start = time.perf_counter()
        if compiled is None:
            value, _ = autograd.optimal_value(*tensors[:2], settings.c, offset_real=tensors[2],
                                              offset_fake=tensors[3], solver="native",
                                              form="auto", tol=settings.tol)
        else:
            value, _, _ = compiled["layer"](*tensors)
        value.backward()
        seconds = time.perf_counter() - start
        gradient = np.concatenate([tensors[1].grad.numpy().ravel(), tensors[3].grad.numpy()])
        rel_error, truncation = compare(gradient, fd_rows)
        rows.append(dict(base, rel_error=rel_error, fd_truncation=truncation, seconds=seconds,
                         build_seconds=None if compiled is None else compiled["build_seconds"],
                         value_minus_certified=value.item() - reference.dual_value))
    return rows


def build_layer(n, d, settings):
    """A compiled layer for N = M = n and D = d, or the reason there is none."""
    if settings.no_layers:
        return None
    predicted = LAYER_GB["base"] + LAYER_GB["a"] * (2 * n) ** 2 * (d + LAYER_GB["k"])
    if predicted > settings.layers_max_gb:
        return (f"predicted {predicted:.0f} GB for the DPP canonicalization > "
                f"layers_max_gb {settings.layers_max_gb:g}")
    from dual.layers import BoxDualLayer

    start = time.perf_counter()
    layer = BoxDualLayer(n, n, d, settings.c)
    return {"layer": layer, "build_seconds": time.perf_counter() - start}


def layers_installed():
    try:
        from dual.layers import _cvxpylayer_class

        _cvxpylayer_class()
    except ImportError as err:
        print(f"note: {err}\n      running the Danskin route only")
        return False
    return True


def save(rows, settings, out, resume):
    """CSV and JSON, each written atomically (dualgan.files)."""
    out.mkdir(parents=True, exist_ok=True)
    recorded = {**asdict(settings), "out": str(out), "resume": resume}
    write_json(out / "gradients.json", {"settings": recorded, "rows": rows})
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_text(out / "gradients.csv", table.getvalue())


def summarize(rows):
    """Per (N, D, route): mean and worst relative error over seeds, mean time."""
    table = {}
    for row in rows:
        if "rel_error" in row:
            table.setdefault((row["N"], row["D"], row["route"]), []).append(row)
    lines = [f"{'N=M':>5} {'D':>3} {'route':<12} {'rel. error mean':>15} {'worst':>9} "
             f"{'FD truncation':>13} {'time [s]':>9} {'build [s]':>9}"]
    for (n, d, route), group in sorted(table.items()):
        errors = [r["rel_error"] for r in group]
        build = group[0]["build_seconds"]
        lines.append(f"{n:>5} {d:>3} {route:<12} {np.mean(errors):>15.2e} {max(errors):>9.2e} "
                     f"{max(r['fd_truncation'] for r in group):>13.1e} "
                     f"{np.mean([r['seconds'] for r in group]):>9.4f} "
                     f"{'' if build is None else format(build, '.2f'):>9}")
    for row in rows:
        if "skipped" in row and row["seed"] == rows[0]["seed"]:
            lines.append(f"{row['N']:>5} {row['D']:>3} {row['route']:<12} skipped: "
                         f"{row['skipped']}")
    return "\n".join(lines)


def plot(rows, path):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    looks = {"danskin": ("tab:blue", "o"), "cvxpylayers": ("tab:orange", "s")}
    dims = sorted({r["D"] for r in rows})
    for route, d in sorted({(r["route"], r["D"]) for r in rows}):
        done = [r for r in rows if r["route"] == route and r["D"] == d and "rel_error" in r]
        if not done:
            continue
        sizes = sorted({2 * r["N"] for r in done})
        worst = [max(r["rel_error"] for r in done if 2 * r["N"] == s) for s in sizes]
        seconds = [np.mean([r["seconds"] for r in done if 2 * r["N"] == s]) for s in sizes]
        colour, marker = looks.get(route, ("tab:gray", "x"))
        style = dict(color=colour, marker=marker, linestyle="-" if d == dims[0] else "--",
                     label=f"{route}, D = {d}")
        left.loglog(sizes, worst, **style)
        right.loglog(sizes, seconds, **style)
    finite = [r for r in rows if "fd_truncation" in r]
    if finite:
        sizes = sorted({2 * r["N"] for r in finite})
        left.loglog(sizes, [max(r["fd_truncation"] for r in finite if 2 * r["N"] == s)
                            for s in sizes], ":", color="0.5",
                    label="finite differences: |FD(h) − FD(2h)|")
    left.set_xlabel("N + M")
    left.set_ylabel("relative error against finite differences (worst seed)")
    right.set_xlabel("N + M")
    right.set_ylabel("value and gradient [s] (mean over seeds)")
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("∇ of the optimal discriminator value: Danskin vs implicit differentiation",
                 fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)


def run_gradient_check(settings, out, resume=False):
    """Every cell of ``settings`` (sizes × dims × seeds): each route's gradient against finite
    differences; prints the summary, writes OUT/gradients.csv, .json and .png.

    With ``resume``, the cells already in OUT/gradients.json are kept and not run again. Ctrl-C
    keeps the finished cells. Returns the rows.
    """
    out = Path(out)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"cvxpylayers")
    use_layers = not settings.no_layers and layers_installed()
    settings = replace(settings, no_layers=not use_layers)
    rows = []
    path = out / "gradients.json"
    if resume and path.exists():
        rows = json.loads(path.read_text())["rows"]
    done = {(r["N"], r["D"], r["seed"]) for r in rows}
    try:
        for d in settings.dims:
            for n in settings.sizes:
                todo = [seed for seed in settings.seeds if (n, d, seed) not in done]
                if not todo:
                    continue
                layer = build_layer(n, d, settings)
                for seed in todo:
                    print(f"N = M = {n}, D = {d}, seed {seed} ...", flush=True)
                    rows.extend(run_cell(n, d, seed, settings, layer))
                    save(rows, settings, out, resume)
                del layer
    except KeyboardInterrupt:
        print("interrupted: keeping the finished cells")
    save(rows, settings, out, resume)
    print(summarize(rows))
    plot(rows, out / "gradients.png")
    print(f"wrote {out / 'gradients.csv'}, gradients.json and gradients.png")
    return rows
