"""The empirical neural tangent kernel of a score network, without forming its Jacobian (SPEC 7).

For a network whose parameters all sit in ``nn.Linear`` layers (an MLP, no batch normalization:
every output depends on its own input only), the per-sample gradient of the score s(x_k) with
respect to a layer ``h_out = W h_in + b`` is ``e_k h_kᵀ`` for W and ``e_k`` for b, where h_k is
the layer's input for sample k and ``e_k = ∂s(x_k)/∂h_out`` comes from one backward pass of
``Σ_k s(x_k)`` (the samples are independent, so the sum's gradient at sample k is sample k's).
Hence, per layer (SPEC 7)::

    K_layer = (H Hᵀ) ∘ (E Eᵀ) + E Eᵀ,        (Jᵀv)_layer = (Eᵀ diag(v) H,  Eᵀ v)

with H (n, fan_in) and E (n, fan_out) stacked over the samples: O(n²·width) per layer for K
instead of O(n²·P) through the (n, P) Jacobian J, and Jᵀv in one product per layer.
:func:`linearized_score` evaluates a(x) + J(x)δ at new inputs by forward-mode differentiation.
"""

from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call, jvp


@dataclass
class TangentFactors:
    """Per-sample gradients of a network's scores on n inputs, kept as per-layer factors.

    Attributes
    ----------
    scores : Tensor, shape (n,)
        s(x_k), detached.
    layers : list of (str, Tensor, Tensor)
        For every ``nn.Linear`` layer in the order of ``named_modules``: its name, H (n, fan_in)
        the layer's inputs, and E (n, fan_out) the gradients of s with respect to its outputs.
    """

    scores: torch.Tensor
    layers: list

    def gram(self, dtype=torch.float64):
        """K = J Jᵀ, shape (n, n): Σ over layers of (H Hᵀ) ∘ (E Eᵀ) + E Eᵀ (SPEC 7), in ``dtype``.

        The products are formed in ``dtype`` (float64 by default, whatever the network's), so
        that K is symmetric and positive semidefinite to float64 rounding.
        """
        n = self.scores.shape[0]
        K = torch.zeros(n, n, dtype=dtype, device=self.scores.device)  # where the network runs
        for _, H, E in self.layers:
            H, E = H.to(dtype), E.to(dtype)
            EEt = E @ E.T
            K += (H @ H.T) * EEt + EEt  # SPEC 7: weight block, then the bias block
        return K

    def transpose_times(self, v):
        """Jᵀv = Σ_k v_k ∇_ψ s(x_k), as ``{parameter name: tensor}`` (SPEC 7, δ* = Jᵀβ/c).

        Parameters
        ----------
        v : Tensor, shape (n,)
            Any dtype; the result has each layer's dtype.
        """
        out = {}
        for name, H, E in self.layers:
            weighted = E * v.to(E.dtype)[:, None]  # rows v_k e_k, (n, fan_out)
            prefix = f"{name}." if name else ""
            out[prefix + "weight"] = weighted.T @ H  # Σ_k v_k e_k h_kᵀ, (fan_out, fan_in)
            out[prefix + "bias"] = weighted.sum(dim=0)  # Σ_k v_k e_k, (fan_out,)
        return out


def linear_layers(net):
    """The ``nn.Linear`` layers of ``net`` by name, after checking they hold all its parameters.

    Raises
    ------
    ValueError
        A parameter outside an ``nn.Linear`` layer, or a linear layer without a bias (the
        message names them): the per-layer Gram formula covers exactly W and b of linear layers.
    """
    layers = [(name, m) for name, m in net.named_modules() if isinstance(m, nn.Linear)]
    covered = set()
    for name, module in layers:
        if module.bias is None:
            raise ValueError(f"linear layer {name!r} has no bias; the score network's linear "
                             f"layers must have one (SPEC 7's per-layer formula includes it)")
        prefix = f"{name}." if name else ""
        covered.update({prefix + "weight", prefix + "bias"})
    others = [name for name, _ in net.named_parameters() if name not in covered]
    if others:
        raise ValueError(f"the score network has parameters outside nn.Linear layers "
                         f"({others}); the Gram matrix is computed per linear layer only")
    return layers


def tangent_factors(net, x):
    """One forward and one backward pass of Σ_k s(x_k): the scores and per-layer factors.

    Parameters
    ----------
    net : torch.nn.Module
        Maps (n, d) inputs to (n,) scores; parameters in ``nn.Linear`` layers only, each layer
        applied once per forward pass, no coupling between samples (no batch normalization).
    x : Tensor, shape (n, d)
        Inputs, treated as constants (detached).

    Returns
    -------
    TangentFactors

    Raises
    ------
    ValueError
        Parameters outside linear layers, a layer applied more or less than once, or scores of
        the wrong shape.
    """
    layers = linear_layers(net)
    captured = {name: [] for name, _ in layers}

    def hook(name):
        def save(module, inputs, output):
            captured[name].append((inputs[0].detach(), output))
        return save

    handles = [module.register_forward_hook(hook(name)) for name, module in layers]
    with torch.enable_grad():
        try:
            scores = net(x.detach())
        finally:
            for handle in handles:
                handle.remove()
        if scores.shape != (x.shape[0],):
            raise ValueError(f"the score network must return shape ({x.shape[0]},) for "
                             f"{x.shape[0]} inputs, got {tuple(scores.shape)}")
        counts = {name: len(calls) for name, calls in captured.items() if len(calls) != 1}
        if counts:
            raise ValueError(f"every linear layer must be applied exactly once per forward "
                             f"pass; calls per layer: {counts}")
        outputs = [captured[name][0][1] for name, _ in layers]
        grads = torch.autograd.grad(scores.sum(), outputs)  # e_k of every layer: one backward
    factors = [(name, captured[name][0][0], g.detach()) for (name, _), g in zip(layers, grads)]
    return TangentFactors(scores.detach(), factors)


def linearized_score(net, x, delta):
    """a(x) + J(x)δ: the score linearized in the parameters at their current values (SPEC 7).

    Differentiable in ``x`` (the generator's samples carry their graph through it); the
    parameters and δ are constants.

    Parameters
    ----------
    net : torch.nn.Module
        The score network at ψ₀, returning (n,).
    x : Tensor, shape (n, d)
    delta : dict
        Parameter name → step, as returned by :meth:`TangentFactors.transpose_times`.

    Returns
    -------
    Tensor, shape (n,)
    """
    names = [name for name, _ in net.named_parameters()]
    params = {name: p.detach() for name, p in net.named_parameters()}
    tangents = {name: delta[name].to(params[name].dtype) for name in names}

    def score(p):
        return functional_call(net, p, (x,))

    value, derivative = jvp(score, (params,), (tangents,))
    return value + derivative
