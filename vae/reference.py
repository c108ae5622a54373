"""The PyTorch VAE example as a reference: its model and training loop, and the comparison of
:class:`vae.VAETrainer` with it, seed by seed (``examples/compare_vae_reference.py``).

"reference" is a faithful copy of the example (pytorch/examples, vae/main.py: 784-400-20 with
ReLU, sigmoid output, binary cross-entropy summed plus KL, Adam 1e-3, batch 128, a shuffled
DataLoader, 10 epochs, ``torch.manual_seed(seed)``); "package" is :class:`vae.VAETrainer` with the
same recipe. Both are scored by the package's test negative ELBO with a fixed noise seed
(:func:`vae.evaluate_nelbo`, seed + 4); the reference's own printed test loss (noise from the
global RNG) is kept beside it. :func:`compare` runs the two interleaved per seed, in one
process, saving each run as OUT/<impl>/seed_<S>.json (skipped when present) and OUT/comparison.json.
"""

import json
import os
import time

import torch
import torch.utils.data
from torch import nn
from torch.nn import functional as F

from dualgan.checkpoint import ensure_writable_directory
from dualgan.files import write_json
from dualgan.stats import format_seeds, summarize_seeds
from dualgan.training import torch_threads

from .config import VAEConfig
from .likelihoods import bernoulli_log_likelihood
from .train import VAETrainConfig, VAETrainer, evaluate_nelbo

EPOCHS = 10
IMPLS = ("reference", "package")


class ReferenceVAE(nn.Module):
    """The example's model, in its structure and order of initialization."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, n_samples=None, rng=None):
        std = torch.exp(0.5 * logvar)
        if rng is None and n_samples is None:  # the example's own path
            return mu + torch.randn_like(std) * std
        shape = mu.shape if n_samples is None else (n_samples,) + tuple(mu.shape)
        return mu + torch.randn(shape, generator=rng, dtype=mu.dtype) * std

    def logits(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return torch.sigmoid(self.logits(z)), mu, logvar


class AsPackageModel(nn.Module):
    """The reference model through the interface :func:`vae.evaluate_nelbo` uses."""

    def __init__(self, ref):
        super().__init__()
        self.ref = ref

    def encode(self, x):
        return self.ref.encode(x)

    def reparameterize(self, mu, logvar, n_samples=None, rng=None):
        return self.ref.reparameterize(mu, logvar, n_samples, rng)

    def decode(self, z):
        return self.ref.logits(z)

    def log_likelihood(self, logits, x):
        return bernoulli_log_likelihood(logits, x)


def reference_loss(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def run_reference(seed, train, test, epochs=EPOCHS):
    """The example's training loop, verbatim in its use of the global RNG."""
    torch.manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(train.x.view(-1, 1, 28, 28), train.y),
        batch_size=128, shuffle=True)
    test_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(test.x.view(-1, 1, 28, 28), test.y),
        batch_size=128, shuffle=False)
    model = ReferenceVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    h = {"test_loss": [], "test_loss_own": [], "epoch_seconds": [], "epoch_cpu_seconds": []}
    for _ in range(epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        model.train()
        for data, _ in loader:
            optimizer.zero_grad()
            recon, mu, logvar = model(data)
            reference_loss(recon, data, mu, logvar).backward()
            optimizer.step()
        h["epoch_seconds"].append(time.perf_counter() - t0)
        h["epoch_cpu_seconds"].append(time.process_time() - c0)
        model.eval()
        with torch.no_grad():
            own = 0.0
            for data, _ in test_loader:
                recon, mu, logvar = model(data)
                own += reference_loss(recon, data, mu, logvar).item()
            model.logits(torch.randn(64, 20))  # the example's 64 samples per epoch (RNG use)
        h["test_loss_own"].append(own / len(test.x))
        h["test_loss"].append(evaluate_nelbo(AsPackageModel(model), test.x, seed=seed + 4))
        print(f"reference seed {seed} epoch {len(h['test_loss']):2d}: test {h['test_loss'][-1]:.3f}"
              f" (own {h['test_loss_own'][-1]:.3f}) nats/image", flush=True)
    return h


def run_package(seed, train, test, epochs=EPOCHS):
    """:class:`vae.VAETrainer` with the example's recipe."""
    trainer = VAETrainer(VAEConfig(hidden=(400,), latent_dim=20),
                         VAETrainConfig(epochs=epochs, batch_size=128, lr=1e-3,
                                        lr_schedule="constant", lr_warmup_epochs=0.0,
                                        kl_warmup_epochs=0.0, output_bias_from_data=False,
                                        seed=seed),
                         train.x, test.x, progress=False)
    history = trainer.run().history
    return {k: history[k] for k in ("test_loss", "epoch_seconds", "epoch_cpu_seconds")}


def compare(train, test, seeds, out, threads=1, epochs=EPOCHS):
    """Both implementations on ``train``/``test`` (``dualgan.images.Split``), per seed, into
    ``out`` (each run skipped when its JSON exists); returns the summary written to
    OUT/comparison.json (mean, standard deviation and worst seed of each implementation).

    Raises
    ------
    dualgan.checkpoint.OutputDirectoryError
        ``out`` cannot be written (before anything is trained).
    """
    for impl in IMPLS:
        ensure_writable_directory(os.path.join(out, impl))
    runners = {"reference": run_reference, "package": run_package}
    finals = {impl: {} for impl in IMPLS}
    with torch_threads(threads):
        for seed in seeds:
            for impl in IMPLS:
                path = os.path.join(out, impl, f"seed_{seed}.json")
                if not os.path.isfile(path):
                    h = runners[impl](seed, train, test, epochs)
                    write_json(path, {"impl": impl, "seed": seed, "epochs": epochs, **h,
                                      "final_test_nelbo": h["test_loss"][-1],
                                      "train_seconds_total": sum(h["epoch_seconds"]),
                                      "train_cpu_seconds_total": sum(h["epoch_cpu_seconds"])})
                with open(path) as handle:
                    run = json.load(handle)
                finals[impl][seed] = run
                print(f"{impl:9s} seed {seed}: test negative ELBO {run['final_test_nelbo']:.3f} "
                      f"nats/image, {run['train_cpu_seconds_total'] / epochs:.1f} s CPU/epoch",
                      flush=True)
    summary = {impl: {key: summarize_seeds({s: r[key] for s, r in runs.items()})
                      for key in ("final_test_nelbo", "train_seconds_total",
                                  "train_cpu_seconds_total")}
               for impl, runs in finals.items()}
    summary["seeds"] = list(seeds)
    write_json(os.path.join(out, "comparison.json"), summary)
    for impl in IMPLS:
        s = summary[impl]["final_test_nelbo"]
        cpu = summary[impl]["train_cpu_seconds_total"]["mean"] / epochs
        print(f"{impl:9s}: {format_seeds(s)} nats (worst seed {s['worst_seed']}), {cpu:.1f} s "
              f"CPU per epoch, over seeds {list(seeds)}")
    return summary
