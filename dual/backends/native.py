"""The project's own exact backend: damped Newton in the primal (w) or the dual (λ) space.

numpy/scipy, not torch, inside: the data arrive as float64 numpy arrays, the heavy steps are one
BLAS ``syrk`` (the Hessian or the Gram matrix) and one LAPACK Cholesky per iteration, and ``dual``
stays importable without torch. Memory: the stacked data A = [X; G] (linear in the data) plus one
Hessian of the chosen space (D × D in the primal, (N+M) × (N+M) in the dual). The primal can also
be solved without forming its Hessian, by Newton-CG (:mod:`dual.backends.newton_cg`), and
``form="auto"`` picks among the three by a cost model on measured machine constants
(:mod:`dual.backends.cost_model`). On small data, with numba installed, the primal runs compiled
(:mod:`dual.backends.compiled`): the same method in one call instead of some 24 numpy calls a
step.

Notation (SPEC 1–3, 7): A stacks the real rows x_i and the fake rows g_j (n = N + M rows); a holds
the per-sample score offsets (zero in SPEC 1–3); e is the indicator of the fake rows; t = a + A w
the scores; μ = −λ ∈ (0, 1)ⁿ and β = e − μ = (λ_real, 1 + λ_fake). Then::

    F(w)   = Σ_real softplus(t_i) + Σ_fake softplus(−t_j) + (c/2)‖w‖²
    ∇F(w)  = Aᵀ(σ(t) − e) + c w,        ∇²F(w) = Aᵀ diag(σ(t)(1 − σ(t))) A + c I
    b(μ)   = Aᵀβ                        (SPEC 2: b = Σ λ_i x_i + Σ (1 + λ_j) g_j)
    g(μ)   = −βᵀKβ/(2c) + Σ H(μ_k) − βᵀa,   K = A Aᵀ
    ∇g(μ)  = a + Kβ/c + log((1 − μ)/μ), ∇²g(μ) = −K/c − diag(1/(μ(1 − μ)))

so the dual needs only K and a: given a Gram matrix (SPEC 7) it runs on K directly.

The certified gap has two cancellation-free forms that the stopping rule uses::

    primal iterate w, λ = −σ(t):     F(w) − g(λ) = ‖∇F(w)‖² / (2c)
    dual iterate μ,   w = b(μ)/c:    F(w) − g(λ) = Σ_k KL(Bernoulli(μ_k) ‖ Bernoulli(σ(t_k)))

(both follow from softplus(t) + λt − H(−λ) = KL(Bern(−λ) ‖ Bern(σ(t))) ≥ 0, summed over samples,
plus ‖c w − b(λ)‖²/(2c); the offsets cancel in the sum). Iteration stops when
gap ≤ tol · max(1, abs(F)).

Cost of one dual Newton iteration on a Gram matrix of order n: one n × n Cholesky (n³/3 flops)
and, per line-search trial, one product K β (n² flops); 3–8 iterations from δ = 0, fewer from a
warm start.

Precision: float64 throughout, float32 inputs included (the front ends convert them). A float32
path was measured and not adopted: Newton-CG with its Hessian-vector products on the float32
data (gradients, line search and stopping rule still in float64) was 2.3× faster on a 2000 × 1000
problem that does not fit in cache, no faster on smaller ones, and on an ill-conditioned one
(feature scales over four decades in a random basis, 2000 × 300) its steps lost so much accuracy
that it stopped at a relative gap of 8e-9 instead of 1e-10.
"""

import warnings
from dataclasses import replace

import numpy as np
from scipy.linalg.blas import dsyrk
from scipy.linalg.lapack import dpotrf, dpotrs
from scipy.special import entr, expit

from dualgan.validation import check_choice, check_int, check_real

from .. import memory
from ..exceptions import ConvergenceWarning, ResourceError, SolverError, _size
from ..solution import AutoChoice
from . import compiled as compiled_route
from . import cost_model
from ._linesearch import ARMIJO, MIN_STEP, primal_line_search, softplus_loss
from .newton_cg import newton_cg_primal
from .result import AUTO, CG, DUAL, PRIMAL, BackendResult, NewtonRun

#: form="auto" is offered: the method predicted cheapest (:mod:`dual.backends.cost_model`).
CHOOSES_FORM = True
OPTIONS = ("tol", "max_iter", "linear_solver")
LINEAR_SOLVERS = ("cholesky", "cg")

_LOGIT_MAX = 700.0  # |logit μ| cap in the dual: μ(1 − μ) ≥ e^−700 stays a normal float


def solve(problem, form, solver="native", w0=None, logit0=None, check_memory=True, **options):
    """Solve SPEC 1/7 (``form="primal"``) or SPEC 2/7 (``form="dual"``) by damped Newton.

    Parameters
    ----------
    problem : dual.backends.result.Problem
        Features (any form) or a Gram matrix (dual form only), offsets, c.
    form : {"primal", "dual", "auto"}
        ``"auto"`` (features only): the method of :mod:`dual.backends.cost_model`, cheapest per
        Newton step on this machine (primal or dual with a Cholesky factorization, or primal
        Newton-CG handing over to the cheaper of those when its steps need too many products);
        the choice and its reason come back as ``choice``.
    w0 : ndarray, shape (D,), optional
        Primal start, taken when F(w0) beats the cold start's F(0) (:func:`_warm`); the dual
        starts from λ = −σ(a + A w0) when ``logit0`` is not given.
    logit0 : ndarray, shape (N + M,), optional
        Dual start as logits of μ = −λ. Without either start: δ = 0, i.e. λ = −σ(a) (SPEC 7).
    tol : float in (0, 1), default 1e-10
        Stop when the certified gap ≤ tol · max(1, abs(F)).
    max_iter : int >= 0, default 100
        Newton iterations before giving up with a :class:`dual.ConvergenceWarning`.
    linear_solver : {"cholesky", "cg"}, optional
        With ``form="primal"`` or ``"dual"``: how the Newton system is solved, by a Cholesky
        factorization (the default) or, in the primal on features only, by preconditioned
        conjugate gradients (:mod:`dual.backends.newton_cg`). ``form="auto"`` chooses it.
    check_memory : bool, default True
        Predict the method's memory (:mod:`dual.memory`) and raise :class:`dual.ResourceError`
        when it exceeds what is available; ``form="auto"`` instead moves to a method that fits
        (recorded in ``choice.reason``) and raises only when none does.
    """
    tol, max_iter, linear_solver = _options(options, form, problem)
    choice, plan = None, None
    if form == AUTO:
        plan = cost_model.current_model().plan(*problem.features.shape)
        if check_memory:
            plan = _plan_that_fits(plan, *problem.features.shape)
        method = plan.method
    else:
        method = CG if linear_solver == "cg" else (PRIMAL if form == "primal" else DUAL)
        memory.check(lambda: f"native {method} on {_shape(problem)}",
                     _memory_need(method, problem),
                     _ADVICE[method if problem.gram is None else "gram"], check_memory)

    bounded = plan is not None and plan.fallback != plan.method  # Newton-CG with a hand-over
    run = _run(method, problem, w0, logit0, tol, max_iter,
               (plan.budget, plan.increment) if bounded else None)
    handed_over = run.exhausted
    if handed_over:  # Newton-CG handed over: go on from its iterate by the factored method
        first = run
        run = _run(plan.fallback, problem, first.w, None, tol, max_iter - first.iterations, None)
        run.iterations += first.iterations
        run.products = first.products
    if plan is not None:
        choice = AutoChoice.of_plan(plan, run.products, handed_over)
    result = BackendResult(form=run.method.split("/")[0], status="", iterations=run.iterations,
                           w=run.w, lam=run.lam, choice=choice, scores=run.scores,
                           grad=run.grad)
    converged, stalled = run.converged, run.stalled
    result.status = "optimal" if converged else ("stalled" if stalled else "max_iter")
    result.inaccurate = not converged
    if not converged:
        warnings.warn(
            f"native/{run.method}: {'the line search stalled' if stalled else 'max_iter reached'}"
            f" after {run.iterations} Newton iterations before the relative gap reached "
            f"tol={tol:g}; raise max_iter, loosen tol, or try the other form",
            ConvergenceWarning,
            stacklevel=4,
        )
    return result


def _options(options, form, problem):
    """``tol``, ``max_iter`` and ``linear_solver`` from the options, checked (the defaults
    without any)."""
    if not options:
        return 1e-10, 100, None
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)} for solver 'native'; "
                        f"allowed: {list(OPTIONS)}")
    tol = check_real(options.get("tol", 1e-10), "tol", low=0.0, high=1.0)
    max_iter = check_int(options.get("max_iter", 100), "max_iter", minimum=0)
    linear_solver = options.get("linear_solver")
    if linear_solver is not None:
        check_choice(linear_solver, "linear_solver", LINEAR_SOLVERS)
        if form == AUTO:
            raise ValueError("linear_solver is chosen by form='auto'; pass form='primal' or "
                             "'dual' with it, or leave it out")
        if linear_solver == "cg" and (form != "primal" or problem.features is None):
            raise ValueError(f"linear_solver='cg' solves the primal on features: it needs "
                             f"form='primal' and sample features, got form={form!r}"
                             + ("" if problem.features is not None else " and a Gram matrix"))
    return tol, max_iter, linear_solver


_ADVICE = {
    PRIMAL: "the D × D Hessian is the large part: try linear_solver='cg' (Newton-CG forms no "
            "Hessian), form='auto' (it picks a method that fits), or fewer features",
    DUAL: "the (N+M) × (N+M) Gram matrix is the large part: try form='primal' (with "
          "linear_solver='cg' for many features), form='auto', or fewer samples",
    CG: "Newton-CG's preconditioner holds a copy of the data: use fewer samples or features",
    "gram": "the (N+M) × (N+M) Newton system is the large part: use fewer samples",
}


def _shape(problem):
    if problem.gram is not None:
        return f"a Gram matrix of order N+M={problem.n}"
    n, d = problem.features.shape
    return f"N+M={n} samples of D={d} features"


#: Each method's predicted bytes on n samples of D features (:mod:`dual.memory`).
_PREDICT = {PRIMAL: memory.native_primal, DUAL: memory.native_dual, CG: memory.native_cg}


def _memory_need(method, problem):
    """Predicted bytes of one method's working arrays (:mod:`dual.memory`)."""
    if problem.gram is not None:
        return memory.native_gram_dual(problem.n)
    return _PREDICT[method](*problem.features.shape)


def _plan_that_fits(plan, n, d):
    """``plan`` if every method it may run fits in the available memory, else the cheapest
    plan that does: the other factored method, or Newton-CG without a hand-over; ResourceError
    when not even Newton-CG fits."""
    predict = _PREDICT
    runs = {plan.method, plan.fallback}
    largest = max(predict[plan.method](n, d), predict[plan.fallback](n, d))
    free = memory.available(largest)
    if largest <= free:
        return plan
    need = {method: predict[method](n, d) for method in (PRIMAL, DUAL, CG)}
    too_big = max((m for m in runs if need[m] > free), key=need.get)
    dense = [m for m in (PRIMAL, DUAL) if m in plan.predicted and need[m] <= free]
    if dense:
        method = min(dense, key=plan.predicted.get)
        budget, increment = 0, 0.0
    elif need[CG] <= free:
        method, budget, increment = CG, 0, 0.0  # no hand-over: its fallback does not fit
    else:
        raise ResourceError(f"native form='auto' on N+M={n} samples of D={d} features (its "
                            f"leanest method, {CG})", need[CG], free,
                            "use fewer samples or features")
    reason = (f"{method} (memory: {too_big} would need {_size(need[too_big])}, "
              f"{_size(free)} available); as planned before the memory check: {plan.reason}")
    return replace(plan, method=method, fallback=method, budget=budget, increment=increment,
                   reason=reason)


def _run(method, problem, w0, logit0, tol, max_iter, allowance):
    """Run one Newton method (PRIMAL, DUAL or CG) on ``problem``; returns its
    :class:`~dual.backends.result.NewtonRun` (``allowance``: Newton-CG's products, see
    :func:`dual.backends.newton_cg.newton_cg_primal`). The primal runs compiled where
    :func:`dual.backends.compiled.module` says so."""
    a, offset, c = problem.features, problem.offset, problem.c
    if method == PRIMAL:
        compiled = compiled_route.module(*a.shape)
        if compiled is not None:  # the warm start's test (_warm) included
            return _compiled_primal(compiled, problem, w0, tol, max_iter)
    fake_rows = problem.fake_rows()
    warm = None if w0 is None else _warm(a, offset, fake_rows, c, w0)
    if method == CG:
        return newton_cg_primal(a, offset, fake_rows, c, None if warm is None else warm[0], tol,
                                max_iter, allowance)
    if method == PRIMAL:
        return _newton_primal(a, offset, fake_rows, c, warm, tol, max_iter)
    if logit0 is None:  # SPEC 3, 7: μ = −λ = σ(a + A w)
        logit0 = offset if warm is None else warm[1]
    system = _GramSystem(problem.gram) if problem.gram is not None else (
        _GramSystem.of_features(a) if a.shape[0] <= a.shape[1] else _WoodburySystem(a))
    return _newton_dual(system, offset, fake_rows, c, logit0, tol, max_iter)


def _spd_solve(matrix, rhs, solver_form):
    """Solve matrix·x = rhs for a symmetric positive definite matrix given by its upper triangle
    (overwritten by its Cholesky factor when Fortran-ordered), through LAPACK's ``potrf`` and
    ``potrs`` directly: scipy's ``cho_factor``/``cho_solve`` and numpy's ``solve`` add about
    8 µs of checks a call, more than the whole factorization of a small system (measured)."""
    factor, info = dpotrf(matrix, lower=0, clean=0, overwrite_a=1)
    if info == 0:
        step, info = dpotrs(factor, rhs, lower=0)
        if info == 0:
            return step
    raise _not_positive_definite(info, solver_form)


def _not_positive_definite(info, solver_form):
    """The SolverError of a Cholesky factorization that failed with LAPACK's ``info``."""
    detail = (f"the leading minor of order {info} is not positive definite" if info > 0
              else f"LAPACK argument {-info} is illegal")
    return SolverError("native", f"{solver_form}: Newton system not positive definite", detail)


# ---------------------------------------------------------------------------------------------
# Primal: Newton in w (D unknowns)
# ---------------------------------------------------------------------------------------------

def _warm(a, offset, fake_rows, c, w0):
    """``(w0, t, F(w0))`` with the scores t = a + A w0 when F(w0) beats the cold start's
    F(0) = Σ softplus(±a), else None: a w from another problem can be far worse than 0, as far
    as overflowing float64 (c‖w‖²/2 at a much larger c)."""
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow makes F(w0) inf or NaN
        t = offset + a @ w0  # SPEC 7: scores a + Aw
        f = softplus_loss(t, fake_rows) + 0.5 * c * float(w0 @ w0)
    return (np.array(w0, dtype=np.float64), t, f) if f < _cold_loss(offset, fake_rows) else None


_COLD_LOSS = {}  # n → F(0) = Σ softplus(0) without offsets, as softplus_loss computes it


def _cold_loss(offset, fake_rows):
    """F(0) = softplus_loss(a, e); without offsets (a = 0, the common case) it depends on n
    only (0ᵀe = 0), and the value softplus_loss gave for that n is reused."""
    if np.count_nonzero(offset):  # (cheaper than offset.any())
        return softplus_loss(offset, fake_rows)
    n = offset.shape[0]
    if n not in _COLD_LOSS:
        _COLD_LOSS[n] = softplus_loss(np.zeros(n), fake_rows)
    return _COLD_LOSS[n]


def _newton_primal(a, offset, fake_rows, c, warm, tol, max_iter):
    """Damped Newton on F(w) from ``warm`` (:func:`_warm`) or w = 0; returns a
    :class:`~dual.backends.result.NewtonRun` with ``w``."""
    if warm is None:  # SPEC 1, 7: w = 0, scores t = a
        w, t = np.zeros(a.shape[1]), offset.copy()
        f = softplus_loss(t, fake_rows)
    else:
        w, t, f = warm
    for iteration in range(max_iter + 1):
        sig = expit(t)
        grad = a.T @ (sig - fake_rows) + c * w  # ∇F(w)
        gap = (grad @ grad) / (2.0 * c)  # = F(w) − g(λ(w)), certified
        if gap <= tol * max(1.0, abs(f)):
            return NewtonRun(PRIMAL, iteration, True, False, w=w, scores=t, grad=grad)
        if iteration == max_iter:
            break
        step = -_primal_newton_step(a, sig, grad, c)
        accepted = primal_line_search(w, t, f, step, a @ step, grad @ step, c, fake_rows)
        if accepted is None:  # no decrease representable in float64: the gap is at rounding level
            return NewtonRun(PRIMAL, iteration, False, True, w=w, scores=t, grad=grad)
        w, t, f = accepted
    return NewtonRun(PRIMAL, max_iter, False, False, w=w, scores=t, grad=grad)


def _primal_newton_step(a, sig, grad, c):
    """(∇²F)⁻¹ ∇F; its n × D and D × D temporaries are freed on return, before the next ones."""
    # ∇²F = Aᵀ diag(σ(1−σ)) A + c I, formed by one syrk on √(σ(1−σ))·A (upper triangle)
    scaled = a * np.sqrt(sig * (1.0 - sig))[:, None]
    hessian = dsyrk(1.0, scaled.T, trans=0)  # scaled.T is Fortran-ordered: syrk copies nothing
    del scaled
    hessian.flat[::a.shape[1] + 1] += c
    return _spd_solve(hessian, grad, "primal")


_NO_START = np.empty(0)


def _compiled_primal(compiled, problem, w0, tol, max_iter):
    """:func:`_warm` and :func:`_newton_primal` by one call of ``compiled.newton_primal``: the
    same start, iterates, stopping rule and line search; a NewtonRun as it returns."""
    w, t, grad, iterations, how = compiled.newton_primal(
        problem.features, problem.offset, problem.n_real, problem.c,
        _NO_START if w0 is None else w0, tol, max_iter)
    if how == compiled.NOT_SPD:
        raise _not_positive_definite(iterations, "primal")
    return NewtonRun(PRIMAL, iterations, how == compiled.CONVERGED, how == compiled.STALLED,
                     w=w, scores=t, grad=grad)


# ---------------------------------------------------------------------------------------------
# Dual: Newton in μ = −λ ∈ (0, 1)ⁿ, iterates strictly inside the box
# ---------------------------------------------------------------------------------------------

class _GramSystem:
    """The dual's quadratic term through an explicit Gram matrix K = A Aᵀ (n × n): a product
    costs n², a Newton system (K/c + diag(h)) Δ = ∇g one n × n Cholesky."""

    def __init__(self, gram):
        self.gram = gram

    @classmethod
    def of_features(cls, a):
        # upper triangle of A Aᵀ as (Aᵀ)ᵀ(Aᵀ), Aᵀ Fortran-ordered (no copy); the lower one is 0
        gram = dsyrk(1.0, a.T, trans=1)
        gram += np.triu(gram, 1).T  # K in full, through one n × n temporary
        return cls(gram)

    def times(self, v):  # K v, shape (n,)
        return self.gram @ v

    def newton_step(self, var, grad, c):  # (K/c + diag(1/var))⁻¹ grad
        # Fortran order, so that the factorization runs in place (K is symmetric)
        system = np.divide(self.gram, c, order="F")
        system.flat[::system.shape[0] + 1] += 1.0 / var
        return _spd_solve(system, grad, "dual")


class _WoodburySystem:
    """The same through the features when D < n, by the Woodbury identity
    (diag(h) + A Aᵀ/c)⁻¹ = H⁻¹ − H⁻¹A (c I + Aᵀ H⁻¹ A)⁻¹ Aᵀ H⁻¹: a D × D Cholesky, so that a
    dual step never costs more than a primal one.

    The identity subtracts two nearly equal vectors when the features' scales spread over many
    decades (one entry of 1e8 among entries of order 1 is enough: the dual then stalled at a
    relative gap of 2). Each step is therefore checked against the system it solves, by one
    product with A Aᵀ; a step off by more than ``WOODBURY_RTOL`` is solved again through the
    n × n Gram matrix (formed once, if it fits in the available memory, :mod:`dual.memory`),
    whose Cholesky factorization has no such cancellation.
    """

    def __init__(self, a):
        self.a = a
        self.gram = None  # the fallback, formed on the first inaccurate step

    def times(self, v):  # A Aᵀ v, shape (n,)
        return self.a @ (self.a.T @ v)

    def newton_step(self, var, grad, c):
        a = self.a
        scaled = a * np.sqrt(var)[:, None]
        inner = dsyrk(1.0, scaled.T, trans=0)
        del scaled
        inner.flat[::a.shape[1] + 1] += c
        hg = var * grad
        step = hg - var * (a @ _spd_solve(inner, a.T @ hg, "dual"))
        residual = step / var + self.times(step) / c - grad  # (H + A Aᵀ/c) step − ∇g
        if self.gram is None:
            if np.linalg.norm(residual) <= WOODBURY_RTOL * np.linalg.norm(grad):
                return step
            n = a.shape[0]
            if not memory.fits(memory.native_dual(n, n)):
                return step  # the best step available in this memory
            self.gram = _GramSystem.of_features(a)
        return self.gram.newton_step(var, grad, c)


#: A Woodbury step whose residual exceeds this fraction of ‖∇g‖ is solved again (inexact Newton
#: converges for any fraction below 1; a cancelled step is off by order 1).
WOODBURY_RTOL = 1e-6


def _clip_logit(logit):
    # |u| ≤ _LOGIT_MAX; np.minimum/np.maximum, as np.clip costs a few µs more a call
    return np.minimum(np.maximum(logit, -_LOGIT_MAX), _LOGIT_MAX)


def _newton_dual(system, offset, fake_rows, c, logit0, tol, max_iter):
    """Damped Newton on g(μ), μ = σ(u) kept strictly inside (0, 1); returns a
    :class:`~dual.backends.result.NewtonRun` with λ = −μ.

    The state is the logit u (μ = σ(u), 1 − μ = σ(−u), log((1−μ)/μ) = −u: no rounding near the
    box's faces), clipped to ±``_LOGIT_MAX`` so that μ(1 − μ) stays a normal float. ``system``
    applies K = A Aᵀ and solves the Newton system (K/c + diag(h)) Δ = ∇g, h = 1/(μ(1−μ)).
    With β = e − μ (SPEC 7: β = λ + e), g(μ) = −βᵀKβ/(2c) + Σ H(μ_k) − βᵀa and its gradient is
    t − u with t = a + Kβ/c the scores of δ = b/c. Each point's σ(±u) and entropies serve its
    value, its gap and its Newton step alike.
    """

    def point(logit):  # (u, μ, 1 − μ = σ(−u), H(μ_k) per sample, Kβ, g) at u
        mu, rest = expit(logit), expit(-logit)
        entropy = entr(mu) + entr(rest)
        beta = fake_rows - mu
        k_beta = system.times(beta)  # K β = A b(μ)
        g = -(beta @ k_beta) / (2.0 * c) + float(entropy.sum()) - beta @ offset
        return logit, mu, rest, entropy, k_beta, g

    logit, mu, rest, entropy, k_beta, g = point(_clip_logit(logit0))
    for iteration in range(max_iter + 1):
        t = offset + k_beta / c  # t = a + A w with w = b(μ)/c
        # the gap Σ KL(Bern(μ_k) ‖ Bern(σ(t_k))) = Σ [softplus(t) − μ t − H(μ)], each term ≥ 0
        gap = float(np.maximum(np.logaddexp(0.0, t) - mu * t - entropy, 0.0).sum())
        if gap <= tol * max(1.0, abs(g) + gap):
            return NewtonRun(DUAL, iteration, True, False, lam=-mu, scores=t)
        if iteration == max_iter:
            break
        grad = t - logit  # ∇g(μ) = a + A b/c + log((1−μ)/μ)
        var = mu * rest  # μ(1 − μ), the diagonal of H⁻¹
        step = system.newton_step(var, grad, c)
        # Move along the curve μ(α) = σ(u + α Δ/(μ(1−μ))): it stays strictly inside (0, 1),
        # agrees with the Newton step to first order (so the local quadratic rate is kept) and
        # lets a multiplier shrink by many orders of magnitude in one step, as multipliers of
        # well-classified samples must on nearly separable data.
        logit_step = step / var
        slope = grad @ step  # > 0: an ascent direction
        alpha = 1.0
        while True:
            trial = point(_clip_logit(logit + alpha * logit_step))
            if trial[-1] >= g + ARMIJO * alpha * slope:
                break
            alpha *= 0.5
            if alpha < MIN_STEP:
                return NewtonRun(DUAL, iteration, False, True, lam=-mu, scores=t)
        logit, mu, rest, entropy, k_beta, g = trial
    return NewtonRun(DUAL, max_iter, False, False, lam=-mu, scores=t)


__all__ = ["CHOOSES_FORM", "LINEAR_SOLVERS", "OPTIONS", "solve"]
