"""A model with a discrete latent where the ELBO, its gap and log p(x) are exact (SPEC 6, 1a, 1e–f).

z takes S values with prior p(z); x takes V values with likelihood table p(x|z). Every sum
over z is finite, so log p(x), the posterior p(z|x), the ELBO of any q and KL(q ‖ p(z|x)) are
computed exactly, in float64.
"""

import torch


def _as_probabilities(name, p, dim=-1):
    p = torch.as_tensor(p, dtype=torch.float64)
    if torch.any(p < 0) or not torch.allclose(p.sum(dim=dim), torch.ones((), dtype=torch.float64)):
        raise ValueError(f"{name} must be non-negative and sum to 1 along its last axis, got {p}")
    return p


class DiscreteLatentModel:
    """p(x, z) = p(z) p(x|z) with z ∈ {0..S−1}, x ∈ {0..V−1}.

    Parameters
    ----------
    prior : array-like, shape (S,)
        p(z), positive, summing to 1.
    likelihood : array-like, shape (S, V)
        Row z is p(x|z); rows sum to 1.

    Raises
    ------
    ValueError
        Shapes that do not match, or entries that are not probabilities.
    """

    def __init__(self, prior, likelihood):
        self.prior = _as_probabilities("prior", prior)
        self.likelihood = _as_probabilities("likelihood", likelihood)
        prior, lik = self.prior, self.likelihood
        if prior.ndim != 1 or lik.ndim != 2 or len(prior) != len(lik):
            raise ValueError(
                f"prior must have shape (S,) and likelihood (S, V); got {tuple(self.prior.shape)} "
                f"and {tuple(self.likelihood.shape)}"
            )
        if torch.any(self.prior <= 0):
            raise ValueError(f"prior must be positive, got {self.prior}")

    @classmethod
    def random(cls, n_states, n_values, rng=None):
        """A model whose prior and likelihood rows are Dirichlet(1) draws, seeded by ``rng``.
        """
        def dirichlet(*shape):
            e = -torch.log(torch.rand(shape, generator=rng, dtype=torch.float64))
            return e / e.sum(dim=-1, keepdim=True)
        return cls(dirichlet(n_states), dirichlet(n_states, n_values))

    def _check_x(self, x):
        if not 0 <= int(x) < self.likelihood.shape[1]:
            raise ValueError(f"x must be in 0..{self.likelihood.shape[1] - 1}, got {x!r}")
        return int(x)

    def log_joint(self, x):
        """log p(x, z) for every z, shape (S,)."""
        return torch.log(self.prior) + torch.log(self.likelihood[:, self._check_x(x)])

    def log_evidence(self, x):
        """log p(x) = log Σ_z p(x|z) p(z), nats."""
        return torch.logsumexp(self.log_joint(x), dim=0)

    def posterior(self, x):
        """SPEC 6, 1e–f: q*(z|x) = p(x|z)p(z) / Σ_z' p(x|z')p(z') = p(z|x), shape (S,)."""
        return torch.softmax(self.log_joint(x), dim=0)

    def elbo(self, q, x):
        """ELBO(q) = Σ_z q(z) (log p(x, z) − log q(z)) (SPEC 6, 1a), with 0·log 0 = 0."""
        q = _as_probabilities("q", q)
        terms = torch.where(q > 0, q * (self.log_joint(x) - torch.log(q)), torch.zeros_like(q))
        return terms.sum()

    def kl_to_posterior(self, q, x):
        """KL(q ‖ p(z|x)) = Σ_z q log(q / p(z|x)), nats; the ELBO's gap (SPEC 6, 1a)."""
        q = _as_probabilities("q", q)
        log_post = torch.log(self.posterior(x))
        terms = torch.where(q > 0, q * (torch.log(q) - log_post), torch.zeros_like(q))
        return terms.sum()

    def maximize_elbo(self, x, steps=2000, lr=0.1):
        """Maximize the ELBO over all q by gradient ascent on softmax logits (no use of the
        closed form), returning the maximizing q, shape (S,). SPEC 6, 1e–f says it is p(z|x)."""
        logits = torch.zeros(len(self.prior), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([logits], lr=lr)
        log_joint = self.log_joint(x)
        for _ in range(steps):
            log_q = torch.log_softmax(logits, dim=0)
            loss = -(log_q.exp() * (log_joint - log_q)).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return torch.softmax(logits.detach(), dim=0)
