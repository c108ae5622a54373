"""Truncated Newton (Newton-CG) in the primal: the Newton system solved by preconditioned
conjugate gradients on Hessian-vector products, the Hessian never formed.

Notation of :mod:`dual.backends.native` (SPEC 1, 7): A (n × D) stacks the samples, t = a + A w the
scores, e the fake rows' indicator, s = σ(t)(1 − σ(t)). Then::

    ∇F(w) = Aᵀ(σ(t) − e) + c w,      ∇²F(w) v = Aᵀ(s ∘ (A v)) + c v

so one Hessian-vector product is two passes over A (4·n·D flops, bound by memory bandwidth)
against n·D² + D³/3 flops to form and factor ∇²F. The method follows TRON (Lin, Weng and
Keerthi, "Trust region Newton method for large-scale logistic regression", JMLR 2008) with
Armijo backtracking on F in place of the trust region (as LIBLINEAR's later Newton solver):

* **Inexact steps.** CG stops once its residual r = ∇²F x + ∇F satisfies
  ‖r‖ ≤ max(η‖∇F‖, ½·g_tol) with η = min(½, ‖∇F‖/√(2c·max(1, abs(F)))), a quadratic forcing term
  (Dembo, Eisenstat and Steihaug 1982: the outer iteration keeps Newton's quadratic rate), and
  g_tol = √(2c·tol·max(1, abs(F))) the gradient norm at which the certified gap ‖∇F‖²/(2c) meets
  the tolerance: no CG accuracy is spent beyond what the stopping rule can use. Whatever the
  number of CG steps taken, x is a descent direction (CG from 0 minimizes the quadratic model
  over a Krylov subspace that contains −∇F, so the model, hence ∇Fᵀx, is < 0).
* **Preconditioner.** Jacobi, diag(∇²F) = (A∘A)ᵀ s + c, when n ≥ D; none when n < D, where
  ∇²F is c·I plus a term of rank ≤ n, so that CG needs at most n + 1 products in exact
  arithmetic, and a diagonal scaling would spread the D − n eigenvalues that sit at c.
* **Stopping rule.** The certified gap of :mod:`dual.backends.native`, ‖∇F‖²/(2c) ≤
  tol·max(1, abs(F)): the same answer as the dense Newton, up to that tolerance.
* **An allowance.** With ``allowance = (first, increment)``, the products of the first j Newton
  steps may add up to first + (j − 1)·increment; a step that reaches the allowance takes its
  truncated direction and ends the run (``exhausted``): the caller goes on with a Newton method
  that factors the Hessian, which is then the cheaper. CG gives up early, after ``RATE_PRODUCTS``
  products, when its mean residual reduction per product so far predicts that the allowance will
  not do: a hopeless step then costs a few products, not the whole allowance.

Memory: A, plus A∘A (the same size) when preconditioning, plus O(n + D) vectors.
"""

import numpy as np
from scipy.special import expit

from ._linesearch import primal_line_search, softplus_loss
from .result import CG, NewtonRun

RATE_PRODUCTS = 3  # products after which CG's convergence rate is extrapolated against the budget


def newton_cg_primal(a, offset, fake_rows, c, w0, tol, max_iter, allowance=None):
    """Newton-CG on F(w) (SPEC 1, 7) until ‖∇F‖²/(2c) ≤ tol·max(1, abs(F)).

    Parameters
    ----------
    a : ndarray, shape (n, D)
        The stacked samples (real rows first); ``offset`` (n,) their score offsets, ``fake_rows``
        (n,) the indicator e of the fake rows.
    w0 : ndarray, shape (D,), optional
        Start (zero when None).
    allowance : (int, float), optional
        Products allowed in the first Newton step, and further products per further step, before
        the run hands over (see the module docstring); without it CG runs until its tolerance or
        2·D + 10 products per step.

    Returns
    -------
    NewtonRun
        Method :data:`~dual.backends.result.CG`, with ``w``, ``products`` and ``exhausted``.
    """
    n, d = a.shape
    w = np.zeros(d) if w0 is None else w0.copy()
    t = offset + a @ w  # SPEC 7: scores a + Aw
    f = softplus_loss(t, fake_rows) + 0.5 * c * (w @ w)
    squares = a * a if n >= d else None  # for the Jacobi preconditioner
    products = 0
    for iteration in range(max_iter + 1):
        sig = expit(t)
        grad = a.T @ (sig - fake_rows) + c * w  # ∇F(w)
        grad2 = grad @ grad
        scale = max(1.0, abs(f))
        if grad2 <= 2.0 * c * tol * scale:  # gap = ‖∇F‖²/(2c), certified (native docstring)
            return NewtonRun(CG, iteration, True, False, w=w, products=products, scores=t,
                             grad=grad)
        if iteration == max_iter:
            break
        curvature = sig * (1.0 - sig)  # s = σ(1 − σ)
        inverse_diagonal = None if squares is None else 1.0 / (squares.T @ curvature + c)
        limit = 2 * d + 10
        if allowance is not None:  # what is left of the cumulative allowance of products
            limit = int(allowance[0] + iteration * allowance[1]) - products
            if limit < 1:
                return NewtonRun(CG, iteration, False, False, w=w, products=products,
                                 exhausted=True)
        eta2 = min(0.25, grad2 / (2.0 * c * scale))  # η² = min(¼, ‖∇F‖²/(2c·max(1, |F|)))
        residual2 = max(eta2 * grad2, 0.5 * c * tol * scale)  # max(η‖∇F‖, ½ g_tol)²
        step, a_step, used, solved = _pcg(a, curvature, c, grad, inverse_diagonal, residual2,
                                          limit, extrapolate=allowance is not None)
        products += used
        accepted = primal_line_search(w, t, f, step, a_step, grad @ step, c, fake_rows)
        if accepted is None:
            return NewtonRun(CG, iteration, False, True, w=w, products=products, scores=t,
                             grad=grad)
        w, t, f = accepted
        if not solved and allowance is not None:
            return NewtonRun(CG, iteration + 1, False, False, w=w, products=products,
                             exhausted=True)
    return NewtonRun(CG, max_iter, False, False, w=w, products=products, scores=t, grad=grad)


def _pcg(a, curvature, c, grad, inverse_diagonal, residual2, limit, extrapolate=False):
    """Preconditioned CG on ∇²F x = −∇F from x = 0, ∇²F v = Aᵀ(s ∘ Av) + c v.

    Returns (x, A x, products used, whether ‖r‖² ≤ ``residual2`` was reached). A x is
    accumulated from the products' A p, so the line search needs no further pass over A. With
    ``extrapolate``, CG stops unsolved once the mean reduction of ‖r‖² per product predicts more
    than ``limit`` products in all.
    """
    n, d = a.shape
    x = np.zeros(d)
    a_x = np.zeros(n)
    r = -grad  # residual of ∇²F x = −∇F at x = 0
    z = r if inverse_diagonal is None else r * inverse_diagonal
    p = z.copy()
    rz = r @ z
    start2 = grad @ grad
    for used in range(1, limit + 1):
        a_p = a @ p
        h_p = a.T @ (curvature * a_p)
        h_p += c * p  # ∇²F p
        alpha = rz / (p @ h_p)
        x += alpha * p
        a_x += alpha * a_p
        r -= alpha * h_p
        r2 = r @ r
        if r2 <= residual2:
            return x, a_x, used, True
        if extrapolate and used >= RATE_PRODUCTS and (
                r2 >= start2 or used * np.log(residual2 / r2) / np.log(r2 / start2) > limit - used):
            return x, a_x, used, False
        z = r if inverse_diagonal is None else r * inverse_diagonal
        rz_next = r @ z
        p *= rz_next / rz
        p += z
        rz = rz_next
    return x, a_x, limit, False
