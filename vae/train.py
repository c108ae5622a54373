"""The training loop: minibatch Adam on the negative ELBO, per-epoch test loss, checkpoints.

The default recipe (measured over seeds, see the README): batch 256, Adam 2e-3 warmed up
linearly over the first epoch and then annealed by a cosine over the optimizer steps to 5 % of
it, the KL term's weight raised linearly from 0 to 1 over the first 10 epochs (KL warm-up), the
decoder's output bias started at the data's mean image, 60 epochs.

The data stay one in-memory tensor indexed by a permutation per epoch (no DataLoader). Every
source of randomness is a seeded ``torch.Generator`` whose state goes into the checkpoint, so a
resumed run ends with exactly the parameters of an uninterrupted one, also when it was stopped
in the middle of an epoch. The outer loop (Ctrl-C, the final checkpoint) is
:class:`dualgan.training.CheckpointedLoop`'s, shared with :class:`generator.GANTrainer`; its unit
is one epoch.
"""

import math
import sys
import time
from dataclasses import asdict, dataclass
from typing import Optional

import torch
from tqdm.auto import tqdm

from dualgan.checkpoint import rng_states, set_rng_states
from dualgan.training import CheckpointedLoop, check_finite
from dualgan.validation import (
    check_choice,
    check_int,
    check_positive,
    check_positive_int,
    check_real,
)

from .bounds import elbo_terms, negative_elbo
from .config import VAEConfig
from .data import binarize
from .model import VAE

LR_SCHEDULES = ("constant", "cosine")
BINARIZATIONS = ("none", "dynamic")


@dataclass
class VAETrainConfig:
    """How to train.

    Attributes
    ----------
    epochs : int
        Passes over the training set.
    batch_size : int
        Images per Adam step; the loss is summed over the batch, as in the PyTorch example.
    lr : float
        Adam's peak learning rate.
    lr_schedule : str
        After the warm-up: 'constant', or 'cosine' (annealed per optimizer step from ``lr`` to
        ``lr * lr_final_fraction`` at the last step).
    lr_final_fraction : float
        Final learning rate as a fraction of ``lr`` for the cosine schedule.
    lr_warmup_epochs : float
        The learning rate rises linearly from ``lr / W`` to ``lr`` over the first
        W = round(lr_warmup_epochs · steps per epoch) steps; 0 for none.
    kl_warmup_epochs : float
        The KL term's weight β rises linearly, β = min(1, step / (kl_warmup_epochs · steps per
        epoch)) with steps counted from 1; 0 for β = 1 throughout. The test loss is always the
        full negative ELBO (β = 1).
    output_bias_from_data : bool
        Start the decoder's output bias at the mean training image (its logit), so the first
        steps need not learn the background.
    mc_samples : int
        M, samples of z per image in the ELBO estimate (SPEC 6, 2c).
    binarize : str
        'none' (grayscale pixels in [0, 1], as in the PyTorch example) or 'dynamic': each
        training image is drawn afresh as x ~ Bernoulli(pixels) every time it is used (once per
        epoch), and the test set is binarized once with ``test_binarize_seed``.
    test_binarize_seed : int
        Seed of the fixed stochastic binarization of the test set (the same for every ``seed``).
    seed : int
        Seeds the initialization, the data order (and binarization) and the noise ε.
    eval_batch_size : int
        Images per batch when computing the test loss.
    """

    epochs: int = 60
    batch_size: int = 256
    lr: float = 2e-3  # Adam
    lr_schedule: str = "cosine"  # anneal to lr * lr_final_fraction over the run
    lr_final_fraction: float = 0.05
    lr_warmup_epochs: float = 1.0
    kl_warmup_epochs: float = 10.0
    output_bias_from_data: bool = True
    mc_samples: int = 1  # M
    binarize: str = "none"
    test_binarize_seed: int = 0
    seed: int = 0
    eval_batch_size: int = 1000

    def __post_init__(self):
        for name in ("epochs", "batch_size", "mc_samples", "eval_batch_size"):
            check_positive_int(getattr(self, name), name)
        for name in ("seed", "test_binarize_seed"):
            check_int(getattr(self, name), name, minimum=0)
        self.lr = check_positive(self.lr, "lr")
        check_choice(self.lr_schedule, "lr_schedule", LR_SCHEDULES)
        check_choice(self.binarize, "binarize", BINARIZATIONS)
        self.lr_final_fraction = check_real(self.lr_final_fraction, "lr_final_fraction", 0.0,
                                            1.0, high_inclusive=True)
        for name in ("lr_warmup_epochs", "kl_warmup_epochs"):
            setattr(self, name, check_real(getattr(self, name), name, 0.0,
                                           low_inclusive=True))
        if not isinstance(self.output_bias_from_data, bool):
            raise TypeError(f"output_bias_from_data must be True or False, got "
                            f"{self.output_bias_from_data!r}")


def learning_rate(config, step, steps_per_epoch):
    """Adam's learning rate at optimizer step ``step`` (counted from 0) of a run.

    A linear warm-up over the first W = round(lr_warmup_epochs · steps_per_epoch) steps, then
    constant, or a cosine from ``lr`` down to ``lr * lr_final_fraction`` at the last step.
    """
    warmup = int(round(config.lr_warmup_epochs * steps_per_epoch))
    if step < warmup:
        return config.lr * (step + 1) / warmup
    if config.lr_schedule == "constant":
        return config.lr
    total = config.epochs * steps_per_epoch
    low = config.lr * config.lr_final_fraction
    progress = (step - warmup) / max(1, total - warmup)  # 0 → 1 after the warm-up
    return low + (config.lr - low) * (1 + math.cos(math.pi * progress)) / 2


def kl_weight(config, step, steps_per_epoch):
    """β, the weight of the KL term at optimizer step ``step`` (from 0): the KL warm-up."""
    warmup = config.kl_warmup_epochs * steps_per_epoch
    if warmup <= 0:
        return 1.0
    return min(1.0, (step + 1) / warmup)


def _seeded(seed):
    return torch.Generator().manual_seed(int(seed))


@torch.no_grad()
def evaluate_nelbo(model, x, mc_samples=1, batch_size=1000, seed=0):
    """Mean negative ELBO over the rows of x, nats per image, with a fixed noise seed.

    The noise comes from its own generator, so evaluating never disturbs the training RNGs.
    """
    was_training = model.training
    model.eval()
    rng = _seeded(seed)
    total = 0.0
    for start in range(0, len(x), batch_size):
        total += negative_elbo(model, x[start : start + batch_size], mc_samples, rng).sum().item()
    model.train(was_training)
    return total / len(x)


@dataclass
class VAETrainResult:
    """What :meth:`VAETrainer.run` returns."""

    epoch: int  # epochs completed in total (resumed ones included)
    seconds: float  # wall-clock seconds of training in total (evaluation excluded)
    history: dict  # per-epoch lists, see VAETrainer
    interrupted: bool = False  # stopped by Ctrl-C (a checkpoint was written)
    checkpoint_path: Optional[str] = None


class VAETrainer(CheckpointedLoop):
    """Trains a :class:`vae.VAE` on in-memory data and checkpoints it after every epoch.

    The initialization is drawn after ``torch.manual_seed(train_config.seed)``; the data order
    (and binarization) and the noise ε come from two generators seeded from the same seed. The
    learning rate and the KL weight are functions of the step (:func:`learning_rate`,
    :func:`kl_weight`), so they need no state of their own.

    Parameters
    ----------
    model_config : VAEConfig
    train_config : VAETrainConfig
    train_x, test_x : torch.Tensor, shapes (N, D) and (N_test, D), values in [0, 1]
    checkpoint_path : str or path, optional
        Where the checkpoint goes; no checkpoints when None.
    progress : bool
        Show a tqdm progress bar per epoch.
    log_epochs : bool
        Print one line of losses per epoch.

    Attributes
    ----------
    model : VAE
    epoch : int
        Epochs completed.
    history : dict of lists
        ``train_loss`` (the epoch's mean negative ELBO, β = 1, under the training noise) and
        ``test_loss`` (negative ELBO, nats per image), ``epoch_seconds``
        (wall-clock training time of the epoch, evaluation excluded), ``epoch_cpu_seconds``
        (CPU time of the process over the same span, all threads; less sensitive than wall
        time to other load on the machine), ``eval_seconds`` (the test loss's wall-clock time)
        and ``lr`` (at the epoch's first step).

    Examples
    --------
    Two short epochs on random images (``examples/train_vae.py`` runs it on digits or MNIST):

    >>> import torch
    >>> import vae
    >>> train_x, test_x = torch.rand(256, 64), torch.rand(64, 64)
    >>> trainer = vae.VAETrainer(vae.VAEConfig(input_dim=64, hidden=(32,), latent_dim=2),
    ...                          vae.VAETrainConfig(epochs=2, batch_size=64, seed=0),
    ...                          train_x, test_x, progress=False, log_epochs=False)
    >>> result = trainer.run()
    >>> result.epoch, len(result.history["test_loss"]), result.interrupted
    (2, 2, False)
    """

    unit = "epoch"  # of CheckpointedLoop._train; a Ctrl-C stops it after the current minibatch

    def __init__(self, model_config, train_config, train_x, test_x, checkpoint_path=None,
                 progress=True, log_epochs=True):
        if not isinstance(model_config, VAEConfig):
            raise TypeError(f"model_config must be a VAEConfig, got {type(model_config).__name__}")
        if not isinstance(train_config, VAETrainConfig):
            raise TypeError(
                f"train_config must be a VAETrainConfig, got {type(train_config).__name__}")
        for name, x in (("train_x", train_x), ("test_x", test_x)):
            if x.ndim != 2 or x.shape[1] != model_config.input_dim:
                raise ValueError(
                    f"{name} must have shape (N, {model_config.input_dim}), got {tuple(x.shape)}"
                )
        self.model_config, self.config = model_config, train_config
        self.checkpoint_path = None if checkpoint_path is None else str(checkpoint_path)
        self.progress, self.log_epochs = progress, log_epochs
        seed = train_config.seed
        torch.manual_seed(seed)
        self.model = VAE(model_config)
        if train_config.output_bias_from_data:
            self.model.set_output_bias(train_x.mean(dim=0))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=train_config.lr)
        self.generators = {"data": _seeded(seed + 1), "noise": _seeded(seed + 2)}
        self.train_x = train_x.contiguous()
        self.test_x = test_x
        if train_config.binarize == "dynamic":  # one fixed draw, the same for every seed
            self.test_x = binarize(test_x, _seeded(train_config.test_binarize_seed))
        self.steps_per_epoch = math.ceil(len(train_x) / train_config.batch_size)
        self.epoch = 0
        self.history = {"train_loss": [], "test_loss": [], "epoch_seconds": [],
                        "epoch_cpu_seconds": [], "eval_seconds": [], "lr": []}
        # an epoch in progress: its order, the next batch's start, and what it has summed so far
        self._partial = None

    # ----------------------------------------------------------------- state and checkpoints
    def settings(self):
        """The model's and the training's configuration (checked on resume)."""
        out = {f"model.{k}": v for k, v in self.model_config.to_dict().items()}
        out.update({f"train.{k}": v for k, v in asdict(self.config).items()})
        return out

    def state_dict(self):
        """Everything a resumed run needs (tensors, numbers, strings, lists, dicts)."""
        return {
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "history": self.history,
            "rng": rng_states(self.generators),
            "partial_epoch": self._partial,
        }

    def load_state_dict(self, state):
        """Restore a :meth:`state_dict` (the settings were checked by :meth:`resume`)."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = int(state["epoch"])
        set_rng_states(state["rng"], self.generators)
        self._partial = state["partial_epoch"]

    # ----------------------------------------------------------------- the loop
    def train_epoch(self, stop=None):
        """Train through the current epoch (from where it stopped, if it did).

        Returns
        -------
        float or None
            The epoch's mean −ELBO per image, or None when ``stop.requested`` ended it early
            (the position is kept in the checkpointed state).
        """
        cfg, model, opt = self.config, self.model, self.optimizer
        x, n = self.train_x, len(self.train_x)
        data_rng, noise_rng = self.generators["data"], self.generators["noise"]
        model.train()
        if self._partial is None:
            self._partial = {"perm": torch.randperm(n, generator=data_rng), "start": 0,
                             "total": 0.0, "seconds": 0.0, "cpu_seconds": 0.0}
        part = self._partial
        t0, c0 = time.perf_counter(), time.process_time()
        bar = tqdm(total=n, initial=part["start"], desc=f"epoch {self.epoch + 1}/{cfg.epochs}",
                   unit="img", disable=not self.progress, leave=False, mininterval=0.5)
        while part["start"] < n and not (stop is not None and stop.requested):
            step = self.epoch * self.steps_per_epoch + part["start"] // cfg.batch_size
            for group in opt.param_groups:
                group["lr"] = learning_rate(cfg, step, self.steps_per_epoch)
            xb = x[part["perm"][part["start"] : part["start"] + cfg.batch_size]]  # (B, D)
            if cfg.binarize == "dynamic":
                xb = binarize(xb, data_rng)
            # SPEC 6, 2b: minimize Σ_i ( E_q[−log p(x_i|z)] + β·KL ), summed over the batch;
            # β < 1 only during the KL warm-up
            reconstruction, kl = elbo_terms(model, xb, cfg.mc_samples, noise_rng)
            loss = (reconstruction + kl_weight(cfg, step, self.steps_per_epoch) * kl).sum()
            check_finite(loss.detach(), f"the training loss of epoch {self.epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            part["total"] += (reconstruction + kl).sum().item()
            part["start"] += len(xb)
            bar.update(len(xb))
        bar.close()
        part["seconds"] += time.perf_counter() - t0
        part["cpu_seconds"] += time.process_time() - c0
        return part["total"] / n if part["start"] >= n else None

    def run(self, until_epoch=None, on_epoch_end=None):
        """Train up to ``until_epoch`` (default: ``config.epochs``) epochs in total.

        After every epoch the test loss is computed, the history extended, the checkpoint
        written atomically and ``on_epoch_end(trainer)`` called. A first Ctrl-C finishes the
        current minibatch (or the end of the epoch in progress), writes a checkpoint and returns
        with ``interrupted=True``, also in the last epoch; a second one raises
        ``KeyboardInterrupt`` at once.

        Returns
        -------
        VAETrainResult

        Raises
        ------
        NonFiniteError
            The training loss became non-finite; the checkpoint of the last epoch is left
            untouched.
        """
        self._last_epoch = (self.config.epochs if until_epoch is None
                            else min(until_epoch, self.config.epochs))
        self._on_epoch_end = on_epoch_end
        interrupted = self._train()
        return VAETrainResult(epoch=self.epoch, seconds=sum(self.history["epoch_seconds"]),
                              history=self.history, interrupted=interrupted,
                              checkpoint_path=self.checkpoint_path)

    # ----------------------------------------------------------------- CheckpointedLoop's hooks
    def _units_done(self):
        return self.epoch

    def _done(self):
        return self.epoch >= self._last_epoch

    def _one_unit(self, stop):
        lr = learning_rate(self.config, self.epoch * self.steps_per_epoch, self.steps_per_epoch)
        train_loss = self.train_epoch(stop)
        if train_loss is None:  # stopped in the middle of the epoch
            return
        self._end_epoch(train_loss, lr)
        if self._on_epoch_end is not None:
            self._on_epoch_end(self)

    def _where(self):
        if self._partial is None:
            return f"the end of epoch {self.epoch}"
        return f"epoch {self.epoch + 1} after {self._partial['start']} images"

    def _end_epoch(self, train_loss, lr):
        part, self._partial = self._partial, None
        t0 = time.perf_counter()
        test_loss = evaluate_nelbo(self.model, self.test_x, 1, self.config.eval_batch_size,
                                   seed=self.config.seed + 4)
        self.epoch += 1
        for key, value in (("train_loss", train_loss), ("test_loss", test_loss),
                           ("epoch_seconds", part["seconds"]),
                           ("epoch_cpu_seconds", part["cpu_seconds"]),
                           ("eval_seconds", time.perf_counter() - t0), ("lr", lr)):
            self.history[key].append(float(value))
        if self.log_epochs:
            tqdm.write(f"epoch {self.epoch:3d}  train {train_loss:9.3f}  test {test_loss:9.3f}"
                       f"  nats/image  ({part['seconds']:.1f} s, lr {lr:.2e})", file=sys.stdout)
            sys.stdout.flush()
        self.save()
