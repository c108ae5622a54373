"""The exact discrete-latent toy (SPEC 6, 1a, 1e–f), checked against numpy/scipy computations."""

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import entropy

from vae import DiscreteLatentModel


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    prior = rng.dirichlet(np.ones(4))
    lik = rng.dirichlet(np.ones(6), size=4)  # p(x|z), rows sum to 1
    return prior, lik, DiscreteLatentModel(prior, lik)


def test_evidence_and_posterior_against_bayes_rule(toy):
    prior, lik, model = toy
    for x in range(6):
        joint = prior * lik[:, x]
        assert model.log_evidence(x).item() == pytest.approx(np.log(joint.sum()), rel=1e-12)
        np.testing.assert_allclose(model.posterior(x).numpy(), joint / joint.sum(), rtol=1e-12)


def test_elbo_at_posterior_equals_log_evidence(toy):
    prior, lik, model = toy
    for x in range(6):
        joint = prior * lik[:, x]
        q_star = torch.from_numpy(joint / joint.sum())
        assert model.elbo(q_star, x).item() == pytest.approx(logsumexp(np.log(joint)), rel=1e-12)


def test_gap_is_kl_to_posterior_for_random_q(toy):
    prior, lik, model = toy
    rng = np.random.default_rng(1)
    for x in range(6):
        joint = prior * lik[:, x]
        post = joint / joint.sum()
        for _ in range(20):
            q = rng.dirichlet(np.ones(4) * 0.7)
            gap = np.log(joint.sum()) - model.elbo(torch.from_numpy(q), x).item()
            assert gap == pytest.approx(entropy(q, post), rel=1e-9, abs=1e-12)  # scipy's KL
            assert gap > 0
            assert model.kl_to_posterior(torch.from_numpy(q), x).item() == pytest.approx(
                entropy(q, post), rel=1e-9, abs=1e-12)


def test_q_with_zeros_is_handled(toy):
    prior, lik, model = toy
    q = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=torch.float64)
    joint = prior * lik[:, 2]
    assert model.elbo(q, 2).item() == pytest.approx(np.log(joint[0]), rel=1e-12)


@pytest.mark.slow
def test_numerical_maximizer_of_the_elbo_is_the_posterior():
    model = DiscreteLatentModel.random(5, 3, rng=torch.Generator().manual_seed(2))
    for x in range(3):
        joint = (model.prior * model.likelihood[:, x]).numpy()
        q = model.maximize_elbo(x, steps=400, lr=0.2)
        np.testing.assert_allclose(q.numpy(), joint / joint.sum(), atol=1e-5)
        assert model.elbo(q, x).item() == pytest.approx(np.log(joint.sum()), abs=1e-8)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="prior must be non-negative and sum to 1"):
        DiscreteLatentModel([0.5, 0.6], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="prior must have shape"):
        DiscreteLatentModel([0.5, 0.5], [[1.0], [1.0], [1.0]])
    model = DiscreteLatentModel([0.5, 0.5], [[0.2, 0.8], [0.6, 0.4]])
    with pytest.raises(ValueError, match="x must be in 0..1, got 5"):
        model.log_evidence(5)
