"""The independent oracle of the tangent-kernel tests: the score network's Jacobian J (n, P)
formed explicitly, one per-sample gradient per row, by torch.func.vmap(grad)."""

import torch
from torch.func import functional_call, grad, vmap


def explicit_jacobian(net, x):
    """J (n, P): per-sample gradients by torch.func.vmap(grad), parameters in named order."""
    params = {name: p.detach() for name, p in net.named_parameters()}

    def score(p, xi):
        return functional_call(net, p, (xi[None],))[0]

    per_sample = vmap(grad(score), in_dims=(None, 0))(params, x)
    return torch.cat([per_sample[name].reshape(x.shape[0], -1) for name in params], dim=1)


def flat(step, net):
    """A step given by parameter name, as one vector in the order of J's columns."""
    return torch.cat([step[name].reshape(-1) for name, _ in net.named_parameters()])
