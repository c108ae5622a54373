"""The neural discriminator, one exact convex step at a time (SPEC 7, the linearized dual).

The discriminator is a network (an MLP,
:class:`generator.nets.discriminators.MLPDiscriminator`, or a convolutional one,
:class:`~generator.nets.discriminators.ConvDiscriminator`; no batch normalization) returning
the logit ℓ_ψ(x) with D_ψ(x) = σ(ℓ_ψ(x)); SPEC 7's score is s_ψ = −ℓ_ψ. Each step, on a real
minibatch x_i (N) and a generated one g_j = G_θ(z_j) (M):

1. the offsets a_k = s_ψ₀(x_k) and the Gram matrix K = J Jᵀ of the per-sample parameter gradients
   from one forward and one backward pass (:mod:`generator.nets.ntk`, never the (N+M)×P Jacobian);
2. c = κ·mean(diag K), the inverse trust-region radius: the scores a + Jδ* = a + Kβ/c then move
   by about 1/κ per step whatever the scale of the gradients, which grows by orders of magnitude
   during training; κ is fixed, or adapted from the ratio of actual to predicted decrease;
3. the linearized problem solved exactly with :func:`dual.solve_kernel` (native dual Newton,
   certified by its duality gap);
4. the discriminator update ψ ← ψ₀ + δ*, δ* = Jᵀβ/c, from the same per-layer factors;
5. the generator's Danskin step on the optimal value (SPEC 7), in one of two forms:

   * ``"exact"``: ∇_θ g = −Σ_j (1 + λ*_j) ∇_θ [a(g_j) + J(g_j)δ*], through the score linearized at
     ψ₀ (one forward-mode pass, :func:`generator.nets.ntk.linearized_score`). It is the gradient
     of the optimal value of the step's convex problem (tested against finite differences of
     re-solves).
   * ``"first-order"``: −Σ_j D(g_j) ∇_θ s_{ψ₀+δ*}(g_j) = −∇_θ Σ_j log(1 − D_{ψ₀+δ*}(g_j)), the
     minimax generator step against the updated network; equal to the exact form to first order
     in δ*, and one plain forward pass.

   Both are trained with Adam on the sum's mean over the M samples (a constant scale).

The adaptive rule (``trust="adaptive"``) is the classical trust-region update: with the
discriminator's logistic loss L(ψ) = Σ_i softplus(s_i) + Σ_j softplus(−s_j) (F without the
(c/2)‖δ‖² term), ρ = [L(ψ₀) − L(ψ₀ + δ*)] / [L(ψ₀) − L_lin(δ*)] compares the actual decrease
with the linearization's; κ is multiplied by ``kappa_factor`` when ρ < 1/4 (a smaller region)
and divided by it when ρ > 3/4, within [kappa_min, kappa_max]. ρ is logged in either mode.
"""

import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

import dual
from dualgan.training import check_finite
from dualgan.validation import check_choice, check_positive

from ..nets.ntk import linearized_score, tangent_factors
from .feature_dual import certificate_summary, solve_quietly
from .schedule import OptimizerSettings, load_scheduler, make_optimizer

TRUST_RULES = ("scaled", "adaptive")
#: The generator's step: SPEC 7's two Danskin forms, or the non-saturating heuristic (not the
#: dual value's gradient; see :meth:`NeuralDualMethod.step`).
GENERATOR_STEPS = ("exact", "first-order", "non-saturating")


@dataclass
class NeuralDualConfig(OptimizerSettings):
    """Settings of the linearized dual method, and the generator's optimizer
    (:class:`~generator.methods.schedule.OptimizerSettings`: ``lr``, ``betas``, ``lr_final``,
    ``decay_steps``, keyword-only)."""

    kappa: float = 1.0  # c = kappa·mean(diag K): the score moves by about 1/kappa per step
    trust: str = "scaled"  # "scaled": kappa fixed; "adaptive": kappa from the decrease ratio ρ
    kappa_factor: float = 2.0  # adaptive: kappa ×= this when ρ < 1/4, /= this when ρ > 3/4
    kappa_min: float = 0.1  # adaptive: bounds of kappa
    kappa_max: float = 100.0
    generator_step: str = "first-order"  # GENERATOR_STEPS: a Danskin form (SPEC 7) or not

    def __post_init__(self):
        for name in ("kappa", "kappa_factor", "kappa_min", "kappa_max"):
            setattr(self, name, check_positive(getattr(self, name), name))
        if not self.kappa_min <= self.kappa <= self.kappa_max:
            raise ValueError(f"kappa must lie in [kappa_min, kappa_max] = [{self.kappa_min:g}, "
                             f"{self.kappa_max:g}], got {self.kappa:g}")
        check_choice(self.trust, "trust", TRUST_RULES)
        check_choice(self.generator_step, "generator_step", GENERATOR_STEPS)
        super().__post_init__()


def logistic_loss(scores, n_real):
    """L = Σ_i softplus(s_i) + Σ_j softplus(−s_j) in nats: F of SPEC 7 without (c/2)‖δ‖²."""
    return float(F.softplus(scores[:n_real]).sum() + F.softplus(-scores[n_real:]).sum())


class NeuralDualMethod:
    """Train a generator against a network discriminator whose every step is solved exactly.

    Parameters
    ----------
    g_net : torch.nn.Module
        The generator G_θ (attribute ``latent_dim``).
    discriminator : torch.nn.Module
        Logits ℓ_ψ(x), shape (n,), with all parameters in ``nn.Linear`` and ``nn.Conv2d``
        layers (:func:`generator.nets.ntk.score_layers`) and samples scored independently (e.g.
        :class:`MLPDiscriminator`, :class:`ConvDiscriminator`); SPEC 7's score is s = −ℓ.
    config : NeuralDualConfig

    Attributes
    ----------
    kappa : float
        The current trust-region scale (changes only with ``trust="adaptive"``).
    last_solution : dual.KernelSolution or None
        The latest step's certified solution.

    Examples
    --------
    One step: the MLP discriminator linearized and solved exactly from its tangent kernel, then
    the generator's step:

    >>> import torch
    >>> from generator import MLPDiscriminator, MLPGenerator, NeuralDualConfig, NeuralDualMethod
    >>> from generator import make_target, sample_latent
    >>> _ = torch.manual_seed(0)
    >>> method = NeuralDualMethod(MLPGenerator(latent_dim=2, out_dim=2, hidden=(16,)),
    ...                           MLPDiscriminator(2, hidden=(16,)),
    ...                           NeuralDualConfig(kappa=1.0, lr=1e-3))
    >>> real = make_target("ring").sample(64, torch.Generator().manual_seed(0))
    >>> latent = sample_latent(64, 2, torch.Generator().manual_seed(1))
    >>> log = method.step(real, latent)
    >>> bool(log["gap"] < 1e-8), method.last_solution.beta.shape    # N + M multipliers
    (True, (128,))
    """

    progress_fields = ("d_real", "d_fake", "gap")  # on the progress bar

    def __init__(self, g_net, discriminator, config=None):
        self.g_net = g_net
        self.discriminator = discriminator
        self.config = cfg = config if config is not None else NeuralDualConfig()
        self.optimizer, self.scheduler = make_optimizer(g_net.parameters(), cfg)
        self.kappa = cfg.kappa
        self.last_solution = None
        self.num_steps = 0

    def scores(self, x):
        """s_ψ(x) = −ℓ_ψ(x), shape (n,) (SPEC 7: D = σ(−s))."""
        return -self.discriminator(x)

    def solve(self, real, fake, c=None):
        """Linearize at the current ψ and solve the step exactly on detached samples.

        Parameters
        ----------
        real, fake : Tensor, shapes (N, dim) and (M, dim)
        c : float, optional
            The inverse trust-region radius; default κ·mean(diag K). It is the step's setting,
            a constant for the generator's gradient (which does not follow c through K).

        Returns
        -------
        sol : dual.KernelSolution
        delta : dict
            δ* = Jᵀβ/c by parameter name (SPEC 7), for the score s.
        info : dict
            ``offset`` (a, (N+M,) float64 numpy), ``gram`` (K), ``c``, ``kernel_seconds``,
            ``flagged`` (the solve drew an accuracy warning).
        """
        start = time.perf_counter()
        x = torch.cat([real, fake]).detach()
        factors = tangent_factors(self.discriminator, x)  # of the logit ℓ = −s
        K = factors.gram()  # the same for s and −s, formed where the network runs
        K = 0.5 * (K + K.T)  # exactly symmetric; PSD by Schur's product theorem
        K = K.cpu()  # (N+M)² numbers to the host, for the float64 native solve
        offset = -factors.scores.double().cpu()  # a = s_ψ₀ = −ℓ
        if c is None:  # SPEC 7: c is the inverse trust-region radius
            c = self.kappa * float(K.diagonal().mean())
        kernel_seconds = time.perf_counter() - start
        sol, flagged = solve_quietly(dual.solve_kernel, K.numpy(), real.shape[0], c,
                                     offset=offset.numpy(), check_input=False)
        beta = torch.from_numpy(sol.beta).to(x.device)
        # SPEC 7: δ* = Jᵀβ/c for s = −ℓ, i.e. −(J_ℓᵀβ)/c from the logit's factors
        delta = {name: -step / c for name, step in factors.transpose_times(beta).items()}
        return sol, delta, {"offset": offset.numpy(), "gram": K.numpy(), "c": c,
                            "kernel_seconds": kernel_seconds, "flagged": flagged}

    def linearized_fake_scores(self, fake, delta):
        """a(g_j) + J(g_j)δ at the current ψ (SPEC 7), differentiable in ``fake``.

        δ is a step of the parameters, the same for s and ℓ = −s, so s_lin = −ℓ_lin.
        """
        return -linearized_score(self.discriminator, fake, delta)

    def generator_value(self, fake, sol, delta):
        """A function of θ (through ``fake``) whose gradient is the exact Danskin gradient.

        V = −Σ_j (1 + λ*_j)[a(g_j) + J(g_j)δ*] with λ* and δ* held constant (SPEC 7); its
        gradient is ∇_θ max_λ g(λ; θ). Evaluate it before ψ is moved to ψ₀ + δ*.
        """
        weights = torch.from_numpy(1.0 + sol.lam_fake).to(fake)
        return -(weights * self.linearized_fake_scores(fake, delta)).sum()

    def _apply(self, delta):
        with torch.no_grad():
            for name, param in self.discriminator.named_parameters():
                param.add_(delta[name].to(param.dtype))

    def _adapt(self, rho):
        cfg = self.config
        if cfg.trust == "adaptive" and np.isfinite(rho):
            if rho < 0.25:
                self.kappa = min(cfg.kappa_max, self.kappa * cfg.kappa_factor)
            elif rho > 0.75:
                self.kappa = max(cfg.kappa_min, self.kappa / cfg.kappa_factor)

    def step(self, real, latent):
        """One exact discriminator step, then one generator step; returns the per-step log."""
        cfg = self.config
        lr = self.optimizer.param_groups[0]["lr"]  # this step's, set by the schedule
        fake = self.g_net(latent)  # (M, dim), with the graph to θ
        check_finite(fake, "generator output")
        n_real, m = real.shape[0], fake.shape[0]
        sol, delta, info = self.solve(real, fake)
        kappa_used = self.kappa

        self.optimizer.zero_grad(set_to_none=True)
        if cfg.generator_step == "exact":
            (-self.generator_value(fake, sol, delta) / m).backward()  # ascent on V
        self._apply(delta)  # ψ ← ψ₀ + δ*
        fake_logits = None  # ℓ at ψ₀ + δ* of the fakes, when the generator step computes it
        if cfg.generator_step == "first-order":
            # SPEC 7: ∇_θ g ≈ −∇_θ Σ_j log(1 − D(g_j)); log(1 − D) = logsigmoid(−ℓ)
            fake_logits = self.discriminator(fake)
            F.logsigmoid(-fake_logits).mean().backward()
            self.discriminator.zero_grad(set_to_none=True)  # ψ is not trained by gradient
        elif cfg.generator_step == "non-saturating":
            # not the dual value's gradient: −log D(g) against ψ₀ + δ*, whose gradient does not
            # vanish on the samples the exact discriminator rejects (SPEC 5, 4a)
            fake_logits = self.discriminator(fake)
            (-F.logsigmoid(fake_logits)).mean().backward()
            self.discriminator.zero_grad(set_to_none=True)
        self.optimizer.step()
        self.scheduler.step()

        # actual against predicted decrease of the logistic loss (the trust-region ratio ρ), on
        # the scores at ψ₀ + δ*: the fakes' from the generator step's forward pass (the samples
        # before θ moved), so that only the reals are scored again
        with torch.no_grad():
            real_logits = self.discriminator(real)
            fake_logits = (self.discriminator(fake) if fake_logits is None
                           else fake_logits.detach())
            after = -torch.cat([real_logits, fake_logits]).double().cpu()  # s = −ℓ
        offset = torch.from_numpy(info["offset"])
        predicted = offset + torch.from_numpy(info["gram"] @ sol.beta / info["c"])  # a + Kβ/c
        before_loss = logistic_loss(offset, n_real)
        decrease = before_loss - logistic_loss(predicted, n_real)
        rho = (before_loss - logistic_loss(after, n_real)) / decrease if decrease > 0 else np.nan
        self._adapt(rho)
        self.last_solution = sol
        self.num_steps += 1
        d_after = torch.sigmoid(-after)  # D of the updated network
        return {
            "dual_value": sol.dual_value,  # g(λ*) of the linearized step (nats)
            "primal_value": sol.primal_value,
            "gap": sol.gap,
            "c": info["c"],
            "kappa": kappa_used,
            "rho": rho,
            "kernel_seconds": info["kernel_seconds"],  # per-sample factors and K
            "solve_seconds": sol.solve_time,
            "iterations": float("nan") if sol.iterations is None else float(sol.iterations),
            "inaccurate": float(info["flagged"]),
            "d_real": float(d_after[:n_real].mean()),
            "d_fake": float(d_after[n_real:].mean()),
            "lr": lr,
        }

    def describe(self):
        """The discriminator, the trust region and the generator's step, in one line."""
        cfg = self.config
        return (f"{type(self.discriminator).__name__}, exact steps (SPEC 7): κ = "
                f"{cfg.kappa:g} ({cfg.trust}), {cfg.generator_step} generator step")

    def summarize_logs(self, logs, seconds):
        """The solves' certificates (:func:`certificate_summary`), the seconds spent on the
        tangent kernel, the share of the run in K and the solve, and the final κ."""
        out = certificate_summary(logs)
        out["kernel_seconds"] = sum(logs["kernel_seconds"])
        out["kernel_and_solve_share"] = (out["kernel_seconds"] + out["solve_seconds"]) / seconds
        out["final_kappa"] = self.kappa
        return out

    def figures(self, out, logs, real, fake, target):
        """curves.png: the optimal values, the certified gap, D on both sides with κ, and the
        seconds per step."""
        from ..plotting.curves import plot_neural_dual_curves

        plot_neural_dual_curves(logs, os.path.join(out, "curves.png"))
        return ["curves.png"]

    def state_dict(self):
        """Both networks, the optimizer, its schedule, κ and the step count
        (weights-only-safe)."""
        return {
            "g_net": self.g_net.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "kappa": self.kappa,
            "num_steps": self.num_steps,
        }

    def load_state_dict(self, state):
        """Inverse of :meth:`state_dict`."""
        self.g_net.load_state_dict(state["g_net"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.kappa = float(state["kappa"])
        self.num_steps = int(state["num_steps"])
        load_scheduler(self.scheduler, state.get("scheduler"), self.num_steps)
