"""The optimizer settings the methods share, and their optimizers with a learning-rate schedule.

:class:`OptimizerSettings` holds the generator's Adam rate, its betas and the geometric decay
of the rate; the settings of every method (:class:`~generator.methods.feature_dual.DualConfig`,
:class:`~generator.methods.neural_dual.NeuralDualConfig`,
:class:`~generator.methods.baseline.BaselineConfig`) inherit them, so their checks are written
once and ``dataclasses.asdict`` of a method's settings stays flat (a checkpoint records
``method.lr``, ``method.lr_final``, ...).

:func:`make_optimizer` is the one place an optimizer and its schedule are made: a
``torch.optim.lr_scheduler.LambdaLR`` whose multiplier is :class:`GeometricRate`, stepped after
each optimizer step. The rate at 0-based step k is

    lr_k = lr·(lr_final/lr)^min(k/decay_steps, 1)

(constant ``lr`` without ``lr_final`` or with ``decay_steps`` = 0): it falls geometrically to
``lr_final`` at step ``decay_steps`` and stays there. A second optimizer (the discriminator's,
base rate ``rate``) follows the same decay, rate·lr_k/lr.

The optimizer's base rate is 1 and the multiplier is the rate itself: LambdaLR sets
base·λ(k) = 1·lr_k = lr_k exactly, so the rates are bitwise those of the closed form above,
evaluated in this order (a base rate of ``rate`` times a factor would round rate·lr_k/lr
differently in the last bit, and change the runs).
"""

import warnings
from dataclasses import dataclass
from typing import Optional

import torch

from dualgan.validation import check_choice, check_int, check_positive, check_real

OPTIMIZERS = ("adam", "sgd")


@dataclass(kw_only=True)
class OptimizerSettings:
    """The generator's optimizer: Adam, with a learning rate that may decay geometrically.

    The fields are keyword-only, so that a method's settings that inherit them keep their own
    fields first when given by position.

    Raises
    ------
    TypeError, ValueError
        On construction, naming the bad setting and what is allowed.
    """

    lr: float = 1e-3  # Adam learning rate of the generator (at step 0)
    betas: tuple = (0.5, 0.999)  # Adam betas
    lr_final: Optional[float] = None  # if set, lr decays geometrically to this value ...
    decay_steps: int = 0  # ... over this many steps (then stays there); 0: constant lr

    def __post_init__(self):
        self.lr = check_positive(self.lr, "lr")
        if self.lr_final is not None:
            self.lr_final = check_positive(self.lr_final, "lr_final")
        self.decay_steps = check_int(self.decay_steps, "decay_steps", minimum=0)
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise TypeError(f"betas must be a pair of numbers in [0, 1), got {self.betas!r}")
        for i, beta in enumerate(self.betas):
            check_real(beta, f"betas[{i}]", low=0.0, high=1.0, low_inclusive=True)


class GeometricRate:
    """The learning rate at 0-based step k, lr·(lr_final/lr)^min(k/decay_steps, 1).

    A ``LambdaLR`` multiplier for an optimizer of base rate 1 (see the module docstring). Its
    attributes are plain numbers, so the scheduler's ``state_dict`` (which holds them) loads with
    ``torch.load(weights_only=True)``; an instance pickles.

    Parameters
    ----------
    lr : float
        The rate at step 0 (the generator's).
    lr_final : float or None
        The rate from step ``decay_steps`` on; None: constant ``lr``.
    decay_steps : int
        Steps of the decay; 0: constant ``lr``.
    rate : float, optional
        This optimizer's own rate at step 0 when it is not ``lr`` (the discriminator's); it
        decays by the same factor, rate·lr_k/lr.
    """

    def __init__(self, lr, lr_final=None, decay_steps=0, rate=None):
        self.lr = lr
        self.lr_final = lr_final
        self.decay_steps = decay_steps
        self.rate = rate

    def __call__(self, step):
        lr = self.lr
        if self.lr_final is not None and self.decay_steps > 0:
            lr = self.lr * (self.lr_final / self.lr) ** min(step / self.decay_steps, 1.0)
        return lr if self.rate is None else self.rate * lr / self.lr


def make_optimizer(params, settings, algorithm="adam", rate=None):
    """An optimizer of ``params`` and the schedule of its learning rate.

    Parameters
    ----------
    params : iterable of torch.nn.Parameter
    settings : OptimizerSettings
        The rate, its decay and (for Adam) the betas; a method's settings, which inherit them.
    algorithm : {"adam", "sgd"}
        Adam with ``settings.betas``, or plain SGD.
    rate : float, optional
        The optimizer's own rate at step 0 when it is not ``settings.lr`` (see
        :class:`GeometricRate`).

    Returns
    -------
    optimizer : torch.optim.Optimizer
    scheduler : torch.optim.lr_scheduler.LambdaLR
        Call its ``step()`` after each ``optimizer.step()``; its ``state_dict()`` is
        weights-only-safe.
    """
    check_choice(algorithm, "optimizer", OPTIMIZERS)
    # base rate 1: the scheduler sets the rate itself, lr_0 already at its construction
    if algorithm == "adam":
        optimizer = torch.optim.Adam(params, lr=1.0, betas=tuple(settings.betas))
    else:
        optimizer = torch.optim.SGD(params, lr=1.0)
    schedule = GeometricRate(settings.lr, settings.lr_final, settings.decay_steps, rate)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def load_scheduler(scheduler, state, num_steps):
    """Restore a scheduler from its ``state_dict()``, after its optimizer's state.

    A checkpoint written before the schedule was saved has ``state`` None: the scheduler is then
    placed at ``num_steps``, the steps taken, whose rate the next step uses.
    """
    if state is not None:
        scheduler.load_state_dict(state)
        return
    scheduler.last_epoch = num_steps - 1
    with warnings.catch_warnings():  # no optimizer step before this one in this process
        warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
        scheduler.step()

