"""A short dual-GAN training on one anisotropic Gaussian matches its mean and covariance.

With features containing x and its second-order monomials, the exact discriminator compares
(weighted) first and second moments, and an affine generator G(z) = Az + b can match both.
"""

import pytest
import torch

from generator import (
    AffineGenerator,
    DualConfig,
    DualMethod,
    GANTrainConfig,
    GANTrainer,
    make_features,
    make_target,
    sample_latent,
)
from generator.evaluation.points import sample_covariance, sample_mean


def _train(features, steps, seed=0):
    target = make_target("gaussian")
    torch.manual_seed(seed)
    g = AffineGenerator(2, 2)
    phi = make_features(features, 2, num_features=64, lengthscale=1.0, seed=seed)
    method = DualMethod(g, phi, DualConfig(c=10.0, lr=0.05, lr_final=0.05 / 30,
                                           decay_steps=steps))
    trainer = GANTrainer(method, target, GANTrainConfig(steps=steps, batch_size=256, seed=seed,
                                                        snapshots=0, progress=False))
    trainer.run()
    # the pushforward of N(0, I) by Az + b is exactly N(b, AAᵀ): check the parameters, and
    # the sample moments of fresh draws against the target's (computed by numpy in
    # test_generator_targets)
    lin = g.linear
    mean, cov = lin.bias.detach(), (lin.weight @ lin.weight.T).detach()
    pts = trainer.generate(sample_latent(20_000, 2, torch.Generator().manual_seed(5)))
    return target, mean, cov, pts


def _check(target, mean, cov, pts, tol):
    # tolerance: relative Frobenius error of the covariance, Euclidean error of the mean
    assert (mean - target.mean).norm() < tol
    assert (cov - target.covariance).norm() / target.covariance.norm() < tol
    assert (sample_mean(pts) - target.mean).norm() < tol + 0.03  # + sampling error of 20k draws
    assert ((sample_covariance(pts) - target.covariance).norm()
            / target.covariance.norm()) < tol + 0.03


@pytest.mark.slow
def test_affine_generator_matches_mean_and_covariance_with_quadratic_features():
    _check(*_train("quadratic", 300), tol=0.06)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_affine_generator_matches_mean_and_covariance_with_rff(seed):
    _check(*_train("rff+bias", 400, seed), tol=0.06)
