"""The empirical neural tangent kernel of a score network, without forming its Jacobian (SPEC 7).

The score network's parameters all sit in ``nn.Linear`` and ``nn.Conv2d`` layers (each with a
bias, each applied once), and it has no batch normalization: every output depends on its own
input only. For a layer with output ``h_out``, ``e_k = ∂s(x_k)/∂h_out`` comes from one backward
pass of ``Σ_k s(x_k)`` (the samples are independent, so the sum's gradient at sample k is sample
k's). The per-sample gradients, and hence K = J Jᵀ and Jᵀv, follow per layer from the layer's
input and e_k, in O(n²·width) instead of O(n²·P) through the (n, P) Jacobian J.

Linear layer ``h_out = W h_in + b`` (:class:`LinearFactors`): the gradient for sample k is
``e_k h_kᵀ`` for W and ``e_k`` for b, so with H (n, fan_in) and E (n, fan_out) (SPEC 7)::

    K_layer = (H Hᵀ) ∘ (E Eᵀ) + E Eᵀ,        (Jᵀv)_layer = (Eᵀ diag(v) H,  Eᵀ v)

Convolution ``h_out = W ⋆ h_in + b`` (:class:`ConvFactors`; SPEC 7's formula with the weight
shared over the L output positions): with U_k (C_in·kh·kw, L) the unfolded input patches of
sample k (``torch.nn.functional.unfold``) and E_k (C_out, L) its output gradients, the gradient
for sample k is G_k = E_k U_kᵀ (C_out, C_in·kh·kw) for W and B_k = E_k 1_L (C_out,) for b::

    K_layer = G Gᵀ + B Bᵀ   (G: the G_k flattened, (n, C_out·C_in·kh·kw)),
    (Jᵀv)_layer = (Σ_k v_k G_k,  Σ_k v_k B_k)

:func:`tangent_factors` gathers the layer factors in one forward and one backward pass;
:func:`linearized_score` evaluates a(x) + J(x)δ at new inputs by forward-mode differentiation.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from scipy.linalg import blas
from torch import nn
from torch.func import functional_call, jvp

#: The layer types whose parameters the kernel covers.
SCORE_LAYERS = (nn.Linear, nn.Conv2d)


def _prefix(name):
    return f"{name}." if name else ""


def outer_gram(A):
    """A Aᵀ for a matrix A of shape (n, m).

    On the CPU in float64 or float32 it is BLAS ``syrk`` (one triangle: half the products of
    ``A @ A.T``), mirrored, so the result is exactly symmetric; elsewhere, ``A @ A.T``.
    """
    syrk = {torch.float64: blas.dsyrk, torch.float32: blas.ssyrk}.get(A.dtype)
    if A.device.type != "cpu" or syrk is None or A.requires_grad or min(A.shape) == 0:
        return A @ A.T
    # A is C-ordered (n, m), so Aᵀ is a Fortran-ordered (m, n) view: syrk reads it uncopied
    upper = torch.from_numpy(syrk(1.0, A.contiguous().numpy().T, trans=1))  # (Aᵀ)ᵀ(Aᵀ)
    return upper.triu() + upper.triu(1).T


@dataclass
class LinearFactors:
    """The factors of one ``nn.Linear`` layer on n inputs.

    Attributes
    ----------
    name : str
    H : Tensor, shape (n, fan_in)
        The layer's inputs.
    E : Tensor, shape (n, fan_out)
        The gradients of s with respect to its outputs.
    """

    name: str
    H: torch.Tensor
    E: torch.Tensor

    def gram_block(self, dtype=torch.float64):
        """(H Hᵀ) ∘ (E Eᵀ) + E Eᵀ, shape (n, n), formed in ``dtype`` (SPEC 7)."""
        H, E = self.H.to(dtype), self.E.to(dtype)
        EEt = E @ E.T
        return (H @ H.T) * EEt + EEt  # SPEC 7: weight block, then the bias block

    def transpose_times(self, v):
        """Σ_k v_k ∇ s(x_k) for W and b, by parameter name, in the layer's dtype."""
        weighted = self.E * v.to(self.E.dtype)[:, None]  # rows v_k e_k, (n, fan_out)
        return {_prefix(self.name) + "weight": weighted.T @ self.H,  # Σ_k v_k e_k h_kᵀ
                _prefix(self.name) + "bias": weighted.sum(dim=0)}  # Σ_k v_k e_k, (fan_out,)


@dataclass
class ConvFactors:
    """The factors of one ``nn.Conv2d`` layer on n inputs.

    Attributes
    ----------
    name : str
    U : Tensor, shape (n, C_in·kh·kw, L)
        The unfolded input patches, one column per output position.
    E : Tensor, shape (n, C_out, L)
        The gradients of s with respect to the outputs, positions flattened.
    weight_shape : tuple
        (C_out, C_in, kh, kw).
    """

    name: str
    U: torch.Tensor
    E: torch.Tensor
    weight_shape: tuple

    def gram_block(self, dtype=torch.float64):
        """G Gᵀ + B Bᵀ, shape (n, n), formed in ``dtype`` (SPEC 7, weights shared over L)."""
        U, E = self.U.to(dtype), self.E.to(dtype)
        G = torch.bmm(E, U.transpose(1, 2)).flatten(1)  # G_k = E_k U_kᵀ, (n, C_out·C_in·kh·kw)
        B = E.sum(dim=2)  # B_k = E_k 1_L, (n, C_out)
        return outer_gram(G) + B @ B.T  # weight block, then the bias block

    def transpose_times(self, v):
        """Σ_k v_k G_k (shaped as W) and Σ_k v_k B_k, by parameter name, in the layer's dtype."""
        weighted = self.E * v.to(self.E.dtype)[:, None, None]  # v_k E_k, (n, C_out, L)
        # Σ_k v_k E_k U_kᵀ as one product, contracting samples and positions together
        c_out, patch = weighted.shape[1], self.U.shape[1]
        weight = (weighted.transpose(0, 1).reshape(c_out, -1)
                  @ self.U.transpose(0, 1).reshape(patch, -1).T)  # (C_out, C_in·kh·kw)
        return {_prefix(self.name) + "weight": weight.reshape(self.weight_shape),
                _prefix(self.name) + "bias": weighted.sum(dim=(0, 2))}  # (C_out,)


@dataclass
class TangentFactors:
    """Per-sample gradients of a network's scores on n inputs, kept as per-layer factors.

    Attributes
    ----------
    scores : Tensor, shape (n,)
        s(x_k), detached.
    layers : list of LinearFactors or ConvFactors
        One per score layer, in the order of ``named_modules``.
    """

    scores: torch.Tensor
    layers: list

    def gram(self, dtype=torch.float64):
        """K = J Jᵀ, shape (n, n): the sum of every layer's block (SPEC 7), in ``dtype``.

        The products are formed in ``dtype`` (float64 by default, whatever the network's), so
        that K is symmetric and positive semidefinite to float64 rounding.
        """
        n = self.scores.shape[0]
        K = torch.zeros(n, n, dtype=dtype, device=self.scores.device)  # where the network runs
        for layer in self.layers:
            K += layer.gram_block(dtype)
        return K

    def transpose_times(self, v):
        """Jᵀv = Σ_k v_k ∇_ψ s(x_k), as ``{parameter name: tensor}`` (SPEC 7, δ* = Jᵀβ/c).

        Parameters
        ----------
        v : Tensor, shape (n,)
            Any dtype; the result has each layer's dtype.
        """
        out = {}
        for layer in self.layers:
            out.update(layer.transpose_times(v))
        return out


def _check_conv(name, module):
    if module.groups != 1:
        raise ValueError(f"conv layer {name!r} has groups={module.groups}; the tangent kernel "
                         f"covers convolutions with groups=1 only")
    if isinstance(module.padding, str) or module.padding_mode != "zeros":
        raise ValueError(f"conv layer {name!r} pads with padding={module.padding!r}, "
                         f"padding_mode={module.padding_mode!r}; the tangent kernel needs "
                         f"integer zero padding (padding_mode='zeros')")


def score_layers(net):
    """The ``nn.Linear`` and ``nn.Conv2d`` layers of ``net`` by name, after checking that they
    hold all its parameters.

    Raises
    ------
    ValueError
        A parameter outside those layers, a layer without a bias, or a convolution with
        ``groups`` > 1 or other than integer zero padding (the message names them): the
        per-layer formulas cover exactly W and b of these layers.
    """
    layers = [(name, m) for name, m in net.named_modules() if isinstance(m, SCORE_LAYERS)]
    covered = set()
    for name, module in layers:
        layer = "linear" if isinstance(module, nn.Linear) else "conv"
        if module.bias is None:
            raise ValueError(f"{layer} layer {name!r} has no bias; the score network's {layer} "
                             f"layers must have one (SPEC 7's per-layer formula includes it)")
        if layer == "conv":
            _check_conv(name, module)
        covered.update({_prefix(name) + "weight", _prefix(name) + "bias"})
    others = [name for name, _ in net.named_parameters() if name not in covered]
    if others:
        raise ValueError(f"the score network has parameters outside nn.Linear and nn.Conv2d "
                         f"layers ({others}); the Gram matrix is computed per such layer only")
    return layers


def _layer_factors(name, module, inputs, grad):
    """The factors of one layer from its input and the gradient at its output."""
    if isinstance(module, nn.Linear):
        return LinearFactors(name, inputs, grad)
    patches = F.unfold(inputs, module.kernel_size, dilation=module.dilation,
                       padding=module.padding, stride=module.stride)  # (n, C_in·kh·kw, L)
    return ConvFactors(name, patches, grad.flatten(2), tuple(module.weight.shape))


def tangent_factors(net, x):
    """One forward and one backward pass of Σ_k s(x_k): the scores and per-layer factors.

    Parameters
    ----------
    net : torch.nn.Module
        Maps (n, d) inputs to (n,) scores; parameters in ``nn.Linear`` and ``nn.Conv2d`` layers
        only (:func:`score_layers`), each layer applied once per forward pass, no coupling
        between samples (no batch normalization).
    x : Tensor, shape (n, d)
        Inputs, treated as constants (detached).

    Returns
    -------
    TangentFactors

    Raises
    ------
    ValueError
        Parameters outside those layers, a layer applied more or less than once, or scores of
        the wrong shape.
    """
    layers = score_layers(net)
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
            raise ValueError(f"every linear and conv layer must be applied exactly once per "
                             f"forward pass; calls per layer: {counts}")
        outputs = [captured[name][0][1] for name, _ in layers]
        grads = torch.autograd.grad(scores.sum(), outputs)  # e_k of every layer: one backward
    factors = [_layer_factors(name, module, captured[name][0][0], g.detach())
               for (name, module), g in zip(layers, grads)]
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
