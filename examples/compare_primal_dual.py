"""Solve one discriminator problem in both forms with every solver and compare the certificates.

The problem is SPEC 1 (primal, D unknowns) and SPEC 2 (box dual, N + M unknowns) on two Gaussian
blobs that overlap a little: real ~ N(+μ, I), fake ~ N(−μ, I) with ‖μ‖ = 1. Every available CVXPY
solver and the project's ``native`` backend solve both forms; each row reports
F(w), g(λ), the certified gap, the distance to a reference w, the largest KKT residual, the
iterations and the median wall-clock time of the ``dual.solve`` call. scikit-learn's liblinear
is added as an external reference (its w certified here through SPEC 3's λ = −σ(Aw)).

Writes DIR/results.json and, DIR/compare.png: left, the samples coloured by their dual weights
(−λ_i for real, 1 + λ_j for fake: the probability the discriminator gets them wrong, SPEC 3) with
the boundary D_w = 1/2 (wᵀx = 0: the model has no bias); right, the solve times.

    python examples/compare_primal_dual.py --out runs/compare                # N = M = 200, D = 2
    python examples/compare_primal_dual.py --n 1000 --d 50 --repeats 3 --out runs/compare
    python examples/compare_primal_dual.py --solvers native CLARABEL --out runs/compare_two
"""

import os
import statistics
import sys
import time
import warnings

import numpy as np
from tqdm import tqdm

import dual
from dualgan import cli, files
from dualgan.cli import ArgumentParser
from dualgan.lock import hold_directory
from dualgan.validation import check_int, check_positive

FORMS = ("primal", "dual")
# SCS options for --scs-tight: without Anderson acceleration SCS reaches tight gaps on the box dual
SCS_TIGHT = {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 20000, "acceleration_lookback": 0}


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="runs/compare", help="output directory")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data")
    parser.add_argument("--n", type=int, default=200, help="real samples N = fake samples M")
    parser.add_argument("--d", type=int, default=2, help="number of features D")
    parser.add_argument("--c", type=float, default=1.0, help="L2 weight c > 0 (SPEC 1)")
    parser.add_argument("--solvers", nargs="+", default=None,
                        help="solver names (default: every available CVXPY solver and native)")
    parser.add_argument("--repeats", type=int, default=1, help="timed repeats; the median is kept")
    parser.add_argument("--scs-tight", action="store_true",
                        help=f"pass {SCS_TIGHT} to SCS instead of its defaults (slow on "
                             f"the box dual for N + M >= 2000)")
    args = parser.parse_args(argv)
    with parser.library_checks():
        check_int(args.seed, "seed", minimum=0)
        for name in ("n", "d", "repeats"):
            check_int(getattr(args, name), name, minimum=1)
        check_positive(args.c, "c", why="SPEC 1: the problem has no minimizer for c <= 0 on "
                                        "separable data")
    return args


def make_problem(n, d, seed):
    """Real (n, d) ~ N(+μ, I) and fake (n, d) ~ N(−μ, I), μ = e₁ (plus e₂/2 when d ≥ 2)."""
    rng = np.random.default_rng(seed)
    mu = np.zeros(d)
    mu[0] = 1.0
    if d >= 2:
        mu[1] = 0.5
    mu /= np.linalg.norm(mu)
    return rng.normal(size=(n, d)) + mu, rng.normal(size=(n, d)) - mu


def _short(message):
    return str(message).split(". Try another solver")[0]


def run_one(real, fake, c, form, solver, repeats, options):
    """Solve ``repeats`` times; return the row of the table (the last solution's certificate)."""
    row = {"form": form, "solver": solver, "external": False, "note": ""}
    times = []
    for _ in range(repeats):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            try:
                sol = dual.solve(real, fake, c, form=form, solver=solver, **options)
            except (dual.SolverError, ValueError) as err:
                row.update(status="error", note=str(err))
                return row, None
            times.append(time.perf_counter() - start)
    notes = [_short(w.message) for w in caught if issubclass(w.category,
                                                            dual.InaccurateSolutionWarning)]
    row.update(
        primal=sol.primal_value, dual=sol.dual_value, gap=sol.gap, rel_gap=sol.relative_gap,
        kkt=sol.kkt.max, iterations=sol.iterations, time=statistics.median(times),
        status=sol.status, note="; ".join(notes),
    )
    return row, sol


def run_liblinear(real, fake, c, repeats, dual_flag):
    """scikit-learn liblinear (real 0, fake 1): coef_ = w* (SPEC 1); certified through SPEC 3."""
    from sklearn.linear_model import LogisticRegression

    X, y = np.vstack([real, fake]), np.r_[np.zeros(len(real)), np.ones(len(fake))]
    times = []
    for _ in range(repeats):
        model = LogisticRegression(solver="liblinear", C=1.0 / c, fit_intercept=False, tol=1e-10,
                                   max_iter=100000, dual=dual_flag)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X, y)
        times.append(time.perf_counter() - start)
    w = model.coef_.ravel().astype(np.float64)
    cert = dual.certify(w, *dual.lambdas_from_w(w, real, fake), real, fake, c)  # λ = −σ(Aw)
    row = {
        "form": "dual" if dual_flag else "primal", "solver": "sklearn-liblinear",
        "external": True, "primal": cert.primal_value, "dual": cert.dual_value, "gap": cert.gap,
        "rel_gap": cert.relative_gap, "kkt": cert.kkt.max,
        "iterations": int(np.max(model.n_iter_)), "time": statistics.median(times),
        "status": "fitted",
        "note": "external reference; g and KKT from λ = −σ(Aw)"
                + "".join(f"; {w_.message}" for w_ in caught),
    }
    return row, w


def fmt(value, spec):
    return "—" if value is None else format(value, spec)


def print_table(rows, reference):
    head = (f"{'form':6s} {'solver':18s} {'F (primal)':>16s} {'g (dual)':>16s} {'gap':>9s} "
            f"{'|w-w_ref|':>9s} {'max KKT':>8s} {'iters':>6s} {'time [s]':>9s}  note")
    print(f"w_ref: w of {reference} (the smallest certified relative gap)")
    print(head)
    print("-" * len(head))
    for r in rows:
        if r.get("status") == "error":
            print(f"{r['form']:6s} {r['solver']:18s} error: {r['note']}")
            continue
        print(f"{r['form']:6s} {r['solver']:18s} {r['primal']:16.10f} {r['dual']:16.10f} "
              f"{r['gap']:9.1e} {r['w_dist']:9.1e} {r['kkt']:8.1e} "
              f"{fmt(r['iterations'], '6d'):>6s} {r['time']:9.4f}  {r['note']}")


def plane(real, fake, w):
    """2-D coordinates: the data themselves when D = 2, else (wᵀx/‖w‖, top residual PC)."""
    if real.shape[1] == 2:
        return real, fake, "x₁", "x₂", "D = 2: the samples themselves"
    A = np.vstack([real, fake])
    u1 = w / np.linalg.norm(w) if np.linalg.norm(w) > 0 else np.eye(A.shape[1])[0]
    resid = A - np.outer(A @ u1, u1)
    u2 = np.linalg.svd(resid - resid.mean(0), full_matrices=False)[2][0]
    basis = np.stack([u1, u2], axis=1)  # (D, 2)
    return (real @ basis, fake @ basis, "wᵀx / ‖w‖", "top principal direction orthogonal to w",
            f"D = {A.shape[1]}: projected onto w and the top principal direction orthogonal to it")


def plot_comparison(real, fake, sol, rows):
    """The figure: the samples coloured by their dual weights beside the solve times."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 5.2))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.05, 1]})
    pr, pf, xlabel, ylabel, how = plane(real, fake, sol.w)
    weights_real, weights_fake = -sol.lam_real, 1.0 + sol.lam_fake  # SPEC 3's reading
    size = 24 if len(pr) + len(pf) <= 600 else 10
    style = dict(cmap="viridis", vmin=0.0, vmax=1.0, s=size)
    # low weights first, so the samples the discriminator gets wrong are drawn on top
    for high in (False, True):
        for pts, weights, marker, edge, label in (
                (pr, weights_real, "o", "k", r"real, weight $-\lambda_i$"),
                (pf, weights_fake, "^", "tab:red", r"fake, weight $1+\lambda_j$")):
            keep = (weights >= 0.5) == high
            order = np.argsort(weights[keep])
            points = left.scatter(pts[keep][order, 0], pts[keep][order, 1],
                                  c=weights[keep][order], marker=marker, edgecolors=edge,
                                  linewidths=0.5, label=None if high else label, **style)
    fig.colorbar(points, ax=left, label="dual weight = P(discriminator is wrong about it)")
    lim = np.abs(np.vstack([pr, pf])).max() * 1.05
    norm = np.linalg.norm(sol.w)
    if norm > 0:  # the boundary D_w = 1/2 is the line wᵀx = 0; D_w > 1/2 on the side of −w
        boundary = r"$D_w(x) = 1/2$ ($w^\top x = 0$)"
        if real.shape[1] == 2:
            direction = np.array([-sol.w[1], sol.w[0]]) / norm
            ends = np.outer([-lim, lim], direction)
            left.plot(ends[:, 0], ends[:, 1], "r-", lw=1.5, label=boundary)
            toward_real = -sol.w / norm
        else:
            left.axvline(0.0, color="r", lw=1.5, label=boundary)
            toward_real = np.array([-1.0, 0.0])
        for sign, text in ((1, r"$D_w > 1/2$: called real"), (-1, r"$D_w < 1/2$: called fake")):
            x, y = sign * 0.92 * lim * toward_real  # inside the frame, growing toward the centre
            left.text(x, y, text, color="r", fontsize=8, ha="right" if x > 0 else "left",
                      va="top" if y > 0 else "bottom",
                      bbox=dict(fc="w", ec="r", lw=0.5, alpha=0.85))
    left.set_xlim(-lim, lim)
    left.set_ylim(-lim, lim)
    left.set_aspect("equal")
    left.set_xlabel(xlabel)
    left.set_ylabel(ylabel)
    left.set_title(f"{sol.solver}/{sol.form} solution; {how}", fontsize=9)
    left.legend(loc="lower left", fontsize=8, framealpha=0.9)

    timed = [r for r in rows if r.get("time") is not None]
    labels = [f"{r['solver']}\n{r['form']}" for r in timed]
    colors = ["0.6" if r["external"] else ("tab:blue" if r["form"] == "primal" else "tab:orange")
              for r in timed]
    bars = right.bar(range(len(timed)), [r["time"] for r in timed], color=colors)
    hatched = False
    for bar, r in zip(bars, timed):
        if r["note"] and not r["external"]:
            bar.set_hatch("//")
            hatched = True
        right.annotate(f"{r['time']:.2g}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                       ha="center", va="bottom", fontsize=7)
    right.set_yscale("log")
    right.set_xticks(range(len(timed)), labels, fontsize=7, rotation=60, ha="right")
    right.set_ylabel("time of the call [s] (log scale)")
    # the hatching is explained only when a bar has it
    right.set_title("solve time per solver and form (blue primal, orange dual, grey external"
                    + (";\nhatched: InaccurateSolutionWarning)" if hatched else ")"), fontsize=9)
    fig.tight_layout()
    return fig


def main(argv=None):
    args = parse_args(argv)
    with hold_directory(args.out):  # one writer per output directory
        return compare_all(args)


def compare_all(args):
    real, fake = make_problem(args.n, args.d, args.seed)
    solvers = args.solvers if args.solvers is not None else (
        dual.available_solvers() + [dual.NATIVE])
    print(f"N = M = {args.n}, D = {args.d}, c = {args.c:g}, seed {args.seed}; "
          f"solvers {solvers}; median of {args.repeats} run(s)")

    for solver in solvers:  # warm up each backend (imports, first compilation) off the clock
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dual.solve([[1.0]], [[-1.0]], 1.0, form="primal", solver=solver)
        except (dual.SolverError, ValueError):
            pass  # reported in the table by the timed run

    rows, solutions = [], {}
    jobs = [(solver, form) for solver in solvers for form in FORMS]
    for solver, form in tqdm(jobs, desc="solving", unit="solve"):
        options = dict(SCS_TIGHT) if (solver.upper() == "SCS" and args.scs_tight) else {}
        row, sol = run_one(real, fake, args.c, form, solver, args.repeats, options)
        rows.append(row)
        if sol is not None:
            solutions[(solver, form)] = sol

    external_w = {}
    try:
        for flag in (False, True):
            row, w = run_liblinear(real, fake, args.c, args.repeats, flag)
            rows.append(row)
            external_w[(row["solver"], row["form"])] = w
    except ImportError as err:
        print(f"note: scikit-learn not importable ({err}); liblinear rows skipped")

    if not solutions:
        raise SystemExit("no solver produced a solution")
    ref_key = min(solutions, key=lambda k: abs(solutions[k].relative_gap))
    w_ref = solutions[ref_key].w
    for row in rows:
        key = (row["solver"], row["form"])
        w = solutions[key].w if key in solutions else external_w.get(key)
        row["w_dist"] = None if w is None else float(np.abs(w - w_ref).max())
        row["w_ref"] = "/".join(ref_key)
    print_table(rows, "/".join(ref_key))

    figure = os.path.join(args.out, "compare.png")  # D > 2: the scatter panel is projected
    files.save_figure(plot_comparison(real, fake, solutions[ref_key], rows), figure, dpi=120)
    settings = vars(args) | {"solvers": solvers, "reference": "/".join(ref_key),
                             "time": "median wall-clock seconds of the call, under load"}
    payload = {"settings": settings, "rows": rows, "figure": figure}
    files.write_json(os.path.join(args.out, "results.json"), payload)
    print(f"wrote {args.out}/results.json and {figure}")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
