"""Gradients of the optimal discriminator value, two ways, against finite differences.

The Danskin route (:func:`dual.autograd.optimal_value`, SPEC 4) and the cvxpylayers route
(:class:`dual.layers.BoxDualLayer`, the ``[layers]`` extra) against central finite differences
of the re-solved optimum, on seeded problems of every size × dimension × seed; the comparison is
:mod:`dual.benchmark.gradients`. Writes OUT/gradients.csv, OUT/gradients.json and
OUT/gradients.png; finished cells are checkpointed, ``--resume`` skips them.

    python examples/compare_gradients.py --out runs/gradients
    python examples/compare_gradients.py --sizes 50 --dims 3 --seeds 0 --out runs/grad_small
    python examples/compare_gradients.py --no-layers --out runs/gradients_danskin  # no extra
"""

import sys
from pathlib import Path

from dual.benchmark.gradients import GradientSettings, run_gradient_check
from dualgan.cli import ArgumentParser, run
from dualgan.lock import hold_directory


def parse_args(argv=None):
    """The options, with ``args.settings``: the :class:`dual.benchmark.gradients.GradientSettings`
    they give (a bad value is refused here, in one line, before anything is written)."""
    defaults = GradientSettings()
    parser = ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("runs/gradients"),
                        help="output directory (gradients.csv, .json, .png)")
    parser.add_argument("--sizes", type=int, nargs="+", default=defaults.sizes,
                        help="N = M values")
    parser.add_argument("--dims", type=int, nargs="+", default=defaults.dims, help="D values")
    parser.add_argument("--seeds", type=int, nargs="+", default=defaults.seeds,
                        help="seeds of the problems, one cell each")
    parser.add_argument("--c", type=float, default=defaults.c, help="L2 weight c > 0")
    parser.add_argument("--directions", type=int, default=defaults.directions,
                        help="random directions for the finite differences")
    parser.add_argument("--h", type=float, default=defaults.h, help="finite-difference step")
    parser.add_argument("--tol", type=float, default=defaults.tol,
                        help="the Danskin route's native tol, dual.solve's own (the gradient's "
                             "error follows the certified gap, about as its square root)")
    parser.add_argument("--layers-max-gb", type=float, default=defaults.layers_max_gb,
                        help="skip cvxpylayers where its canonicalization is predicted to need "
                             "more memory (GB)")
    parser.add_argument("--no-layers", action="store_true", help="Danskin only")
    parser.add_argument("--resume", action="store_true", help="keep finished cells of OUT")
    args = parser.parse_args(argv)
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "resume")}
    with parser.library_checks():
        args.settings = GradientSettings(**settings)
    return args


def main(argv=None):
    args = parse_args(argv)
    with hold_directory(args.out, f"the cells already in {args.out}/gradients.json are "
                                  f"complete; {{fix}} and rerun with --resume"):
        run_gradient_check(args.settings, args.out, resume=args.resume)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
