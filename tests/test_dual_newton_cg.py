"""Newton-CG (dual.backends.newton_cg) and the choice of form="auto" (dual.backends.cost_model):
the CG step against a Newton step solved from an explicitly formed Hessian, the hand-over when
the allowance of products runs out, the cost model's arithmetic on given constants, and the record
on the Solution."""

import warnings

import numpy as np
import pytest

import dual
from dual.backends import cost_model
from dual.backends.newton_cg import RATE_PRODUCTS, _pcg, newton_cg_primal
from dual.calibration import Calibration
from dual_testdata import blobs, rounding, w_radius

TOL = 1e-10


def _ill_conditioned(seed):
    """(200, 30) real and fake samples with feature scales over four decades in a random basis:
    a Hessian that neither CG nor its diagonal preconditioner handles in a few products."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    scales = np.logspace(-2, 2, 30)
    real = (rng.normal(size=(200, 30)) * scales + scales / 30) @ basis
    return real, (rng.normal(size=(200, 30)) * scales) @ basis


def _stacked(real, fake):
    a = np.vstack([real, fake])
    fake_rows = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    return a, fake_rows


def _explicit_newton_system(a, fake_rows, w, c):
    """SPEC 1: ∇F = Aᵀ(σ − e) + c w and ∇²F = Aᵀ diag(σ(1 − σ)) A + c I, formed term by term."""
    sig = 1.0 / (1.0 + np.exp(-(a @ w)))
    grad = sum((s - e) * row for s, e, row in zip(sig, fake_rows, a)) + c * w
    hessian = sum(s * (1 - s) * np.outer(row, row) for s, row in zip(sig, a)) + c * np.eye(len(w))
    return sig, grad, hessian


@pytest.mark.parametrize("shape", [(40, 5), (6, 30)])  # n >= D (Jacobi) and n < D (none)
def test_cg_step_is_the_newton_step(shape):
    n_half, d = shape
    real, fake = blobs(n_half, n_half, d, 1.0, seed=11)
    a, fake_rows = _stacked(real, fake)
    c = 0.5
    w = np.random.default_rng(12).normal(size=d) * 0.3
    sig, grad, hessian = _explicit_newton_system(a, fake_rows, w, c)
    inverse_diagonal = 1.0 / np.diag(hessian) if a.shape[0] >= d else None
    residual2 = 1e-24 * (grad @ grad)
    x, a_x, used, solved = _pcg(a, sig * (1 - sig), c, grad, inverse_diagonal, residual2, 4 * d)
    assert solved
    newton = np.linalg.solve(hessian, -grad)
    # ∇²F ⪰ c I, so ‖x − x_N‖ ≤ ‖∇²F x + ∇F‖ / c ≤ √residual2 / c
    assert np.linalg.norm(x - newton) <= np.sqrt(residual2) / c * (1 + 1e-6) + 1e-12
    assert np.allclose(a_x, a @ x, rtol=1e-10, atol=1e-12)  # A x accumulated from the A p


@pytest.mark.parametrize("products", [1, 2, 3])
def test_truncated_cg_direction_descends(products):
    real, fake = blobs(50, 50, 20, 1.0, seed=13)
    a, fake_rows = _stacked(real, fake)
    c = 0.1
    w = np.zeros(20)
    sig, grad, hessian = _explicit_newton_system(a, fake_rows, w, c)
    x, _, used, solved = _pcg(a, sig * (1 - sig), c, grad, None, 0.0, products)
    assert used == products and not solved
    # CG from 0 lowers the model m(x) = ∇Fᵀx + ½xᵀ∇²F x below m(0) = 0, so ∇Fᵀx < −½xᵀ∇²F x < 0
    assert grad @ x < -0.5 * x @ hessian @ x < 0


def test_allowance_hands_over_to_the_factored_method():
    real, fake = _ill_conditioned(14)
    a, fake_rows = _stacked(real, fake)
    allowance = (RATE_PRODUCTS, 1.5)
    run = newton_cg_primal(a, np.zeros(400), fake_rows, 1.0, None, TOL, 100, allowance)
    assert run.exhausted and not run.converged
    assert run.products <= RATE_PRODUCTS + 1.5 * run.iterations


def _constants(pass_seconds, syrk_rate, cholesky_seconds, sample=1e-9, call=1e-6):
    """Calibration constants with one pass over k entries costing pass_seconds·k, syrk at a
    flat rate and a Cholesky of order k costing cholesky_seconds·k³."""
    sizes = np.array([2.0**10, 2.0**13, 2.0**16, 2.0**19, 2.0**22])
    orders = np.array([8.0, 32, 128, 512, 1024])
    return Calibration(key="test", measured="now", pass_sizes=sizes,
                       pass_seconds=pass_seconds * sizes, syrk_orders=orders[:4],
                       syrk_rates=np.full(4, syrk_rate), cholesky_orders=orders,
                       cholesky_seconds=cholesky_seconds * orders**3,
                       sample_seconds=sample, call_seconds=call)


def test_cost_model_interpolates_and_extrapolates_the_tables():
    model = cost_model.CostModel(_constants(1e-9, 1e10, 1e-10))
    # linear tables reproduce themselves between points (log-log interpolation of y = k·x)
    assert model.pass_(3000) == pytest.approx(3e-6, rel=1e-12)
    assert model.pass_(2.0**24) == pytest.approx(2.0**24 * 1e-9, rel=1e-12)  # ∝ size beyond
    assert model.pass_(10) == pytest.approx(2.0**10 * 1e-9)  # the fixed cost below the table
    assert model.cholesky(300) == pytest.approx(1e-10 * 300**3, rel=1e-12)
    assert model.cholesky(4096) == pytest.approx(1e-10 * 4096**3, rel=1e-12)  # ∝ order³ beyond
    assert model.syrk(100, 1000) == pytest.approx(1e-6 + 1000 * 100**2 / 1e10)


def test_plan_allowance_is_the_break_even_count_of_products():
    model = cost_model.CostModel(_constants(1e-9, 1e10, 1e-10))
    n, d = 4000, 200
    plan = model.plan(n, d)
    costs = model.steps(n, d)
    assert plan.method == cost_model.CG and plan.fallback == cost_model.PRIMAL  # n > D: no dual
    per_step = (costs[cost_model.PRIMAL] - costs[cost_model.CG]) / costs["product"]
    assert plan.budget == int(per_step) and plan.increment == pytest.approx(per_step)
    assert model.plan(n, d) is plan  # cached per shape
    wide = model.plan(1000, 3000)  # the dual's Gram matrix, paid once, widens the first step's
    costs = model.steps(1000, 3000)
    assert wide.method == cost_model.CG and wide.fallback == cost_model.DUAL
    assert wide.budget == int(
        (costs["gram"] + costs[cost_model.DUAL] - costs[cost_model.CG]) // costs["product"])
    assert wide.increment == pytest.approx(
        (costs[cost_model.DUAL] - costs[cost_model.CG]) / costs["product"])


def test_plan_is_factored_when_products_are_dear():
    # a pass costs as much as a whole Cholesky: not RATE_PRODUCTS products fit in a step
    model = cost_model.CostModel(_constants(1e-3, 1e12, 1e-12))
    plan = model.plan(100, 20)
    assert plan.method == plan.fallback == cost_model.PRIMAL and plan.budget == 0
    wide = model.plan(10, 400)  # n ≤ D: the dual's Gram matrix is the cheaper factored step
    assert wide.method == cost_model.DUAL


def test_the_dual_step_is_charged_its_extra_numpy_calls():
    """Each step pays its numpy calls at call_seconds: the primal's 20 and its syrk, the dual's
    20 and DUAL_EXTRA_CALLS more. At n = D, where the flops of the two steps agree, the calls
    decide, and the primal is taken."""
    n, call = 64, 1e-6
    dear = cost_model.CostModel(_constants(1e-9, 1e12, 1e-12, call=call)).steps(n, n)
    free = cost_model.CostModel(_constants(1e-9, 1e12, 1e-12, call=0.0)).steps(n, n)
    calls = {m: (dear[m] - free[m]) / call for m in (cost_model.PRIMAL, cost_model.DUAL)}
    assert calls[cost_model.PRIMAL] == pytest.approx(21, rel=1e-9)
    assert calls[cost_model.DUAL] == pytest.approx(20 + cost_model.DUAL_EXTRA_CALLS, rel=1e-9)
    plan = cost_model.CostModel(_constants(1e-9, 1e12, 1e-12, call=call)).plan(n, n)
    assert plan.fallback == cost_model.PRIMAL


def test_auto_records_its_choice_and_it_survives_a_round_trip(monkeypatch):
    real, fake = blobs(150, 150, 20, 1.0, seed=15)
    model = cost_model.CostModel(_constants(1e-9, 1e9, 1e-9))
    monkeypatch.setattr(cost_model, "current_model", lambda: model)
    sol = dual.solve(real, fake, solver="native", form="auto")
    plan = model.plan(300, 20)
    assert sol.choice.method.startswith(plan.method) and sol.choice.budget == plan.budget
    assert sol.choice.predicted == plan.predicted and plan.reason in sol.choice.reason
    assert sol.relative_gap <= TOL + rounding(sol) / max(1.0, abs(sol.primal_value))
    back = dual.Solution.from_dict(sol.to_dict())
    assert back == sol and isinstance(back.choice, dual.AutoChoice)
    old = sol.to_dict()
    del old["choice"]  # a record written before the field existed
    assert dual.Solution.from_dict(old).choice is None
    assert dual.solve(real, fake, solver="native", form="primal").choice is None


def test_a_handed_over_solve_is_certified_and_says_so(monkeypatch):
    real, fake = _ill_conditioned(16)
    model = cost_model.CostModel(_constants(1e-9, 1e9, 1e-9))
    model._plans[(400, 30)] = cost_model.Plan(cost_model.CG, cost_model.PRIMAL, RATE_PRODUCTS,
                                              1.0, {}, "test plan")
    monkeypatch.setattr(cost_model, "current_model", lambda: model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = dual.solve(real, fake, solver="native", form="auto")
    assert sol.choice.method == "primal/newton-cg, then primal/cholesky"
    assert "finished" in sol.choice.reason and sol.form == "primal"
    ref = dual.solve(real, fake, solver="native", form="primal")
    assert np.linalg.norm(sol.w - ref.w) <= w_radius(sol) + w_radius(ref)
