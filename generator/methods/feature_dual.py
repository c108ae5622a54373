"""The dual method (SPEC 4): solve the discriminator exactly, ascend the generator on g(λ*; θ).

Each step maps a real minibatch x_i and a generated one g_j = G_θ(z_j) through a fixed feature
map φ, solves SPEC 1/2 exactly with :func:`dual.solve` (float64, warm-started from the previous
step), then evaluates the dual value g(λ*; θ) in torch with λ* detached and takes one optimizer
step on −g. By Danskin's theorem (SPEC 4) the gradient is that of the optimal value:
∇_θ max_λ g = −Σ_j D_{w*}(g_j) (∂φ(g_j)/∂θ)ᵀ w*.
"""

import functools
import warnings
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import torch

import dual

from .trainer import check_finite


@functools.lru_cache(maxsize=None)
def default_solver():
    """The fastest exact solver available here, checked once per process.

    Returns
    -------
    (solver, form) : tuple of str
        ``("native", "auto")`` when the native backend runs, else ``("CLARABEL", "dual")``.
    """
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)) + 1.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dual.solve(real, fake, 1.0, solver="native", form="auto")
    except (ImportError, ValueError, TypeError, NotImplementedError, RuntimeError):
        return "CLARABEL", "dual"
    return "native", "auto"


def binary_entropy(p):
    """H(p) = −p log p − (1−p) log(1−p) in nats, torch, with 0 log 0 = 0 (SPEC 2, 3h)."""
    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1.0 - p, 1.0 - p))


def dual_value(lam_real, lam_fake, real_feats, fake_feats, c):
    """g(λ; θ) in torch (SPEC 2, 3i), differentiable in the features.

    Parameters
    ----------
    lam_real : Tensor, shape (N,)
        Multipliers of the real samples, in [−1, 0] (treated as constants).
    lam_fake : Tensor, shape (M,)
    real_feats : Tensor, shape (N, F)
        φ(x_i).
    fake_feats : Tensor, shape (M, F)
        φ(g_j), carrying the graph back to θ.
    c : float

    Returns
    -------
    Tensor, scalar
        g in nats: −‖b(λ)‖²/(2c) + Σ H(−λ_i) + Σ H(−λ_j); only the first term depends on θ.
    """
    # SPEC 2, 3g: b(λ) = Σ_i λ_i x_i + Σ_j (1 + λ_j) g_j
    b = real_feats.T @ lam_real + fake_feats.T @ (1.0 + lam_fake)
    entropy = binary_entropy(-lam_real).sum() + binary_entropy(-lam_fake).sum()
    return -(b @ b) / (2.0 * c) + entropy


@dataclass
class DualConfig:
    """Settings of the dual method."""

    c: float = 1.0  # L2 weight of the discriminator (SPEC 1); larger c → smoother D, closer to MMD
    lr: float = 1e-3  # Adam learning rate of the generator
    betas: tuple = (0.5, 0.999)  # Adam betas
    lr_final: Optional[float] = None  # if set, lr decays geometrically to this value ...
    decay_steps: int = 0  # ... over this many steps (then stays there); 0: constant lr
    solver: Optional[str] = None  # dual.solve solver; None → default_solver()
    form: Optional[str] = None  # dual.solve form; None → default_solver()'s choice
    warm_start: bool = True  # start each solve from the previous solution
    solver_options: dict = field(default_factory=dict)  # passed on to dual.solve


def _solution_state(sol):
    """A dual.Solution as weights-only-safe values."""
    return {
        "w": torch.from_numpy(np.array(sol.w)), "lam_real": torch.from_numpy(np.array(sol.lam_real)),
        "lam_fake": torch.from_numpy(np.array(sol.lam_fake)),
        "primal_value": sol.primal_value, "dual_value": sol.dual_value, "gap": sol.gap,
        "kkt": [sol.kkt.stationarity, sol.kkt.link, sol.kkt.box], "status": sol.status,
        "solver": sol.solver, "form": sol.form, "c": sol.c, "solve_time": sol.solve_time,
        "iterations": -1 if sol.iterations is None else int(sol.iterations),
    }


def _solution_from_state(state):
    return dual.Solution(
        w=state["w"].numpy().copy(), lam_real=state["lam_real"].numpy().copy(),
        lam_fake=state["lam_fake"].numpy().copy(), primal_value=state["primal_value"],
        dual_value=state["dual_value"], gap=state["gap"], kkt=dual.KKTResiduals(*state["kkt"]),
        status=state["status"], solver=state["solver"], form=state["form"], c=state["c"],
        solve_time=state["solve_time"],
        iterations=None if state["iterations"] < 0 else state["iterations"],
    )


class DualMethod:
    """Train a generator against the exact discriminator's dual value (SPEC 4).

    Parameters
    ----------
    generator : torch.nn.Module
        G_θ, with attribute ``latent_dim``.
    features : torch.nn.Module
        The fixed feature map φ (see :mod:`generator.features`).
    config : DualConfig

    Attributes
    ----------
    last_solution : dual.Solution or None
        The discriminator of the latest step (also the next warm start).
    """

    def __init__(self, generator, features, config=None):
        self.generator = generator
        self.features = features
        self.config = config if config is not None else DualConfig()
        cfg = self.config
        if not (isinstance(cfg.c, (int, float)) and cfg.c > 0):
            raise ValueError(f"c must be a positive number (SPEC 1), got {cfg.c!r}")
        if cfg.solver is None:
            solver, form = default_solver()
            self.solver, self.form = solver, cfg.form if cfg.form is not None else form
        else:
            self.solver = cfg.solver
            self.form = cfg.form if cfg.form is not None else (
                "auto" if cfg.solver == dual.NATIVE else "dual")
        self.optimizer = torch.optim.Adam(generator.parameters(), lr=cfg.lr,
                                          betas=tuple(cfg.betas))
        self.last_solution = None
        self.num_steps = 0

    def learning_rate(self, step):
        """The Adam learning rate at 0-based ``step``: lr·(lr_final/lr)^min(step/decay_steps, 1)."""
        cfg = self.config
        if cfg.lr_final is None or cfg.decay_steps <= 0:
            return cfg.lr
        return cfg.lr * (cfg.lr_final / cfg.lr) ** min(step / cfg.decay_steps, 1.0)

    def solve(self, real_feats, fake_feats):
        """Solve the discriminator on feature batches; returns (Solution, number of warnings)."""
        warm = self.last_solution if self.config.warm_start else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", dual.InaccurateSolutionWarning)
            warnings.simplefilter("always", dual.ConvergenceWarning)
            sol = dual.solve(real_feats.detach().cpu().numpy(), fake_feats.detach().cpu().numpy(),
                             self.config.c, form=self.form, solver=self.solver, warm_start=warm,
                             **self.config.solver_options)
        flagged = [w for w in caught if issubclass(w.category, (dual.InaccurateSolutionWarning,
                                                                dual.ConvergenceWarning))]
        for other in caught:  # pass anything else on, except the backend's echo of a flag
            echo = flagged and "may be inaccurate" in str(other.message)
            if other not in flagged and not echo:
                warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        return sol, len(flagged)

    def objective(self, real, latent):
        """Solve at the current θ and return (g(λ*; θ) as a differentiable tensor, Solution, flags)."""
        fake = self.generator(latent)  # (B, dim)
        check_finite(fake, "generator output")
        real_feats, fake_feats = self.features(real), self.features(fake)  # (B, F)
        sol, flags = self.solve(real_feats, fake_feats)
        dtype = fake_feats.dtype
        lam_real = torch.tensor(sol.lam_real, dtype=dtype)  # constants: Danskin (SPEC 4)
        lam_fake = torch.tensor(sol.lam_fake, dtype=dtype)
        value = dual_value(lam_real, lam_fake, real_feats, fake_feats, self.config.c)
        return value, sol, flags, (real_feats, fake_feats)

    def step(self, real, latent):
        """One ascent step of θ on g(λ*; θ); returns the per-step log."""
        value, sol, flags, (real_feats, fake_feats) = self.objective(real, latent)
        lr = self.learning_rate(self.num_steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.zero_grad(set_to_none=True)
        (-value).backward()  # ascent on g = descent on −g
        self.optimizer.step()
        self.last_solution = sol
        self.num_steps += 1
        real_np = real_feats.detach().cpu().numpy()
        fake_np = fake_feats.detach().cpu().numpy()
        return {
            "dual_value": float(value.detach()),  # g(λ*; θ) before the step, torch (nats)
            "primal_value": sol.primal_value,  # F(w*) (nats)
            "gap": sol.gap,
            "solve_seconds": sol.solve_time,
            "w_norm": float(np.linalg.norm(sol.w)),
            "d_real": float(sol.discriminator(real_np).mean()),  # mean D on real samples
            "d_fake": float(sol.discriminator(fake_np).mean()),  # mean D on generated samples
            "iterations": float("nan") if sol.iterations is None else float(sol.iterations),
            "inaccurate": float(flags),  # 1 if the solve drew an inaccuracy/convergence warning
            "lr": lr,
        }

    def state_dict(self):
        """Generator, optimizer and warm start (weights-only-safe)."""
        return {
            "generator": self.generator.state_dict(),
            "features": self.features.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "num_steps": self.num_steps,
            "last_solution": None if self.last_solution is None
            else _solution_state(self.last_solution),
        }

    def load_state_dict(self, state):
        """Inverse of :meth:`state_dict`."""
        self.generator.load_state_dict(state["generator"])
        self.features.load_state_dict(state["features"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.num_steps = int(state["num_steps"])
        last = state["last_solution"]
        self.last_solution = None if last is None else _solution_from_state(last)
