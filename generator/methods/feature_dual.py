"""The dual method on fixed features (SPEC 4): solve the discriminator exactly, ascend on g(λ*; θ).

Each step maps a real minibatch x_i and a generated one g_j = G_θ(z_j) through a fixed feature
map φ, solves SPEC 1/2 exactly (float64, warm-started from the previous step) and takes one
optimizer step on −max_λ g(λ; θ). The optimal value and its gradient come from
:func:`dual.autograd.optimal_value`: by Danskin's theorem (SPEC 4) the gradient is that of g at
λ*, ∇_θ max_λ g = −Σ_j D_{w*}(g_j) (∂φ(g_j)/∂θ)ᵀ w*.
"""

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import torch

import dual
import dual.autograd
from dualgan.training import check_finite
from dualgan.validation import check_positive

from .schedule import OptimizerSettings, load_scheduler, make_optimizer


@dataclass
class DualConfig(OptimizerSettings):
    """Settings of the dual method, and the generator's optimizer (:class:`OptimizerSettings`:
    ``lr``, ``betas``, ``lr_final``, ``decay_steps``, keyword-only)."""

    c: float = 1.0  # L2 weight of the discriminator (SPEC 1); larger c → smoother D, closer to MMD
    solver: str = dual.NATIVE  # dual.solve solver: "native" (exact Newton) or a CVXPY solver
    form: Optional[str] = None  # dual.solve form; None: "auto" for native, "dual" for CVXPY
    warm_start: bool = True  # start each solve from the previous solution
    solver_options: dict = field(default_factory=dict)  # passed on to dual.solve

    def __post_init__(self):
        self.c = check_positive(self.c, "c", why="SPEC 1 needs c > 0")
        super().__post_init__()
        if self.form is None:
            self.form = "auto" if self.solver == dual.NATIVE else "dual"


def certificate_summary(logs):
    """What every exact method reports of its solves, from its per-step logs: total solve
    seconds, the last gap, the last dual and primal values, the largest absolute gap, and how many
    solves drew an accuracy warning."""
    return {"solve_seconds": sum(logs["solve_seconds"]), "final_gap": logs["gap"][-1],
            "final_dual_value": logs["dual_value"][-1],
            "final_primal_value": logs["primal_value"][-1],
            "max_gap": max(abs(g) for g in logs["gap"]),
            "inaccurate_solves": int(sum(logs["inaccurate"]))}


def solve_quietly(solve, *args, **kwargs):
    """Call a ``dual`` solve and turn its accuracy warnings into a flag instead.

    Returns
    -------
    (solution, flagged) : the solve's result, and True when it drew a
    :class:`dual.InaccurateSolutionWarning` or :class:`dual.ConvergenceWarning` (a GAN run
    counts such solves in its log rather than printing thousands of warnings). Other warnings
    pass through.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", dual.InaccurateSolutionWarning)
        warnings.simplefilter("always", dual.ConvergenceWarning)
        sol = solve(*args, **kwargs)
    accuracy = (dual.InaccurateSolutionWarning, dual.ConvergenceWarning)
    for other in caught:
        if not issubclass(other.category, accuracy):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return sol, any(issubclass(w.category, accuracy) for w in caught)


class DualMethod:
    """Train a generator against the exact discriminator's dual value (SPEC 4).

    Parameters
    ----------
    g_net : torch.nn.Module
        The generator network G_θ, with attribute ``latent_dim``.
    features : torch.nn.Module
        The fixed feature map φ (see :mod:`generator.nets.features`).
    config : DualConfig

    Attributes
    ----------
    last_solution : dual.Solution or None
        The discriminator of the latest step (also the next warm start).

    Examples
    --------
    One generator step on the ring, against random Fourier features:

    >>> import torch
    >>> from generator.nets.features import make_features
    >>> from generator.methods.feature_dual import DualConfig, DualMethod
    >>> from generator.nets.generators import MLPGenerator, sample_latent
    >>> from generator.data.targets import ring
    >>> _ = torch.manual_seed(0)
    >>> g_net = MLPGenerator(latent_dim=2, out_dim=2, hidden=(16,))
    >>> phi = make_features("rff", 2, num_features=32, lengthscale=1.0, seed=0)
    >>> method = DualMethod(g_net, phi, DualConfig(c=1.0, form="dual", lr=1e-3))
    >>> real = ring().sample(64, torch.Generator().manual_seed(0))         # (64, 2)
    >>> latent = sample_latent(64, 2, torch.Generator().manual_seed(1))
    >>> log = method.step(real, latent)         # solve exactly, then ascend g(λ*; θ)
    >>> bool(log["gap"] < 1e-8), method.last_solution.w.shape
    (True, (32,))
    """

    progress_fields = ("dual_value", "gap")  # on the progress bar

    def __init__(self, g_net, features, config=None):
        self.g_net = g_net
        self.features = features
        self.config = config if config is not None else DualConfig()
        self.optimizer, self.scheduler = make_optimizer(g_net.parameters(), self.config)
        self.last_solution = None
        self.num_steps = 0

    def solve(self, real_feats, fake_feats):
        """Solve the discriminator on feature batches; returns (Solution, flagged)."""
        warm = self.last_solution if self.config.warm_start else None
        cfg = self.config
        return solve_quietly(dual.solve, real_feats.detach().cpu().numpy(),
                             fake_feats.detach().cpu().numpy(), cfg.c, form=cfg.form,
                             solver=cfg.solver, warm_start=warm, **cfg.solver_options)

    def objective(self, real, latent):
        """Solve at the current θ.

        Returns
        -------
        value : Tensor, scalar
            max_λ g(λ; θ) = g(λ*; θ) in nats, differentiable in θ (Danskin, SPEC 4).
        sol : dual.Solution
        flagged : bool
            The solve drew an accuracy warning (see :func:`solve_quietly`).
        feats : (Tensor, Tensor)
            φ(x_i) and φ(g_j), shapes (N, F) and (M, F).
        """
        fake = self.g_net(latent)  # (B, dim)
        check_finite(fake, "generator output")
        real_feats, fake_feats = self.features(real), self.features(fake)  # (B, F)
        cfg = self.config
        warm = self.last_solution if cfg.warm_start else None
        (value, sol), flagged = solve_quietly(
            dual.autograd.optimal_value, real_feats.detach(), fake_feats, cfg.c, form=cfg.form,
            solver=cfg.solver, warm_start=warm, **cfg.solver_options)
        return value, sol, flagged, (real_feats, fake_feats)

    def step(self, real, latent):
        """One ascent step of θ on g(λ*; θ); returns the per-step log."""
        value, sol, flagged, (real_feats, fake_feats) = self.objective(real, latent)
        lr = self.optimizer.param_groups[0]["lr"]  # this step's, set by the schedule
        self.optimizer.zero_grad(set_to_none=True)
        (-value).backward()  # ascent on g = descent on −g
        self.optimizer.step()
        self.scheduler.step()
        self.last_solution = sol
        self.num_steps += 1
        real_np = real_feats.detach().cpu().numpy()
        fake_np = fake_feats.detach().cpu().numpy()
        return {
            "dual_value": float(value.detach()),  # g(λ*; θ) before the step (nats)
            "primal_value": sol.primal_value,  # F(w*) (nats)
            "gap": sol.gap,
            "solve_seconds": sol.solve_time,
            "w_norm": float(np.linalg.norm(sol.w)),
            "d_real": float(sol.discriminator(real_np).mean()),  # mean D on real samples
            "d_fake": float(sol.discriminator(fake_np).mean()),  # mean D on generated samples
            "iterations": float("nan") if sol.iterations is None else float(sol.iterations),
            "inaccurate": float(flagged),  # 1 if the solve drew an accuracy warning
            "lr": lr,
        }

    def describe(self):
        """The solver and the features, in one line."""
        return (f"solver {self.config.solver}/{self.config.form}; features "
                f"{type(self.features).__name__} ({self.features.out_dim} dims)")

    def summarize_logs(self, logs, seconds):
        """The solves' cost and certificates: total solve seconds, the last and largest gap,
        the last dual and primal values, the solves that drew an accuracy warning, the solver."""
        return {**certificate_summary(logs), "solver": self.config.solver,
                "form": self.config.form}

    def figures(self, out, logs, real, fake, target):
        """curves.png (the dual value, the gap, D on both sides) and weights.png (the dual
        weights λ of one exact solve on the given fresh minibatch)."""
        from ..plotting.curves import plot_training_curves
        from ..plotting.points import plot_dual_weights

        # SPEC 2: g ≤ (N + M)·log 2, with equality iff b(λ) = 0 and every λ = −1/2 (D ≡ 1/2)
        plot_training_curves(logs, os.path.join(out, "curves.png"),
                             ceiling=(real.shape[0] + fake.shape[0]) * math.log(2.0))
        with torch.no_grad():
            sol, _ = self.solve(self.features(real), self.features(fake))
        plot_dual_weights(real, fake, sol.lam_real, sol.lam_fake, target,
                          os.path.join(out, "weights.png"))
        return ["curves.png", "weights.png"]

    def state_dict(self):
        """Generator, optimizer, its schedule and the warm start (weights-only-safe)."""
        return {
            "g_net": self.g_net.state_dict(),
            "features": self.features.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "num_steps": self.num_steps,
            "last_solution": None if self.last_solution is None else self.last_solution.to_dict(),
        }

    def load_state_dict(self, state):
        """Inverse of :meth:`state_dict`."""
        self.g_net.load_state_dict(state["g_net"])
        self.features.load_state_dict(state["features"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.num_steps = int(state["num_steps"])
        load_scheduler(self.scheduler, state.get("scheduler"), self.num_steps)
        last = state["last_solution"]
        self.last_solution = None if last is None else dual.Solution.from_dict(last)
