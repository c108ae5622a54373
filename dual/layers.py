"""The optimal value through a differentiable conic solve: a cvxpylayers layer over the box dual.

The second route to ∂V/∂(data) next to :mod:`dual.autograd`'s Danskin gradient: the box dual
(SPEC 2, 7) in DPP form, with the samples and offsets as parameters and the value as an epigraph
variable t ≤ g(λ), so that the gradient of t* comes from implicitly differentiating the conic
program's optimality conditions (diffcp), not from Danskin's theorem::

    maximize  t
    s.t.      t ≤ −‖b‖²/(2c) + Σ entr(−λ) + Σ entr(1 + λ) − Σ a_i λ_i − Σ a_j (1 + λ_j)
              b = Xᵀλ_r + Gᵀλ_f + Gᵀ1,   −1 ≤ λ ≤ 0

(b is a variable tied to the parameters by an equality, so that ‖b‖² is parameter-free.)

Needs the ``[layers]`` extra (cvxpylayers, which brings diffcp, and torch; Python ≥ 3.11).
Building a layer canonicalizes the parametrized problem once; its memory grows about as
(N + M)²·D (measured, whole process: 1.0 GB at N = M = 150, D = 50; 3.0 GB at N = M = 300,
D = 50; 2.0 GB at N = M = 1000, D = 2), so the build is guarded: :func:`dual.memory.layer_bytes`
predicts it (160 B per unit of (N + M)²·D, measured) and a build that does not fit raises
:class:`dual.ResourceError` before it starts.
"""

import cvxpy as cp
import numpy as np
import torch

from . import memory

INSTALL_HINT = ("cvxpylayers is not installed: install the [layers] extra, e.g. "
                "pip install 'cvxpylayers==1.2.0' 'torch==2.13.0' (Python >= 3.11)")

#: The conic solve inside the layer: Clarabel at tight tolerances, and the derivative's
#: linear system by LSMR to 1e-10 (diffcp's default LSQR stops at about 1e-8 and left relative
#: gradient errors near 1e-3 at N = M = 200, D = 50; "dense" is exact but scales as (size)³).
SOLVER_ARGS = {"solve_method": "Clarabel", "mode": "lsmr", "tol_gap_abs": 1e-12,
               "tol_gap_rel": 1e-12, "tol_feas": 1e-12}


def _cvxpylayer_class():
    try:
        from cvxpylayers.torch import CvxpyLayer
    except ImportError as err:
        raise ImportError(INSTALL_HINT) from err
    return CvxpyLayer


class BoxDualLayer:
    """V(real, fake, offsets) = max of the box dual, differentiable by cvxpylayers.

    Parameters
    ----------
    n_real, n_fake, dim : int
        N, M and D: the shapes the layer is compiled for.
    c : float
        L2 weight (a constant of the compiled problem, not a parameter).
    solver_args : dict, optional
        Replaces :data:`SOLVER_ARGS` (passed to diffcp's ``solve_and_derivative``).
    check_memory : bool, default True
        Predict the build's memory (:func:`dual.memory.layer_bytes`) and raise
        :class:`dual.ResourceError` when it exceeds what is available; ``False`` builds anyway.

    Raises
    ------
    ImportError
        cvxpylayers (the ``[layers]`` extra) is not installed; the message says how to install.
    dual.ResourceError
        The build is predicted not to fit in the available memory.
    """

    def __init__(self, n_real, n_fake, dim, c, solver_args=None, check_memory=True):
        layer_class = _cvxpylayer_class()
        memory.check(f"a BoxDualLayer build for N={n_real}, M={n_fake}, D={dim}",
                     memory.layer_bytes(n_real, n_fake, dim),
                     "a layer's memory grows as (N + M)²·D: use fewer samples or features, or "
                     "the Danskin gradient of dual.autograd (a native solve, no layer)",
                     check_memory)
        self.c = float(c)
        self.shapes = (n_real, n_fake, dim)
        real, fake = cp.Parameter((n_real, dim)), cp.Parameter((n_fake, dim))
        offset_real, offset_fake = cp.Parameter(n_real), cp.Parameter(n_fake)
        lam_real, lam_fake = cp.Variable(n_real), cp.Variable(n_fake)
        b, t = cp.Variable(dim), cp.Variable()
        # SPEC 2, 3h: H(−λ) = entr(−λ) + entr(1 + λ); SPEC 7: − βᵀa
        entropy = sum(cp.sum(cp.entr(-lam) + cp.entr(1.0 + lam)) for lam in (lam_real, lam_fake))
        linear = offset_real @ lam_real + offset_fake @ lam_fake + cp.sum(offset_fake)
        constraints = [
            t <= -cp.sum_squares(b) / (2.0 * self.c) + entropy - linear,
            b == real.T @ lam_real + fake.T @ lam_fake + fake.T @ np.ones(n_fake),  # SPEC 2, 3g
            lam_real >= -1, lam_real <= 0, lam_fake >= -1, lam_fake <= 0,
        ]
        problem = cp.Problem(cp.Maximize(t), constraints)
        self.solver_args = dict(SOLVER_ARGS if solver_args is None else solver_args)
        self.layer = layer_class(problem, parameters=[real, fake, offset_real, offset_fake],
                                 variables=[t, lam_real, lam_fake])

    def __call__(self, real, fake, offset_real=None, offset_fake=None):
        """Solve at the given data; returns ``(value, lam_real, lam_fake)`` as tensors.

        ``value`` (0-d) is t* = max g; its gradient with respect to any input that requires it
        comes from the implicit differentiation of the conic solve. Offsets default to zero.
        """
        n_real, n_fake, _ = self.shapes
        if offset_real is None:
            offset_real = torch.zeros(n_real, dtype=real.dtype)
        if offset_fake is None:
            offset_fake = torch.zeros(n_fake, dtype=fake.dtype)
        inputs = (real, fake, offset_real, offset_fake)
        args = dict(self.solver_args)
        if not (torch.is_grad_enabled() and any(x.requires_grad for x in inputs)):
            # cvxpylayers then calls diffcp's solve-only path, which passes every argument on to
            # the conic solver: the derivative's "mode" is not one of its settings
            args.pop("mode", None)
        value, lam_real, lam_fake = self.layer(*inputs, solver_args=args)
        return value, lam_real, lam_fake
