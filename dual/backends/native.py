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

This module is the dispatch: options, the memory plan and the choice of method. The methods are
:mod:`dual.backends.newton_primal`, :mod:`dual.backends.newton_dual` and
:mod:`dual.backends.newton_cg`.

Precision: float64 throughout, float32 inputs included (the front ends convert them). A float32
path was measured and not adopted: Newton-CG with its Hessian-vector products on the float32
data (gradients, line search and stopping rule still in float64) was 2.3× faster on a 2000 × 1000
problem that does not fit in cache, no faster on smaller ones, and on an ill-conditioned one
(feature scales over four decades in a random basis, 2000 × 300) its steps lost so much accuracy
that it stopped at a relative gap of 8e-9 instead of 1e-10.
"""

import warnings
from dataclasses import replace

from dualgan.validation import check_choice, check_int, check_real

from .. import memory
from ..exceptions import ConvergenceWarning, ResourceError, _size
from ..solution import AutoChoice
from . import compiled as compiled_route
from . import cost_model, newton_dual, newton_primal
from .newton_cg import newton_cg_primal
from .result import AUTO, CG, DUAL, PRIMAL, BackendResult

#: form="auto" is offered: the method predicted cheapest (:mod:`dual.backends.cost_model`).
CHOOSES_FORM = True
OPTIONS = ("tol", "max_iter", "linear_solver")
LINEAR_SOLVERS = ("cholesky", "cg")

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
        Primal start, taken when F(w0) beats the cold start's F(0)
        (:func:`dual.backends.newton_primal.warm_start`); the dual starts from
        λ = −σ(a + A w0) when ``logit0`` is not given.
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
        if compiled is not None:  # the warm start's test (warm_start) included
            return newton_primal.compiled_primal(compiled, problem, w0, tol, max_iter)
    fake_rows = problem.fake_rows()
    warm = None if w0 is None else newton_primal.warm_start(a, offset, fake_rows, c, w0)
    if method == CG:
        return newton_cg_primal(a, offset, fake_rows, c, None if warm is None else warm[0], tol,
                                max_iter, allowance)
    if method == PRIMAL:
        return newton_primal.newton_primal(a, offset, fake_rows, c, warm, tol, max_iter)
    if logit0 is None:  # SPEC 3, 7: μ = −λ = σ(a + A w)
        logit0 = offset if warm is None else warm[1]
    system = newton_dual.GramSystem(problem.gram) if problem.gram is not None else (
        newton_dual.GramSystem.of_features(a) if a.shape[0] <= a.shape[1]
        else newton_dual.WoodburySystem(a))
    return newton_dual.newton_dual(system, offset, fake_rows, c, logit0, tol, max_iter)


__all__ = ["CHOOSES_FORM", "LINEAR_SOLVERS", "OPTIONS", "solve"]
