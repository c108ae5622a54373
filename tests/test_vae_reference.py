"""The comparison with the PyTorch VAE example scores both models with the same function."""

import json

import numpy as np
import pytest
import torch

from dualgan.images import Split
from vae import VAE, negative_elbo, reference


@pytest.fixture(scope="module")
def script():
    """The reference and the comparison of examples/compare_vae_reference.py."""
    return reference


def test_the_reference_model_seen_as_a_package_model_has_the_examples_loss(script):
    # the example's loss (sigmoid, then binary cross-entropy summed, plus the KL) and the
    # package's negative ELBO (cross-entropy from logits, SPEC 6 2e) on the same noise
    torch.manual_seed(0)
    ref = script.ReferenceVAE()
    x = torch.rand(8, 784, generator=torch.Generator().manual_seed(1))
    ours = negative_elbo(script.AsPackageModel(ref), x, 1, torch.Generator().manual_seed(2))
    mu, logvar = ref.encode(x)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(2))
    recon = torch.sigmoid(ref.logits(mu + eps * torch.exp(0.5 * logvar)))
    theirs = script.reference_loss(recon, x, mu, logvar)
    # float32 sums of 784 terms of size ~1: relative rounding ~1e-6
    assert ours.sum().item() == pytest.approx(theirs.item(), rel=1e-5)


def test_the_package_model_of_the_recipe_starts_from_the_examples_weights(script):
    # same layers in the same order of creation: the same seed gives the same initialization
    torch.manual_seed(3)
    ref = script.ReferenceVAE()
    torch.manual_seed(3)
    ours = VAE(hidden=(400,), latent_dim=20)
    pairs = list(zip(ref.parameters(), ours.parameters()))
    assert len(pairs) == 10
    for theirs, mine in pairs:
        assert torch.equal(theirs, mine)


def test_comparison_runs_both_per_seed_resumes_and_summarizes_the_files(script, tmp_path,
                                                                         capsys):
    gen = torch.Generator().manual_seed(4)

    def fake_mnist(name, data_dir):
        return tuple(Split(torch.rand(n, 784, generator=gen), torch.zeros(n, dtype=torch.long),
                           (28, 28)) for n in (256, 64))

    train, test = fake_mnist("mnist", "unused")
    compare = lambda: script.compare(train, test, [0, 1], str(tmp_path), epochs=1)  # noqa: E731
    compare()
    runs = {(impl, s): json.loads((tmp_path / impl / f"seed_{s}.json").read_text())
            for impl in script.IMPLS for s in (0, 1)}
    mtimes = {k: (tmp_path / k[0] / f"seed_{k[1]}.json").stat().st_mtime_ns for k in runs}
    compare()  # every run present: read back, not rerun
    assert mtimes == {k: (tmp_path / k[0] / f"seed_{k[1]}.json").stat().st_mtime_ns
                      for k in runs}
    summary = json.loads((tmp_path / "comparison.json").read_text())
    for impl in script.IMPLS:
        finals = np.array([runs[impl, s]["final_test_nelbo"] for s in (0, 1)])
        assert summary[impl]["final_test_nelbo"]["mean"] == pytest.approx(finals.mean())
        assert summary[impl]["final_test_nelbo"]["std"] == pytest.approx(finals.std(ddof=1))
        assert summary[impl]["final_test_nelbo"]["worst"] == finals.max()
