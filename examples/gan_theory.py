"""Standard GAN theory on 1-D densities (SPEC 5, Problem 4), by adaptive quadrature.

For a chosen pair (p_data, p_G) the script plots both densities and the optimal discriminator
D* = p_data / (p_data + p_G), prints V(D*, G), JSD(p_data ‖ p_G) and the residual of
V(D*, G) = −log 4 + 2·JSD, and checks V(D*, G) against a seeded Monte Carlo estimate from
samples. A second panel follows V(D*, G_t) along a path where p_G_t(x) = p_data(x − t) slides
onto p_data (t from 3 to 0): V rises from near 0 to −log 4. For the disjoint pair V stays at 0
while the supports do not touch — the flat region where the generator's gradient vanishes
(SPEC 5, 4a).

Example::

    python examples/gan_theory.py --pair mixture --out runs/gan_theory
    python examples/gan_theory.py --pair disjoint --out runs/gan_theory_disjoint
"""

import os
import sys

import numpy as np
from matplotlib.figure import Figure
from scipy import stats
from tqdm import tqdm

from dualgan import cli
from dualgan.cli import ArgumentParser
from dualgan.files import save_figure, write_json
from dualgan.validation import check_int
from generator import theory


class Pair:
    """Two 1-D scipy distributions (``pdf``, ``sample``), the interval holding them, and the
    points where their densities jump (break points for the quadrature)."""

    def __init__(self, data, gen, lower, upper, jumps_data=(), jumps_gen=()):
        self.data, self.gen = data, gen
        self.lower, self.upper = lower, upper
        self.jumps_data, self.jumps_gen = tuple(jumps_data), tuple(jumps_gen)


def make_pair(name):
    """The three pairs of the script: ``gaussians``, ``mixture``, ``disjoint``."""
    if name == "gaussians":
        return Pair(stats.Normal(mu=0, sigma=1), stats.Normal(mu=2, sigma=1.5), -20.0, 25.0)
    if name == "mixture":
        mixture = stats.Mixture([stats.Normal(mu=-2.0, sigma=0.5),
                                 stats.Normal(mu=1.5, sigma=0.8)], weights=[0.3, 0.7])
        return Pair(mixture, stats.Normal(mu=0, sigma=2), -25.0, 25.0)
    if name == "disjoint":
        return Pair(stats.Uniform(a=0, b=1), stats.Uniform(a=2, b=3), -1.0, 7.0, (0.0, 1.0),
                    (2.0, 3.0))
    raise ValueError(f"pair must be one of ['gaussians', 'mixture', 'disjoint'], got {name!r}")


def shifted(pdf, t):
    """``x -> pdf(x − t)``."""
    return lambda x: pdf(np.asarray(x) - t)


def path_values(pair, shifts):
    """V(D*, G_t) and JSD along ``p_G_t(x) = p_data(x − t)``, by quadrature."""
    rows = []
    for t in tqdm(shifts, desc="path t: 3 -> 0"):
        q = shifted(pair.data.pdf, t)
        lo, hi = pair.lower, pair.upper + t
        pts = pair.jumps_data + tuple(j + t for j in pair.jumps_data)
        v = theory.optimal_value_quad(pair.data.pdf, q, lo, hi, points=pts)
        j = theory.jsd_quad(pair.data.pdf, q, lo, hi, points=pts)
        rows.append({"t": float(t), "V_opt": v, "jsd": j})
    return rows


def monte_carlo_value(pair, n, seed):
    """Seeded sample estimate of V(D*, G) = E_pdata[log D*] + E_pG[log(1 − D*)] (SPEC 5)."""
    rng = np.random.default_rng(seed)
    a = theory.optimal_logit(pair.data.pdf, pair.gen.pdf)
    x_real = pair.data.sample(n, rng=rng)
    x_fake = pair.gen.sample(n, rng=rng)
    # log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a)
    return float(np.mean(-np.logaddexp(0.0, -a(x_real))) + np.mean(-np.logaddexp(0.0, a(x_fake))))


def plot(pair, name, rows, path):
    x = np.linspace(pair.lower, pair.upper, 4001)
    lo_plot, hi_plot = {"gaussians": (-5, 8), "mixture": (-6, 6), "disjoint": (-0.5, 3.5)}[name]
    x = x[(x >= lo_plot) & (x <= hi_plot)]
    p, q = pair.data.pdf(x), pair.gen.pdf(x)
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2)
    ax = axes[0]
    ax.plot(x, p, label=r"$p_{data}$")
    ax.plot(x, q, label=r"$p_G$")
    ax.plot(x, theory.optimal_discriminator(p, q), "k--", label=r"$D^*$")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set(title=f"pair: {name}", xlabel="x")
    ax.legend()
    ax = axes[1]
    t = [r["t"] for r in rows]
    ax.plot(t, [r["V_opt"] for r in rows], "o-", ms=3, label=r"$V(D^*, G_t)$")
    ax.plot(t, [-theory.LOG4 + 2 * r["jsd"] for r in rows], "x", ms=4,
            label=r"$-\log 4 + 2\,\mathrm{JSD}$")
    ax.axhline(-theory.LOG4, color="grey", ls=":", label=r"$-\log 4$")
    ax.invert_xaxis()
    ax.set(title=r"$p_{G_t}(x) = p_{data}(x - t)$, t: 3 $\to$ 0", xlabel="shift t",
           ylabel="nats")
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def main(argv=None):
    parser = ArgumentParser(description=__doc__)
    parser.add_argument("--pair", choices=("gaussians", "mixture", "disjoint"),
                        default="mixture", help="which (p_data, p_G) pair (default: mixture)")
    parser.add_argument("--out", default="runs/gan_theory", help="output directory")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo check")
    parser.add_argument("--mc-samples", type=int, default=200_000,
                        help="samples per distribution for the Monte Carlo estimate of V")
    parser.add_argument("--path-points", type=int, default=31,
                        help="number of shifts t on the path from 3 to 0")
    args = parser.parse_args(argv)
    with parser.library_checks():
        check_int(args.seed, "seed", minimum=0)
        check_int(args.mc_samples, "mc_samples", minimum=1)
        check_int(args.path_points, "path_points", minimum=2)
    os.makedirs(args.out, exist_ok=True)

    pair = make_pair(args.pair)
    pts = pair.jumps_data + pair.jumps_gen
    v = theory.optimal_value_quad(pair.data.pdf, pair.gen.pdf, pair.lower, pair.upper, points=pts)
    j = theory.jsd_quad(pair.data.pdf, pair.gen.pdf, pair.lower, pair.upper, points=pts)
    residual = v - (-theory.LOG4 + 2 * j)  # SPEC 5, 4e
    v_mc = monte_carlo_value(pair, args.mc_samples, args.seed)
    print(f"pair {args.pair}: V(D*, G) = {v:.10f} nats, JSD = {j:.10f} nats")
    print(f"V(D*, G) - (-log 4 + 2 JSD) = {residual:.3e}")
    print(f"Monte Carlo V(D*, G) from {args.mc_samples} samples each (seed {args.seed}) = "
          f"{v_mc:.5f}")

    rows = path_values(pair, np.linspace(3.0, 0.0, args.path_points))
    print(f"path end (t = 0): V = {rows[-1]['V_opt']:.10f}, -log 4 = {-theory.LOG4:.10f}")
    fig_path = os.path.join(args.out, f"gan_theory_{args.pair}.png")
    plot(pair, args.pair, rows, fig_path)
    result = {
        "pair": args.pair, "seed": args.seed, "V_opt": v, "jsd": j,
        "identity_residual": residual, "minus_log4": -theory.LOG4,
        "V_opt_monte_carlo": v_mc, "mc_samples": args.mc_samples,
        "path": rows, "figure": os.path.basename(fig_path),
    }
    json_path = os.path.join(args.out, f"gan_theory_{args.pair}.json")
    write_json(json_path, result)
    print(f"wrote {fig_path} and {json_path}")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
