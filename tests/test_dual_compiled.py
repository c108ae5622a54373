"""The compiled primal route (dual.backends.compiled, dual.backends._numba_primal) against
numpy's: the same problem solved to the same certified radius, the same certificate up to
float64 rounding, the same statuses and errors; numpy's route whenever numba is absent or the
data are beyond the limits."""

import importlib.util
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest
from scipy.linalg.lapack import dpotrf
from scipy.special import expit

import dual
from dual.backends import _cholesky, compiled, cost_model, newton_primal
from dual.backends.result import PRIMAL
from dual.certificate import _certify_stacked
from dual_testdata import EPS, blobs, rounding, w_radius

needs_numba = pytest.mark.skipif(
    importlib.util.find_spec("numba") is None,
    reason="numba is not installed (the optional extra 'fast'): there is no compiled route")


@pytest.fixture
def numpy_route(monkeypatch):
    """numpy's route for every size, as without numba, and plans made afresh under it."""
    monkeypatch.setattr(compiled, "_module", False)
    fresh = cost_model.CostModel(cost_model.current_model().constants)
    monkeypatch.setattr(cost_model, "current_model", lambda: fresh)


def _problem(seed):
    """A random small problem: sizes, scale, c and offsets drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    n_real, n_fake = rng.integers(1, 60, size=2)
    dim = int(rng.integers(1, compiled.MAX_FEATURES + 1))
    real, fake = blobs(n_real, n_fake, dim, rng.uniform(0.0, 4.0), seed=seed)
    scale = 10.0 ** rng.uniform(-1, 1)
    c = 10.0 ** rng.uniform(-2, 1)
    offsets = rng.normal(size=n_real + n_fake) if seed % 2 else None
    kwargs = {} if offsets is None else dict(offset_real=offsets[:n_real],
                                             offset_fake=offsets[n_real:])
    return real * scale, fake * scale, c, kwargs


def _solve_both(monkeypatch, real, fake, c, **kwargs):
    compiled_sol = dual.solve(real, fake, c, solver="native", **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(compiled, "_module", False)
        numpy_sol = dual.solve(real, fake, c, solver="native", **kwargs)
    return compiled_sol, numpy_sol


@needs_numba
@pytest.mark.parametrize("form", ["primal", "auto"])
@pytest.mark.parametrize("seed", range(12))
def test_both_routes_reach_the_same_optimum_within_the_certified_radius(monkeypatch, form,
                                                                       seed):
    """Each certified gap bounds its distance to w* by √(2·gap/c) (F is c-strongly convex), so
    the two answers lie within the sum of their radii of each other."""
    real, fake, c, kwargs = _problem(seed)
    assert compiled.module(real.shape[0] + fake.shape[0], real.shape[1]) is not None
    fast, slow = _solve_both(monkeypatch, real, fake, c, form=form, **kwargs)
    for sol in (fast, slow):
        assert sol.status == "optimal" and sol.relative_gap <= 1e-10 + rounding(sol)
    assert fast.form == "primal"  # auto takes the compiled primal on small data
    assert np.linalg.norm(fast.w - slow.w) <= w_radius(fast) + w_radius(slow)
    assert abs(fast.primal_value - slow.primal_value) <= (
        max(fast.gap, 0.0) + max(slow.gap, 0.0) + rounding(fast) + rounding(slow))


@needs_numba
@pytest.mark.parametrize("seed", range(6))
def test_a_warm_start_is_taken_or_refused_as_numpy_decides(monkeypatch, seed):
    """The warm-start test runs inside the compiled call: a nearby w0 is taken (fewer Newton
    steps than cold), one whose F(w0) overflows is refused (the cold start's steps)."""
    real, fake, c, kwargs = _problem(seed)
    first = dual.solve(real, fake, c, solver="native", form="primal", **kwargs)
    moved = fake + 0.01 * np.random.default_rng(seed).normal(size=fake.shape)
    fast, slow = _solve_both(monkeypatch, real, moved, c, form="primal", warm_start=first,
                             **kwargs)
    cold = dual.solve(real, moved, c, solver="native", form="primal", **kwargs)
    assert fast.iterations <= cold.iterations and slow.iterations <= cold.iterations
    assert np.linalg.norm(fast.w - slow.w) <= w_radius(fast) + w_radius(slow)
    far = dual.Solution.from_dict({**first.to_dict(), "w": (first.w + 1.0) * 1e200})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from F(w0) on either route
        fast, slow = _solve_both(monkeypatch, real, moved, c, form="primal", warm_start=far,
                                 **kwargs)
    assert fast.iterations == cold.iterations and np.isfinite(fast.primal_value)
    assert np.linalg.norm(fast.w - slow.w) <= w_radius(fast) + w_radius(slow)


@needs_numba
@pytest.mark.parametrize("max_iter", [0, 1])
def test_an_early_stop_warns_alike_on_both_routes(monkeypatch, max_iter):
    real, fake = blobs(30, 25, 5, 1.0, seed=7)
    runs = []
    for route in ("compiled", "numpy"):
        with monkeypatch.context() as patch:
            if route == "numpy":
                patch.setattr(compiled, "_module", False)
            with pytest.warns(dual.ConvergenceWarning, match="max_iter reached"):
                with pytest.warns(dual.InaccurateSolutionWarning, match="max_iter"):
                    sol = dual.solve(real, fake, solver="native", form="primal",
                                     max_iter=max_iter)
            runs.append(sol)
    assert [sol.status for sol in runs] == ["max_iter"] * 2
    assert [sol.iterations for sol in runs] == [max_iter] * 2
    assert np.linalg.norm(runs[0].w - runs[1].w) <= 1e3 * EPS * (1.0 + np.abs(runs[1].w).sum())


@needs_numba
@pytest.mark.parametrize("seed", range(20))
def test_the_compiled_certificate_equals_numpys_up_to_rounding(seed):
    """F, g and the stationarity residual of a linked pair (λ = −σ(t)), for scores of every
    magnitude and any b: the same sums, rounded in other orders."""
    rng = np.random.default_rng(200 + seed)
    n_real, n_fake, dim = (int(k) for k in rng.integers(1, 40, size=3))
    n = n_real + n_fake
    features = rng.normal(size=(n, dim)) * 10.0 ** rng.uniform(-3, 3)
    offset = np.zeros(n) if seed % 2 else rng.normal(size=n)
    w, c = rng.normal(size=dim), 10.0 ** rng.uniform(-3, 2)
    scores = rng.normal(size=n) * 10.0 ** rng.uniform(-8, 3, size=n)
    lam = -expit(scores)
    b = features.T @ (lam + np.r_[np.zeros(n_real), np.ones(n_fake)])
    args = (w, lam, features, n_real, c, offset)
    numpy_cert = _certify_stacked(*args, scores=scores, b=b, linked=True)
    fast = _certify_stacked(*args, scores=scores, b=b, linked=True,
                            compiled=compiled.module(n, dim))
    # sums of n terms: each within n·ε of the sum of the terms' magnitudes
    primal_terms = np.logaddexp(0.0, np.abs(scores)).sum() + c * (w @ w)
    dual_terms = (b @ b) / c + n * np.log(2.0) + np.abs(offset).sum()
    assert abs(fast.primal_value - numpy_cert.primal_value) <= 4 * n * EPS * primal_terms
    assert abs(fast.dual_value - numpy_cert.dual_value) <= 4 * (n + dim) * EPS * dual_terms
    assert abs(fast.kkt.stationarity - numpy_cert.kkt.stationarity) <= 4 * EPS * (
        np.abs(c * w).max() + np.abs(b).max())
    assert fast.kkt.link == numpy_cert.kkt.link == 0.0


@needs_numba
@pytest.mark.parametrize("order, bad", [(1, 0), (5, 0), (5, 3), (40, 17)])
def test_a_matrix_that_is_not_positive_definite_is_named_as_lapack_names_it(order, bad):
    """The compiled Cholesky step reports the order of the first leading minor that is not
    positive definite, as LAPACK's potrf does on numpy's route (the SolverError's detail)."""
    rng = np.random.default_rng(order)
    basis = rng.normal(size=(order, order))
    matrix = basis @ basis.T + order * np.eye(order)
    matrix[bad, bad] = -1.0 - np.abs(matrix[bad]).sum()  # the minor of order bad + 1 fails
    expected = dpotrf(matrix, lower=0)[1]
    assert expected == bad + 1
    kernel = compiled.module(order, order)
    assert kernel._spd_solve(matrix, np.ones(order), np.empty(order)) == expected
    error = _cholesky.not_positive_definite(expected, "primal")
    assert f"leading minor of order {bad + 1}" in str(error)
    spd = basis @ basis.T + order * np.eye(order)
    step = np.empty(order)
    assert kernel._spd_solve(spd, np.ones(order), step) == 0
    np.testing.assert_allclose(spd @ step, np.ones(order), rtol=0, atol=1e-12 * order)


@needs_numba
@pytest.mark.parametrize("n, dim", [(3, 2), (8, 8), (4, 60), (31, 64), (64, 5)])
def test_the_newton_step_solves_its_system_in_either_space(n, dim):
    """−(BᵀB + cI)⁻¹∇F through the D × D system (D ≤ n) or the n × n one (n < D): its residual
    is within a few (n + D)·ε·(‖BᵀB + cI‖‖x‖ + ‖∇F‖), the rounding of a backward-stable Cholesky
    solve, times the condition bound 1 + ‖B‖²/c that the n × n route's subtraction may lose
    (the eigenvalues of both systems lie in [c, c + ‖B‖²])."""
    rng = np.random.default_rng(n * 100 + dim)
    kernel = compiled.module(n, dim)
    for c in (1e-3, 1.0, 10.0):
        scaled = rng.normal(size=(n, dim)) * rng.uniform(0.0, 0.5, size=(n, 1))
        grad = rng.normal(size=dim)
        step = np.empty(dim)
        assert kernel._newton_step(scaled, grad, c, step) == 0
        system = scaled.T @ scaled + c * np.eye(dim)
        norm = np.linalg.norm(system, 2)
        bound = 16 * (n + dim) * EPS * (norm * np.linalg.norm(step) + np.linalg.norm(grad))
        assert np.linalg.norm(system @ step + grad) <= bound * (1.0 + norm / c)


def _import_afresh_with(monkeypatch, numba):
    """``numba`` as the module ``import numba`` gives (None: ImportError), the compiled module
    and the plans forgotten; module() then gives numpy's route and remembers it."""
    monkeypatch.setitem(sys.modules, "numba", numba)
    monkeypatch.delitem(sys.modules, "dual.backends._numba_primal", raising=False)
    monkeypatch.delattr(dual.backends, "_numba_primal", raising=False)
    monkeypatch.setattr(compiled, "_module", None)
    fresh = cost_model.CostModel(cost_model.current_model().constants)
    monkeypatch.setattr(cost_model, "current_model", lambda: fresh)
    assert compiled.module(4, 2) is None and compiled._module is False


def test_without_numba_every_size_takes_numpys_route(monkeypatch):
    """numba not importable: module() says so once, and dual.solve runs numpy's Newton method
    and certificate, to the same certified gap."""
    _import_afresh_with(monkeypatch, None)  # import numba raises ImportError
    calls = []
    numpy_newton = newton_primal.newton_primal
    monkeypatch.setattr(newton_primal, "newton_primal",
                        lambda *args: calls.append(args) or numpy_newton(*args))
    real, fake = blobs(8, 8, 2, 1.0, seed=11)
    sol = dual.solve(real, fake, solver="native", form="auto")
    assert calls and sol.form == "primal" and "(compiled)" not in sol.choice.reason
    assert sol.relative_gap <= 1e-10 + rounding(sol)


def test_numba_that_cannot_cache_its_code_leaves_numpys_route(monkeypatch):
    """numba installed where no directory takes its cache (a read-only installation and home):
    its decorator raises RuntimeError on import, and the solver runs numpy's route."""
    broken = types.ModuleType("numba")

    def njit(*args, **kwargs):
        raise RuntimeError("cannot cache function '_softplus': no locator available")

    broken.njit = njit
    _import_afresh_with(monkeypatch, broken)
    real, fake = blobs(8, 8, 2, 1.0, seed=12)
    sol = dual.solve(real, fake, solver="native", form="auto")
    assert "(compiled)" not in sol.choice.reason
    assert sol.relative_gap <= 1e-10 + rounding(sol)


def test_the_route_follows_the_size_limits(numpy_route):
    """Beyond MAX_FEATURES or MAX_ENTRIES numpy's route runs, numba or not; within them the
    compiled one runs when numba is importable (see the tests above)."""
    assert compiled.module(4, compiled.MAX_FEATURES + 1) is None
    too_many = compiled.MAX_ENTRIES // compiled.MAX_FEATURES + 1
    assert compiled.module(too_many, compiled.MAX_FEATURES) is None


@needs_numba
def test_auto_plans_the_compiled_primal_on_small_data_only(monkeypatch):
    """On small data the compiled primal is predicted without its numpy calls and planned; on
    large data the plan is the one numpy's route gets."""
    model = cost_model.CostModel(cost_model.current_model().constants)
    small = model.plan(32, 64)
    assert small.method == PRIMAL and f"{PRIMAL} (compiled)" in small.reason
    assert model.steps(32, 64, compiled=True)[PRIMAL] < model.steps(32, 64)[PRIMAL]
    large = model.plan(4000, 200)
    monkeypatch.setattr(compiled, "_module", False)
    assert cost_model.CostModel(model.constants).plan(4000, 200) == large
    assert "(compiled)" not in large.reason


def test_import_dual_leaves_numba_unimported():
    """numba (about 0.2 s to import) is imported by the first problem within the limits, not by
    ``import dual``."""
    code = "import sys, dual; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
