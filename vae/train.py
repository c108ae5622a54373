"""The training loop: minibatch Adam on the negative ELBO, per-epoch test loss, checkpoints.

The data stay one in-memory tensor indexed by a permutation per epoch (no DataLoader). Every
source of randomness is a seeded ``torch.Generator`` whose state goes into the checkpoint, so a
resumed run ends with exactly the parameters of an uninterrupted one.
"""

import numbers
import os
import sys
import time
from dataclasses import asdict, dataclass

import torch
from tqdm.auto import tqdm

from .bounds import negative_elbo
from .checkpoint import get_rng_states, load_checkpoint, save_checkpoint, set_rng_states
from .config import VAEConfig
from .data import binarize
from .model import VAE

LR_SCHEDULES = ("constant", "cosine")
CHECKPOINT_NAME = "checkpoint.pt"


@dataclass
class TrainConfig:
    """How to train.

    Attributes
    ----------
    epochs : int
        Passes over the training set.
    batch_size : int
        Images per Adam step; the loss is summed over the batch, as in the PyTorch example.
    lr : float
        Adam learning rate (the initial one under a schedule).
    lr_schedule : str
        'constant', or 'cosine' (annealed per epoch from ``lr`` to ``lr * lr_final_fraction``).
    lr_final_fraction : float
        Final learning rate as a fraction of ``lr`` for the cosine schedule.
    mc_samples : int
        M, samples of z per image in the ELBO estimate (SPEC 6, 2c).
    binarize : bool
        Draw training images x ~ Bernoulli(pixels) afresh each time (dynamic binarization);
        the test set is binarized once with a fixed seed.
    seed : int
        Seeds the initialization, the data order and the noise ε.
    eval_batch_size : int
        Images per batch when computing the test loss.
    """

    epochs: int = 30  # enough for the default MNIST target
    batch_size: int = 64  # 128 in the PyTorch example; 64 reaches the MNIST target in 30 epochs
    lr: float = 1e-3  # Adam
    lr_schedule: str = "cosine"  # anneal to lr * lr_final_fraction over the run
    lr_final_fraction: float = 0.05
    mc_samples: int = 1  # M
    binarize: bool = False  # grayscale pixels in [0, 1], as in the PyTorch example
    seed: int = 0
    eval_batch_size: int = 1000

    def __post_init__(self):
        for name in ("epochs", "batch_size", "mc_samples", "eval_batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        integer = isinstance(self.seed, numbers.Integral) and not isinstance(self.seed, bool)
        if not integer or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not (isinstance(self.lr, numbers.Real) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if not 0 < self.lr_final_fraction <= 1:
            raise ValueError(f"lr_final_fraction must be in (0, 1], got {self.lr_final_fraction!r}")


def _seeded(seed):
    return torch.Generator().manual_seed(int(seed))


@torch.no_grad()
def evaluate_nelbo(model, x, mc_samples=1, batch_size=1000, seed=0):
    """Mean negative ELBO over the rows of x, nats per image, with a fixed noise seed.

    The noise comes from its own generator, so evaluating never disturbs the training RNGs.
    """
    was_training = model.training
    model.eval()
    gen = _seeded(seed)
    total = 0.0
    for start in range(0, len(x), batch_size):
        total += negative_elbo(model, x[start : start + batch_size], mc_samples, gen).sum().item()
    model.train(was_training)
    return total / len(x)


class Trainer:
    """Trains a :class:`vae.VAE` on in-memory data and checkpoints it after every epoch.

    The initialization is drawn after ``torch.manual_seed(train_config.seed)``; the data order
    (and binarization) and the noise ε come from two generators seeded from the same seed.

    Parameters
    ----------
    model_config : VAEConfig
    train_config : TrainConfig
    train_x, test_x : torch.Tensor, shapes (N, D) and (N_test, D), values in [0, 1]
    out_dir : str, optional
        Where ``checkpoint.pt`` goes; no checkpoints when None.
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
        ``train_loss`` and ``test_loss`` (negative ELBO, nats per image), ``epoch_seconds``
        (wall-clock training time of the epoch, evaluation excluded), ``epoch_cpu_seconds``
        (CPU time of the process over the same span, all threads; less sensitive than wall
        time to other load on the machine) and ``lr``.
    """

    def __init__(self, model_config, train_config, train_x, test_x, out_dir=None, progress=True,
                 log_epochs=True):
        if not isinstance(model_config, VAEConfig):
            raise TypeError(f"model_config must be a VAEConfig, got {type(model_config).__name__}")
        if not isinstance(train_config, TrainConfig):
            raise TypeError(
                f"train_config must be a TrainConfig, got {type(train_config).__name__}")
        for name, x in (("train_x", train_x), ("test_x", test_x)):
            if x.ndim != 2 or x.shape[1] != model_config.input_dim:
                raise ValueError(
                    f"{name} must have shape (N, {model_config.input_dim}), got {tuple(x.shape)}"
                )
        self.model_config, self.config = model_config, train_config
        self.out_dir, self.progress, self.log_epochs = out_dir, progress, log_epochs
        seed = train_config.seed
        torch.manual_seed(seed)
        self.model = VAE(model_config)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=train_config.lr)
        self.scheduler = None
        if train_config.lr_schedule == "cosine":
            self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
                self.optimizer, T_max=train_config.epochs,
                eta_min=train_config.lr * train_config.lr_final_fraction,
            )
        self.generators = {"data": _seeded(seed + 1), "noise": _seeded(seed + 2)}
        self.train_x = train_x.contiguous()
        self.test_x = binarize(test_x, _seeded(seed + 3)) if train_config.binarize else test_x
        self.epoch = 0
        self.history = {"train_loss": [], "test_loss": [], "epoch_seconds": [],
                        "epoch_cpu_seconds": [], "lr": []}

    @property
    def checkpoint_path(self):
        return None if self.out_dir is None else os.path.join(self.out_dir, CHECKPOINT_NAME)

    def train_epoch(self):
        """One pass over the training set in a fresh random order; returns the mean −ELBO."""
        cfg, model, opt = self.config, self.model, self.optimizer
        x, n = self.train_x, len(self.train_x)
        data_gen, noise_gen = self.generators["data"], self.generators["noise"]
        model.train()
        perm = torch.randperm(n, generator=data_gen)
        total = 0.0
        bar = tqdm(total=n, desc=f"epoch {self.epoch + 1}/{cfg.epochs}", unit="img",
                   disable=not self.progress, leave=False, mininterval=0.5)
        for start in range(0, n, cfg.batch_size):
            xb = x[perm[start : start + cfg.batch_size]]  # (B, D)
            if cfg.binarize:
                xb = binarize(xb, data_gen)
            # SPEC 6, 2b: minimize Σ_i ( E_q[−log p(x_i|z)] + KL ), summed over the batch
            loss = negative_elbo(model, xb, cfg.mc_samples, noise_gen).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            bar.update(len(xb))
        bar.close()
        return total / n

    def fit(self, until_epoch=None, on_epoch_end=None):
        """Train up to ``until_epoch`` (default: ``config.epochs``) epochs in total.

        After every epoch the test loss is computed, the history extended, the checkpoint
        written atomically and ``on_epoch_end(trainer)`` called.

        Returns
        -------
        dict
            ``history``.
        """
        last = self.config.epochs if until_epoch is None else min(until_epoch, self.config.epochs)
        while self.epoch < last:
            lr = self.optimizer.param_groups[0]["lr"]
            t0, c0 = time.perf_counter(), time.process_time()
            train_loss = self.train_epoch()
            seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
            if self.scheduler is not None:
                self.scheduler.step()
            test_loss = evaluate_nelbo(self.model, self.test_x, 1, self.config.eval_batch_size,
                                       seed=self.config.seed + 4)
            self.epoch += 1
            for key, value in (("train_loss", train_loss), ("test_loss", test_loss),
                               ("epoch_seconds", seconds), ("epoch_cpu_seconds", cpu_seconds),
                               ("lr", lr)):
                self.history[key].append(float(value))
            if self.log_epochs:
                tqdm.write(f"epoch {self.epoch:3d}  train {train_loss:9.3f}  test {test_loss:9.3f}"
                           f"  nats/image  ({seconds:.1f} s, lr {lr:.2e})", file=sys.stdout)
                sys.stdout.flush()
            if self.checkpoint_path is not None:
                save_checkpoint(self.state_dict(), self.checkpoint_path)
            if on_epoch_end is not None:
                on_epoch_end(self)
        return self.history

    def state_dict(self):
        """Everything a resumed run needs (tensors, numbers, strings, lists, dicts)."""
        return {
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "history": self.history,
            "model_config": self.model_config.to_dict(),
            "train_config": asdict(self.config),
            "rng": get_rng_states(self.generators),
        }

    def load_state_dict(self, state):
        """Restore a :meth:`state_dict`; the configurations must match this trainer's.

        Raises
        ------
        ValueError
            The checkpoint was written with a different model or training configuration
            (the message lists the differing fields).
        """
        diffs = [f"{k}: checkpoint {v!r} vs now {self.model_config.to_dict()[k]!r}"
                 for k, v in state["model_config"].items() if self.model_config.to_dict()[k] != v]
        now = asdict(self.config)
        diffs += [f"{k}: checkpoint {v!r} vs now {now[k]!r}"
                  for k, v in state["train_config"].items() if now.get(k) != v]
        if diffs:
            raise ValueError(
                "cannot resume: the checkpoint's configuration differs: " + "; ".join(diffs))
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = int(state["epoch"])
        set_rng_states(state["rng"], self.generators)

    def resume(self):
        """Load ``out_dir/checkpoint.pt`` (see :meth:`load_state_dict`)."""
        if self.checkpoint_path is None:
            raise ValueError("resume needs an out_dir holding a checkpoint, got out_dir=None")
        self.load_state_dict(load_checkpoint(self.checkpoint_path))
