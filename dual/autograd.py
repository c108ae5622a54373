"""The optimal value of the discriminator problem as a differentiable torch function (SPEC 4, 7).

By Danskin's theorem the gradient of V = max_λ g(λ; data) is the partial gradient of g at the
unique maximizer λ*, which the exact solve provides; no derivative of the solver is needed.
With β* = (λ*_real, 1 + λ*_fake) and w* = b(λ*)/c (SPEC 3, 7)::

    ∂V/∂x_k = −β*_k w*        (sample features, real and fake alike)
    ∂V/∂a_k = −β*_k           (score offsets: g's linear term is −βᵀa)
    ∂V/∂K   = −β* β*ᵀ / (2c)  (Gram matrix: g's quadratic term is −βᵀKβ/(2c))

so that, for a fake sample, ∂V/∂g_j = −D_{w*}(g_j)·w* (SPEC 4). The value returned is g(λ*), the
certified lower end of [g(λ*), F(w*)] (SPEC 4: the generator ascends g). Imports torch: import this
module explicitly (``import dual.autograd``); ``import dual`` stays free of torch. ::

    value, sol = dual.autograd.optimal_value(real, fake, c=1.0, offset_fake=a, solver="native")
    value.backward()                      # real.grad, fake.grad, a.grad (where requires_grad)
    value, ksol = dual.autograd.optimal_value_kernel(K, n_real, c, offset=a)
"""

import torch

from .kernel import solve_kernel
from .solve import solve


def _numpy(tensor):
    return None if tensor is None else tensor.detach().cpu().numpy()


def _like(array, tensor):  # a copy: the solution's arrays are read-only
    return torch.tensor(array, dtype=tensor.dtype, device=tensor.device)


class _FeatureValue(torch.autograd.Function):
    """V(real, fake, offset_real, offset_fake) with the Danskin gradient (module docstring)."""

    @staticmethod
    def forward(ctx, real, fake, offset_real, offset_fake, c, options, out):
        sol = solve(_numpy(real), _numpy(fake), c, offset_real=_numpy(offset_real),
                    offset_fake=_numpy(offset_fake), **options)
        out["solution"] = sol
        ctx.beta_real, ctx.beta_fake, ctx.w = sol.lam_real, 1.0 + sol.lam_fake, sol.w
        ctx.like = fake
        return _like(sol.dual_value, fake)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        like = ctx.like
        w = _like(ctx.w, like)  # (D,)
        beta_real, beta_fake = _like(ctx.beta_real, like), _like(ctx.beta_fake, like)
        needs = ctx.needs_input_grad
        return (
            -grad * beta_real[:, None] * w if needs[0] else None,  # (N, D): −β_i w*
            -grad * beta_fake[:, None] * w if needs[1] else None,  # (M, D): −(1 + λ_j) w*
            -grad * beta_real if needs[2] else None,  # (N,)
            -grad * beta_fake if needs[3] else None,  # (M,)
            None, None, None,
        )


class _KernelValue(torch.autograd.Function):
    """V(K, offset) with the Danskin gradient (module docstring)."""

    @staticmethod
    def forward(ctx, gram, offset, n_real, c, options, out):
        sol = solve_kernel(_numpy(gram), n_real, c, offset=_numpy(offset), **options)
        out["solution"] = sol
        ctx.beta, ctx.c, ctx.like = sol.beta, sol.c, gram
        return _like(sol.dual_value, gram)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        beta = _like(ctx.beta, ctx.like)  # (N + M,)
        needs = ctx.needs_input_grad
        return (
            -grad * torch.outer(beta, beta) / (2.0 * ctx.c) if needs[0] else None,
            -grad * beta if needs[1] else None,
            None, None, None, None,
        )


def optimal_value(real, fake, c=1.0, *, offset_real=None, offset_fake=None, **solve_options):
    """max_λ g(λ) = min_w F(w) (SPEC 2, 7) as a torch scalar with its Danskin gradient.

    Parameters
    ----------
    real : Tensor, shape (N, D)
    fake : Tensor, shape (M, D)
        Features; gradients flow to whichever require them (typically ``fake``, SPEC 4).
    c : float, default 1.0
    offset_real, offset_fake : Tensor, shapes (N,) and (M,), optional
        Score offsets (SPEC 7), differentiable too.
    **solve_options
        Passed to :func:`dual.solve` (``solver``, ``form``, ``warm_start``, solver options).

    Returns
    -------
    value : Tensor, 0-d, dtype and device of ``fake``
        g(λ*) in nats; its gradient is ∂g/∂(data) at λ* (module docstring). Not twice
        differentiable.
    solution : dual.Solution
        The certified solution behind it (for warm starts and logging).

    Examples
    --------
    The gradient with respect to the fakes is −D(g_j)·w* (SPEC 4), from one solve:

    >>> import torch
    >>> import dual.autograd
    >>> gen = torch.Generator().manual_seed(0)
    >>> real = torch.randn(100, 2, generator=gen, dtype=torch.float64) + 1.0
    >>> fake = torch.randn(80, 2, generator=gen, dtype=torch.float64).requires_grad_()
    >>> value, sol = dual.autograd.optimal_value(real, fake, c=1.0, solver="native")
    >>> value.backward()
    >>> D = torch.tensor(sol.discriminator(fake.detach().numpy()))
    >>> expected = -D[:, None] * torch.tensor(sol.w)
    >>> fake.grad.shape, torch.allclose(fake.grad, expected, atol=1e-5)
    (torch.Size([80, 2]), True)
    """
    out = {}
    value = _FeatureValue.apply(real, fake, offset_real, offset_fake, c, solve_options, out)
    return value, out["solution"]


def optimal_value_kernel(K, n_real, c=1.0, *, offset=None, **solve_options):
    """The same from a Gram matrix (SPEC 7), differentiable in K and the offsets.

    Parameters
    ----------
    K : Tensor, shape (N + M, N + M)
        Gram matrix, real samples first (built in torch, e.g. J Jᵀ, so that the gradient
        reaches J: ∂V/∂J = −β* β*ᵀ J / c).
    n_real : int
    c : float, default 1.0
    offset : Tensor, shape (N + M,), optional
    **solve_options
        Passed to :func:`dual.solve_kernel` (``solver``, ``form``, ``warm_start``, ...).

    Returns
    -------
    value : Tensor, 0-d
        g(λ*) in nats.
    solution : dual.KernelSolution
    """
    out = {}
    value = _KernelValue.apply(K, offset, n_real, c, solve_options, out)
    return value, out["solution"]
