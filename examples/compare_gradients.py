"""Gradients of the optimal discriminator value, two ways, against finite differences.

On seeded problems (real ~ N(m, I), fake ~ N(0, I), ‖m‖ = 1, score offsets ~ N(0, 0.5²), c = 1)
the gradient of V = max_λ g(λ) = min_w F(w) (SPEC 2, 7) with respect to the fake features and
their offsets comes from

* ``danskin``: :func:`dual.autograd.optimal_value`, the native solve (``--tol``, default 1e-10)
  and the closed-form gradient −β*_j w* (SPEC 4);
* ``cvxpylayers``: :class:`dual.layers.BoxDualLayer`, implicit differentiation of the conic solve
  (Clarabel inside diffcp; the ``[layers]`` extra);

and each is compared with central finite differences of the re-solved optimum (native Newton,
tol 1e-13) along random unit directions: relative error ‖(⟨∇V, v_k⟩)_k − (FD_k)_k‖ / ‖(FD_k)_k‖.
The finite differences' truncation error is estimated from steps h and 2h. Writes
OUT/gradients.csv, OUT/gradients.json and OUT/gradients.png; finished cells are checkpointed,
``--resume`` skips them.

    python examples/compare_gradients.py --out runs/gradients
"""

import sys
from pathlib import Path

from common.cli import ArgumentParser, run
from dual.benchmark.gradients import GradientSettings, run_gradient_check


def parse_args(argv=None):
    """The options, with ``args.settings``: the :class:`dual.benchmark.gradients.GradientSettings`
    they give (a bad value is refused here, in one line, before anything is written)."""
    defaults = GradientSettings()
    parser = ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/gradients"))
    parser.add_argument("--sizes", type=int, nargs="+", default=defaults.sizes,
                        help="N = M values")
    parser.add_argument("--dims", type=int, nargs="+", default=defaults.dims, help="D values")
    parser.add_argument("--seeds", type=int, nargs="+", default=defaults.seeds)
    parser.add_argument("--c", type=float, default=defaults.c, help="L2 weight c > 0")
    parser.add_argument("--directions", type=int, default=defaults.directions,
                        help="random directions for the finite differences")
    parser.add_argument("--h", type=float, default=defaults.h, help="finite-difference step")
    parser.add_argument("--tol", type=float, default=defaults.tol,
                        help="the Danskin route's native tol (its default; the gradient's error "
                             "follows the certified gap, about as its square root)")
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
    run_gradient_check(args.settings, args.out, resume=args.resume)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
