"""The VAE's data sets by name, and dynamic binarization (χ² tests against Bernoulli counts)."""

import numpy as np
import pytest
import torch
from scipy import stats

from vae import VAEConfig, VAETrainConfig, VAETrainer, binarize, load_dataset


def test_load_dataset_rejects_unknown_name():
    expected = r"dataset must be one of \['mnist', 'digits'\], got 'cifar'"
    with pytest.raises(ValueError, match=expected):
        load_dataset("cifar")


def _chi_square_p_value(ones, n, p):
    """p-value of Σ_d (k_d − n p_d)² / (n p_d (1 − p_d)) against χ² with D degrees of freedom:
    the pixels' counts of ones k_d are independent Binomial(n, p_d) under the hypothesis."""
    stat = ((ones - n * p) ** 2 / (n * p * (1 - p))).sum()
    return stats.chi2.sf(float(stat), df=len(p))


def test_binarize_is_bernoulli_of_the_pixels():
    rng = np.random.default_rng(0)
    p = torch.from_numpy(rng.uniform(0.02, 0.98, size=50))
    n = 4000
    b = binarize(p.repeat(n, 1), torch.Generator().manual_seed(0))
    assert set(b.unique().tolist()) == {0.0, 1.0}
    assert _chi_square_p_value(b.sum(0).numpy(), n, p.numpy()) > 1e-3
    assert torch.equal(b, binarize(p.repeat(n, 1), torch.Generator().manual_seed(0)))
    edges = binarize(torch.tensor([[0.0, 1.0]]).repeat(100, 1), torch.Generator())
    assert torch.equal(edges, torch.tensor([[0.0, 1.0]]).repeat(100, 1))


def test_dynamic_binarization_draws_each_epoch_afresh_with_the_pixel_means():
    # every training image is the same grayscale image p: the batches the encoder sees during
    # training are then i.i.d. Bernoulli(p) rows if the trainer draws them afresh every epoch
    rng = np.random.default_rng(1)
    p = torch.from_numpy(rng.uniform(0.05, 0.95, size=16)).float()
    n, epochs = 300, 3

    def batches(seed):
        trainer = VAETrainer(VAEConfig(input_dim=16, hidden=(8,), latent_dim=2),
                             VAETrainConfig(epochs=epochs, batch_size=n, binarize="dynamic",
                                            seed=seed), p.repeat(n, 1), p.repeat(10, 1),
                             progress=False, log_epochs=False)
        seen = []
        trainer.model.encoder.register_forward_pre_hook(
            lambda module, inputs: seen.append(inputs[0].clone()) if module.training else None)
        trainer.run()
        return seen

    seen = batches(seed=3)
    assert len(seen) == epochs
    assert not torch.equal(seen[0], seen[1]) and not torch.equal(seen[1], seen[2])
    draws = torch.cat(seen).double()
    assert _chi_square_p_value(draws.sum(0).numpy(), len(draws), p.double().numpy()) > 1e-3
    assert all(torch.equal(a, b) for a, b in zip(seen, batches(seed=3)))  # seeded


def test_the_test_set_is_binarized_once_with_its_own_seed():
    x = torch.rand(40, 6, generator=torch.Generator().manual_seed(2))

    def test_x(seed, test_seed):
        config = VAETrainConfig(binarize="dynamic", seed=seed, test_binarize_seed=test_seed)
        return VAETrainer(VAEConfig(input_dim=6, hidden=(4,), latent_dim=2), config, x, x,
                          progress=False).test_x

    fixed = binarize(x, torch.Generator().manual_seed(5))
    assert torch.equal(test_x(0, 5), fixed) and torch.equal(test_x(1, 5), fixed)
    assert not torch.equal(test_x(0, 6), fixed)


@pytest.mark.slow
def test_importing_vae_needs_neither_scikit_learn_nor_a_solver():
    import subprocess
    import sys

    code = ("import sys, vae; "
            "print(sorted(m for m in ('sklearn', 'cvxpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
