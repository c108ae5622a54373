"""The digit classifier that judges generated images, trained by the project on first use.

No weights are downloaded: a small CNN is trained with a fixed seed on the target's training
split the first time it is asked for, then cached on disk keyed by the data's checksum and the
training recipe, so that every later run (and every method) is judged by the same network. Its
penultimate features (128 numbers after a ReLU) are what the Fréchet classifier distance compares
(:mod:`generator.evaluation.images`).

Networks: for MNIST a small CNN, conv 3×3 (32) → ReLU → max-pool 2 → conv 3×3 (64) → ReLU →
max-pool 2 → linear (128) → ReLU → linear (10), 5 epochs of minibatches of 64 with the
learning rate multiplied by 0.6 after each (99.1% test accuracy here); for the 8×8 digits a
perceptron 64 → 256 → 128 → 10 with ReLUs, 50 epochs of minibatches of 128 at a constant rate
(98.6%; a CNN is no better on 1,438 images and much slower on the CPU). Adam from 1e-3,
cross-entropy.

The cache folder is :func:`dualgan.cache.cache_dir` (``$DUALGAN_CACHE`` when set, else
``~/.cache/dualgan``), unless a caller passes one (the scripts' ``--cache-dir``); the training
announces the file on stderr.
"""

import hashlib
import json
import os

import torch
from torch import nn

from dualgan.cache import announce_write, cache_dir
from dualgan.checkpoint import ensure_writable_directory, load_checkpoint, save_checkpoint
from dualgan.nn import mlp
from dualgan.training import torch_threads
from dualgan.validation import check_choice

#: Network, epochs, minibatch and the learning rate's factor per epoch, per data set.
RECIPES = {"mnist": {"body": "cnn", "epochs": 5, "batch_size": 64, "lr_decay": 0.6},
           "digits": {"body": "mlp", "epochs": 50, "batch_size": 128, "lr_decay": 1.0}}
#: The rest of the recipe, shared.
RECIPE = {"lr": 1e-3, "seed": 0, "features": 128, "version": 1}
EVAL_BATCH = 2000  # images per forward pass when scoring


def default_cache_dir():
    """``$DUALGAN_CACHE``, or ``~/.cache/dualgan`` when it is unset (:mod:`dualgan.cache`)."""
    return cache_dir()


class DigitClassifier(nn.Module):
    """Images (n, H·W) in [0, 1] → class logits (n, num_classes), float32.

    Parameters
    ----------
    image_shape : (int, int)
        H and W (multiples of 4 for the CNN).
    body : {"cnn", "mlp"}
        The network before the last layer (see the module docstring).
    num_classes : int
    features : int
        Width of the penultimate layer (the Fréchet distance's feature space).
    """

    def __init__(self, image_shape, body="cnn", num_classes=10, features=128):
        super().__init__()
        h, w = image_shape
        self.image_shape = (h, w)
        check_choice(body, "body", ("cnn", "mlp"))
        if body == "cnn":
            if h % 4 or w % 4:
                raise ValueError(f"the CNN needs image sides divisible by 4, got {image_shape}")
            self.body = nn.Sequential(
                nn.Unflatten(1, (1, h, w)),
                nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                nn.Linear(64 * (h // 4) * (w // 4), features), nn.ReLU(),
            )
        else:
            self.body = mlp((h * w, 256, features), nn.ReLU, out_activation=nn.ReLU)
        self.head = nn.Linear(features, num_classes)

    def features(self, x):
        """Penultimate features, (n, H·W) → (n, features)."""
        return self.body(x.to(torch.float32))

    def forward(self, x):
        """Logits, (n, H·W) → (n, num_classes)."""
        return self.head(self.features(x))

    @torch.no_grad()
    def predict(self, x):
        """Class probabilities and penultimate features of ``x`` (n, H·W), in batches.

        Returns
        -------
        probs : Tensor, shape (n, num_classes), float64
        feats : Tensor, shape (n, features), float64
        """
        was_training = self.training
        self.eval()
        probs, feats = [], []
        for start in range(0, x.shape[0], EVAL_BATCH):
            f = self.features(x[start : start + EVAL_BATCH])
            probs.append(torch.softmax(self.head(f), dim=1).double())
            feats.append(f.double())
        self.train(was_training)
        return torch.cat(probs), torch.cat(feats)


def _build(target):
    return DigitClassifier(target.image_shape, RECIPES[target.name]["body"], target.num_classes,
                           RECIPE["features"])


def train_classifier(target):
    """Train the target's :class:`DigitClassifier` on ``target.train`` (fixed, seeded recipe).

    The global random state is left as it was (the training runs in a forked RNG).

    Returns
    -------
    DigitClassifier
    """
    x, y = target.train.x.to(torch.float32), target.train.y
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RECIPE["seed"])
        model = _build(target)
        optimizer = torch.optim.Adam(model.parameters(), lr=RECIPE["lr"])
        order_rng = torch.Generator().manual_seed(RECIPE["seed"])
        recipe = RECIPES[target.name]
        for epoch in range(recipe["epochs"]):
            for group in optimizer.param_groups:
                group["lr"] = RECIPE["lr"] * recipe["lr_decay"] ** epoch
            order = torch.randperm(x.shape[0], generator=order_rng)
            for start in range(0, x.shape[0], recipe["batch_size"]):
                batch = order[start : start + recipe["batch_size"]]
                loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
    return model.eval()


def cache_path(target, cache_dir=None):
    """Where the classifier of ``target`` is cached: the name, data checksum and recipe hash."""
    recipe = {**RECIPE, **RECIPES[target.name]}
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:8]
    directory = default_cache_dir() if cache_dir is None else os.fspath(cache_dir)
    return os.path.join(directory, f"classifier-{target.name}-{target.checksum}-{digest}.pt")


def load_or_train(target, cache_dir=None, num_threads=1):
    """The target's classifier: read from the cache, or trained now and written there.

    Parameters
    ----------
    target : generator.data.targets.ImageTarget
    cache_dir : str, optional
        Default: :func:`default_cache_dir`.
    num_threads : int or None
        torch threads while training (None: unchanged).

    Returns
    -------
    classifier : DigitClassifier
        In eval mode.
    test_accuracy : float
        On ``target.test``, measured when it was trained.

    Raises
    ------
    dualgan.checkpoint.OutputDirectoryError
        The cache folder cannot be written.
    """
    path = cache_path(target, cache_dir)
    if os.path.isfile(path):
        model = _build(target)
        state = load_checkpoint(path)
        model.load_state_dict(state["model"])
        return model.eval(), float(state["test_accuracy"])
    ensure_writable_directory(os.path.dirname(path))
    announce_write(path, f"the {target.name} classifier that judges generated images, trained "
                         f"now (once)")
    with torch_threads(num_threads):
        model = train_classifier(target)
        probs, _ = model.predict(target.test.x)
    accuracy = float((probs.argmax(dim=1) == target.test.y).double().mean())
    save_checkpoint({"model": model.state_dict(), "test_accuracy": accuracy,
                     "checksum": target.checksum}, path)
    return model, accuracy
