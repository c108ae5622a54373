"""The VAE's data sets by name, and dynamic binarization."""

import pytest
import torch

from vae import binarize, load_dataset

def test_load_dataset_rejects_unknown_name():
    expected = r"dataset must be one of \['mnist', 'digits'\], got 'cifar'"
    with pytest.raises(ValueError, match=expected):
        load_dataset("cifar")


def test_binarize_is_bernoulli_of_the_pixels():
    x = torch.tensor([0.0, 0.2, 0.7, 1.0]).repeat(20000, 1)
    b = binarize(x, torch.Generator().manual_seed(0))
    assert set(b.unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(b.mean(0), torch.tensor([0.0, 0.2, 0.7, 1.0]), atol=0.015, rtol=0)
    b2 = binarize(x, torch.Generator().manual_seed(0))
    assert torch.equal(b, b2)


@pytest.mark.slow
def test_importing_vae_needs_neither_scikit_learn_nor_a_solver():
    import subprocess
    import sys

    code = ("import sys, vae; "
            "print(sorted(m for m in ('sklearn', 'cvxpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
