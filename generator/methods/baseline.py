"""The standard GAN (SPEC 5) as methods for :class:`generator.training.trainer.GANTrainer`.

A discriminator (a logit module, :mod:`generator.nets.discriminators`) and the generator take
alternating gradient steps on V(D, G) = E_pdata[log D(x)] + E_pG[log(1 − D(G(z)))]:
``d_steps`` ascent steps of D on V, then one step of G, with either generator loss of
Goodfellow et al. (2014):

* ``"minimax"``: G descends E_z[log(1 − D(G(z)))], the game of SPEC 5 itself. Its gradient in
  the logit is −D(G(z)), which vanishes when D confidently rejects the fakes (SPEC 5, 4a).
* ``"non-saturating"``: G ascends E_z[log D(G(z))]; gradient in the logit −(1 − D(G(z))), large
  exactly where the minimax one vanishes. Same fixed points.

Method names for scripts (:func:`make_baseline`): ``"mlp-ns"`` and ``"mlp-minimax"`` (a network
D: an MLP, or a convolutional one on images with ``arch="conv"``),
and ``"linear-gd"``: the dual method's own discriminator D_w(x) = σ(−wᵀφ(x)) with (c/2)‖w‖²
(SPEC 1) trained by gradient steps instead of solved exactly. Its generator loss defaults to
minimax because that is the dual method's generator objective: by Danskin (SPEC 4) the dual step
is a step on F(w; θ), whose θ-dependent part is −Σ_j log(1 − D_w(g_j)).

Every loss is computed from logits (log σ(a) = −softplus(−a)), never from a clipped sigmoid.
"""

import os
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F

from dualgan.training import check_finite
from dualgan.validation import check_choice, check_positive, check_positive_int

from ..nets.device import DTYPE
from ..nets.discriminators import LinearFeatureDiscriminator, make_discriminator
from .schedule import OPTIMIZERS, OptimizerSettings, load_scheduler, make_optimizer

G_LOSSES = ("minimax", "non-saturating")


# --------------------------------------------------------------------------- losses (SPEC 5)


def value_estimate(real_logits, fake_logits):
    """V̂ = mean log D(x_i) + mean log(1 − D(g_j)) with D = σ(a), in nats (SPEC 5).

    ``log σ(a) = logsigmoid(a)`` and ``log(1 − σ(a)) = logsigmoid(−a)``, exact for any a.
    """
    return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()


def discriminator_loss(real_logits, fake_logits, penalty=0.0):
    """What D descends: −V̂ plus its regularizer, per sample.

    With N real and M fake samples and n = (N + M)/2 this is
    ``(Σ_i softplus(−a_i) + Σ_j softplus(a_j) + penalty) / n``: for the linear discriminator
    (a = −wᵀφ) and penalty (c/2)‖w‖² it is F(w)/n, the SPEC 1 objective up to a positive scale,
    so it has the same minimizer w*. For N = M it equals −V̂ + penalty/N.
    """
    n = 0.5 * (real_logits.shape[0] + fake_logits.shape[0])
    total = F.softplus(-real_logits).sum() + F.softplus(fake_logits).sum() + penalty
    return total / n


def generator_loss(fake_logits, loss):
    """What G descends, from the logits a(G(z)) of its samples (SPEC 5; Goodfellow et al. 2014).

    ``"minimax"``: mean log(1 − D) = mean logsigmoid(−a); d/da = −σ(a) = −D per sample (/M).
    ``"non-saturating"``: −mean log D = −mean logsigmoid(a); d/da = −(1 − D) per sample (/M).
    """
    if loss == "minimax":
        return F.logsigmoid(-fake_logits).mean()
    if loss == "non-saturating":
        return -F.logsigmoid(fake_logits).mean()
    raise ValueError(f"g_loss must be one of {list(G_LOSSES)}, got {loss!r}")


# --------------------------------------------------------------------------- the method


@dataclass
class BaselineConfig(OptimizerSettings):
    """Settings of the standard GAN method, and the generator's optimizer
    (:class:`~generator.methods.schedule.OptimizerSettings`: ``lr``, ``betas``, ``lr_final``,
    ``decay_steps``, keyword-only). The discriminator's rate ``d_lr`` decays by the same factor
    as ``lr``; its Adam (``d_optimizer="adam"``) has the same ``betas``."""

    g_loss: str = "non-saturating"  # "minimax" or "non-saturating"
    d_lr: Optional[float] = None  # discriminator learning rate; None → the same as lr
    d_steps: int = 1  # discriminator steps per generator step (Goodfellow et al.'s k)
    d_optimizer: str = "adam"  # "adam" or "sgd" for the discriminator

    def __post_init__(self):
        check_choice(self.g_loss, "g_loss", G_LOSSES)
        check_choice(self.d_optimizer, "d_optimizer", OPTIMIZERS)
        check_positive_int(self.d_steps, "d_steps")
        super().__post_init__()
        self.d_lr = self.lr if self.d_lr is None else check_positive(self.d_lr, "d_lr")


class BaselineMethod:
    """Alternating gradient play on V(D, G) (SPEC 5), pluggable into the trainer.

    Parameters
    ----------
    g_net : torch.nn.Module
        The generator network G_θ, with attribute ``latent_dim``.
    discriminator : torch.nn.Module
        Returns logits (n,) for samples (n, dim) and has ``penalty()`` (0 or (c/2)‖w‖²).
    config : BaselineConfig

    The 2nd, …, k-th discriminator step of a step (k = ``d_steps``) take fresh minibatches,
    which the training loop draws from its own streams (:attr:`extra_batches`); called without
    them, those steps reuse the step's minibatch.

    Examples
    --------
    One discriminator step and one generator step, non-saturating loss:

    >>> import torch
    >>> from generator.methods.baseline import BaselineConfig, BaselineMethod
    >>> from generator.nets.discriminators import MLPDiscriminator
    >>> from generator.nets.generators import MLPGenerator, sample_latent
    >>> from generator.data.targets import ring
    >>> _ = torch.manual_seed(0)
    >>> g_net = MLPGenerator(latent_dim=2, out_dim=2, hidden=(16,))
    >>> method = BaselineMethod(g_net, MLPDiscriminator(2, hidden=(16,)), BaselineConfig(lr=1e-3))
    >>> real = ring().sample(64, torch.Generator().manual_seed(0))
    >>> latent = sample_latent(64, 2, torch.Generator().manual_seed(1))
    >>> log = method.step(real, latent)
    >>> sorted(log)
    ['d_fake', 'd_loss', 'd_real', 'g_loss', 'lr', 'value']
    >>> 0 < log["d_real"] < 1 and 0 < log["d_fake"] < 1      # mean D(x), a probability
    True
    """

    progress_fields = ("value", "d_fake")  # V̂ and the mean D on generated samples

    def __init__(self, g_net, discriminator, config=None):
        self.g_net = g_net
        self.discriminator = discriminator
        self.config = cfg = config if config is not None else BaselineConfig()
        self.g_optimizer, self.g_scheduler = make_optimizer(g_net.parameters(), cfg)
        self.d_optimizer, self.d_scheduler = make_optimizer(
            discriminator.parameters(), cfg, algorithm=cfg.d_optimizer, rate=cfg.d_lr)
        self.num_steps = 0

    @property
    def extra_batches(self):
        """Fresh (real, latent) minibatches a step takes besides its own: ``d_steps − 1``."""
        return self.config.d_steps - 1

    def discriminator_step(self, real, fake):
        """One descent step of D on :func:`discriminator_loss` (ascent on V); returns the loss
        before the step. ``fake`` is detached here: this step does not touch G."""
        fake = fake.detach()
        loss = discriminator_loss(self.discriminator(real), self.discriminator(fake),
                                  self.discriminator.penalty())
        self.d_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.d_optimizer.step()
        return float(loss.detach())

    def generator_step(self, latent):
        """One descent step of G on :func:`generator_loss`; returns (loss, V̂-fake logits)."""
        fake = self.g_net(latent)  # (B, dim)
        check_finite(fake, "generator output")
        logits = self.discriminator(fake)  # (B,)
        loss = generator_loss(logits, self.config.g_loss)
        self.g_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.g_optimizer.step()
        # D's parameters received gradients too; they are cleared by the next D step
        return float(loss.detach()), logits.detach()

    def step(self, real, latent, extra=()):
        """``d_steps`` discriminator steps, then one generator step; returns the per-step log.

        ``extra``: the (real, latent) minibatches of the 2nd, …, ``d_steps``-th discriminator
        step (:attr:`extra_batches` of them, drawn by the loop); missing ones reuse
        (``real``, ``latent``)."""
        lr = self.g_optimizer.param_groups[0]["lr"]  # this step's, set by the schedule
        d_loss = None
        batches = [(real, latent), *extra]
        for k in range(self.config.d_steps):
            batch_real, batch_latent = batches[k] if k < len(batches) else (real, latent)
            with torch.no_grad():
                fake = self.g_net(batch_latent)
            check_finite(fake, "generator output")
            d_loss = self.discriminator_step(batch_real, fake)
        with torch.no_grad():
            real_logits = self.discriminator(real)
        g_loss, fake_logits = self.generator_step(latent)
        self.d_scheduler.step()
        self.g_scheduler.step()
        self.num_steps += 1
        logs = {
            "d_loss": d_loss,  # before the last D step (nats per sample)
            "g_loss": g_loss,
            "value": float(value_estimate(real_logits, fake_logits)),  # V̂ after the D steps
            "d_real": float(torch.sigmoid(real_logits).mean()),
            "d_fake": float(torch.sigmoid(fake_logits).mean()),
            "lr": lr,
        }
        if isinstance(self.discriminator, LinearFeatureDiscriminator):
            logs["w_norm"] = float(self.discriminator.w.detach().norm())
        return logs

    def describe(self):
        """The generator's loss and the discriminator steps, in one line."""
        return (f"{type(self.discriminator).__name__} trained by gradient: generator loss "
                f"{self.config.g_loss}, {self.config.d_steps} D step(s) per G step")

    def summarize_logs(self, logs, seconds):
        """The game at the last step: V̂, the mean D on real and generated samples, and the
        generator's loss."""
        return {"final_value": logs["value"][-1], "final_d_real": logs["d_real"][-1],
                "final_d_fake": logs["d_fake"][-1], "g_loss": self.config.g_loss}

    def figures(self, out, logs, real, fake, target):
        """curves.png: the game's value and D on both sides, per step."""
        from ..plotting.curves import plot_game_curves

        plot_game_curves(logs, os.path.join(out, "curves.png"))
        return ["curves.png"]

    def state_dict(self):
        """Both players, both optimizers and their schedules (weights-only-safe)."""
        return {
            "g_net": self.g_net.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            "g_scheduler": self.g_scheduler.state_dict(),
            "d_scheduler": self.d_scheduler.state_dict(),
            "num_steps": self.num_steps,
        }

    def load_state_dict(self, state):
        """Inverse of :meth:`state_dict`."""
        self.g_net.load_state_dict(state["g_net"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.g_optimizer.load_state_dict(state["g_optimizer"])
        self.d_optimizer.load_state_dict(state["d_optimizer"])
        self.num_steps = int(state["num_steps"])
        load_scheduler(self.g_scheduler, state.get("g_scheduler"), self.num_steps)
        load_scheduler(self.d_scheduler, state.get("d_scheduler"), self.num_steps)


def baseline_discriminator(name, in_dim, *, linear=False, features=None, c=1.0,
                           hidden=(128, 128), arch="mlp", image_shape=None, dtype=DTYPE,
                           inputs=None):
    """The discriminator of baseline ``name``, untrained: with ``linear`` D_w on φ with
    (c/2)‖w‖², else a network (parameters: see :func:`make_baseline`).

    Raises
    ------
    ValueError
        A linear discriminator without ``features`` or with a network ``arch``.
    """
    if not linear:
        return make_discriminator(arch, in_dim, hidden, image_shape=image_shape, dtype=dtype,
                                  inputs=inputs)
    if features is None:
        raise ValueError(f"method {name!r} needs the feature map φ (features=...)")
    if arch != "mlp":
        raise ValueError(f"method {name!r} has the linear discriminator on φ; arch must be "
                         f"'mlp' (the default), got {arch!r}")
    return LinearFeatureDiscriminator(features, c)


def make_baseline(name, g_net, in_dim, *, features=None, c=1.0, lr=1e-3, d_lr=None,
                  lr_final=None, decay_steps=0, d_steps=1, hidden=(128, 128), arch="mlp",
                  image_shape=None, g_loss=None, dtype=DTYPE, inputs=None, device=None):
    """Build a baseline method by name.

    Parameters
    ----------
    name : str
        ``"mlp-ns"`` (MLP D, non-saturating G loss), ``"mlp-minimax"`` (MLP D, minimax G loss)
        or ``"linear-gd"`` (D_w = σ(−wᵀφ(x)) with (c/2)‖w‖², gradient-trained; needs
        ``features``; G loss minimax unless ``g_loss`` says otherwise).
    g_net : torch.nn.Module
        The generator network G_θ.
    in_dim : int
        Dimension of the samples.
    features : torch.nn.Module, optional
        φ for ``"linear-gd"`` (the dual method's map, for a like-for-like comparison).
    c : float
        L2 weight for ``"linear-gd"`` (SPEC 1).
    lr, d_lr, lr_final, decay_steps, d_steps, g_loss
        See :class:`BaselineConfig`.
    hidden : tuple of int
        Widths of the network discriminator: the MLP's hidden layers, or with ``arch="conv"``
        the output channels of its convolutions.
    arch : str
        ``"mlp"`` (an MLPDiscriminator) or ``"conv"`` (a ConvDiscriminator, needs
        ``image_shape``), for ``"mlp-ns"`` and ``"mlp-minimax"``.
    image_shape : tuple of int, optional
        (C, H, W) of the images, for ``arch="conv"``.
    dtype : torch.dtype
        Of the MLP discriminator (the linear one is float64, like its features).
    inputs : InputMap, optional
        The network discriminator's fixed input map (default: the identity).
    device : torch.device, optional
        Where the discriminator is placed (default: where it is built, the CPU).

    Returns
    -------
    BaselineMethod
    """
    from .registry import METHODS as SPECS  # the one table of the methods (it imports this one)

    baselines = [m for m, spec in SPECS.items() if not spec.exact_discriminator]
    spec = SPECS[check_choice(name, "method", baselines)]
    linear = spec.needs_features
    if g_loss is not None and g_loss != spec.g_loss and not linear:
        raise ValueError(f"method {name!r} fixes g_loss={spec.g_loss!r}, got {g_loss!r}")
    disc = baseline_discriminator(name, in_dim, linear=linear, features=features, c=c,
                                  hidden=hidden, arch=arch, image_shape=image_shape, dtype=dtype,
                                  inputs=inputs)
    if device is not None:
        disc = disc.to(device)
    config = BaselineConfig(g_loss=g_loss or spec.g_loss, lr=lr, d_lr=d_lr, lr_final=lr_final,
                            decay_steps=decay_steps, d_steps=d_steps)
    return BaselineMethod(g_net, disc, config)
