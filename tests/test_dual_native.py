"""The native Newton backend against CVXPY, scikit-learn and the SPEC identities."""

import warnings

import numpy as np
import pytest

import dual
from dual_testdata import gap_bound, lam_radius, oracle_radius, rounding, w_radius

TOL = 1e-10  # the native backend's default tol: it stops once gap <= tol·max(1, |F|)

sklearn_linear = pytest.importorskip("sklearn.linear_model")


def _blobs(rng, n_real, n_fake, d, shift):
    real = rng.normal(size=(n_real, d)) + shift
    fake = rng.normal(size=(n_fake, d))
    return real, fake


def _datasets():
    rng = np.random.default_rng(20261127)
    yield "overlapping", *_blobs(rng, 60, 50, 3, 0.3), 1.0
    yield "separated", *_blobs(rng, 40, 40, 2, 4.0), 1.0
    real, fake = _blobs(rng, 50, 50, 2, 6.0)  # nearly separable with tiny c: large w
    yield "nearly_separable_tiny_c", real, fake, 1e-3
    yield "large_c", *_blobs(rng, 30, 70, 4, 1.0), 1e3
    yield "d50", *_blobs(rng, 80, 80, 50, 0.2), 1.0
    yield "d_gg_n", *_blobs(rng, 10, 12, 200, 0.5), 1.0


DATASETS = {name: (real, fake, c) for name, real, fake, c in _datasets()}

#: every way the native backend can solve features: (form, options)
METHODS = {"primal": ("primal", {}), "dual": ("dual", {}), "auto": ("auto", {}),
           "primal-cg": ("primal", {"linear_solver": "cg"})}


def _sklearn_w(real, fake, c):
    # SPEC 1: label real 0 and fake 1; LogisticRegression(C=1/c) minimizes F/c.
    x = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    model = sklearn_linear.LogisticRegression(
        C=1.0 / c, fit_intercept=False, tol=1e-12, max_iter=100000, solver="newton-cg"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    return model.coef_.ravel()


def within_native_tol(sol):
    """The stated accuracy: relative gap <= tol, up to the rounding in the recomputed gap."""
    return sol.relative_gap <= TOL + rounding(sol) / max(1.0, abs(sol.primal_value))


@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_native_matches_sklearn_and_is_certified(name, method):
    real, fake, c = DATASETS[name]
    form, options = METHODS[method]
    sol = dual.solve(real, fake, c, solver="native", form=form, **options)
    assert sol.status == "optimal"
    assert within_native_tol(sol)
    w_ref = _sklearn_w(real, fake, c)
    # ‖w − w*‖ ≤ √(2·gap/c) for the solution, ‖w_ref − w*‖ ≤ ‖∇F(w_ref)‖/c for the oracle
    assert np.linalg.norm(sol.w - w_ref) <= w_radius(sol) + oracle_radius(w_ref, real, fake, c)
    # F(w*) is the minimum: F(w) ≤ F* + gap ≤ F(w_ref) + gap
    assert sol.primal_value <= dual.primal_objective(w_ref, real, fake, c) + gap_bound(sol)


@pytest.mark.parametrize("cvx_form", ["primal", "dual"])
@pytest.mark.parametrize("name", ["overlapping", "separated", "large_c", "d50"])
def test_native_matches_cvxpy(name, cvx_form):
    real, fake, c = DATASETS[name]
    ref = dual.solve(real, fake, c, solver="CLARABEL", form=cvx_form)
    for form, options in METHODS.values():
        sol = dual.solve(real, fake, c, solver="native", form=form, **options)
        # the same optimum, each answer within its own certified radius of it
        assert abs(sol.primal_value - ref.primal_value) <= max(gap_bound(sol), gap_bound(ref))
        assert abs(sol.dual_value - ref.dual_value) <= max(gap_bound(sol), gap_bound(ref))
        assert np.linalg.norm(sol.w - ref.w) <= w_radius(sol) + w_radius(ref)
        assert np.linalg.norm(sol.lam - ref.lam) <= lam_radius(sol) + lam_radius(ref)
        # the native answer is certified to its tol, at least as tightly as CLARABEL's 1e-8
        assert within_native_tol(sol)


@pytest.mark.parametrize("method", ["primal", "dual", "primal-cg"])
def test_warm_start_takes_fewer_iterations(method):
    rng = np.random.default_rng(3)
    real, fake = _blobs(rng, 300, 300, 20, 0.5)
    form, options = METHODS[method]
    first = dual.solve(real, fake, solver="native", form=form, **options)
    moved = fake + 0.01 * rng.normal(size=fake.shape)  # as after one generator step
    cold = dual.solve(real, moved, solver="native", form=form, **options)
    warm = dual.solve(real, moved, solver="native", form=form, warm_start=first, **options)
    assert warm.iterations < cold.iterations
    assert abs(warm.primal_value - cold.primal_value) <= max(gap_bound(warm), gap_bound(cold))
    assert np.linalg.norm(warm.w - cold.w) <= w_radius(warm) + w_radius(cold)


def test_warm_start_with_other_sizes():
    rng = np.random.default_rng(4)
    real, fake = _blobs(rng, 50, 50, 3, 0.5)
    first = dual.solve(real, fake, solver="native", form="dual")
    # fewer fakes, same D: the previous w still gives a start (λ = −σ(Aw) on the new data)
    smaller = dual.solve(real, fake[:20], solver="native", form="dual", warm_start=first)
    assert smaller.lam_fake.shape == (20,) and within_native_tol(smaller)
    # another D: falls back to a cold start
    other = dual.solve(real[:, :2], fake[:, :2], solver="native", warm_start=first)
    cold = dual.solve(real[:, :2], fake[:, :2], solver="native")
    assert other.iterations == cold.iterations
    with pytest.raises(TypeError, match="warm_start must be a dual.Solution"):
        dual.solve(real, fake, solver="native", warm_start=first.w)


EXTREMES = {
    "tiny_c": (lambda rng: _blobs(rng, 100, 100, 2, 3.0), 1e-4),
    "huge_c": (lambda rng: _blobs(rng, 100, 100, 2, 3.0), 1e4),
    "nearly_separable": (lambda rng: _blobs(rng, 200, 200, 5, 8.0), 1e-2),
    "duplicates": (lambda rng: (np.repeat(rng.normal(size=(5, 3)), 20, axis=0),
                                np.repeat(rng.normal(size=(4, 3)), 25, axis=0)), 1.0),
    "zero_column": (lambda rng: tuple(np.c_[x, np.zeros(len(x))]
                                      for x in _blobs(rng, 40, 40, 3, 1.0)), 1.0),
    "d_much_larger": (lambda rng: _blobs(rng, 5, 5, 1000, 0.1), 1.0),
    "d_much_larger_tiny_c": (lambda rng: _blobs(rng, 5, 5, 1000, 0.1), 1e-4),
}


@pytest.mark.parametrize("method", ["primal", "dual", "primal-cg"])
@pytest.mark.parametrize("name", sorted(EXTREMES))
def test_extreme_regimes_are_finite_and_certified(name, method):
    make, c = EXTREMES[name]
    real, fake = make(np.random.default_rng(7))
    form, options = METHODS[method]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, no InaccurateSolutionWarning
        sol = dual.solve(real, fake, c, solver="native", form=form, **options)
    values = [sol.primal_value, sol.dual_value, *sol.w, *sol.lam]
    assert np.all(np.isfinite(values))
    assert np.all(sol.lam >= -1) and np.all(sol.lam <= 0)
    assert within_native_tol(sol)
    # weak duality, re-evaluated through the public objectives (up to their rounding)
    assert dual.primal_objective(sol.w, real, fake, c) >= dual.dual_objective(
        sol.lam_real, sol.lam_fake, real, fake, c) - rounding(sol)
    if name == "zero_column":
        assert sol.w[-1] == 0.0


def test_identical_sets_give_zero_weights_without_iterating():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 4))
    for form, options in METHODS.values():
        sol = dual.solve(x, x.copy(), solver="native", form=form, **options)
        assert sol.iterations == 0
        # w = 0 is optimal and is the start: b(−1/2) = 0 exactly, every multiplier is
        # −σ(0) = −1/2 and F = (N + M) log 2, all up to float64 rounding
        assert np.abs(sol.w).max() <= 1e-14
        assert np.all(sol.lam == -0.5)
        assert sol.primal_value == pytest.approx(60 * np.log(2.0), rel=1e-14)


def test_gap_of_a_primal_iterate_is_gradient_norm():
    """SPEC 3: F(w) − g(λ(w)) = ‖∇F(w)‖²/(2c) for any w, with λ(w) = −σ(Aw).

    ∇F is taken by central finite differences of the public primal objective.
    """
    rng = np.random.default_rng(6)
    real, fake = _blobs(rng, 20, 15, 3, 0.4)
    c = 0.7
    w = rng.normal(size=3)
    lam_real, lam_fake = dual.lambdas_from_w(w, real, fake)
    gap = dual.primal_objective(w, real, fake, c) - dual.dual_objective(
        lam_real, lam_fake, real, fake, c)
    h = 1e-6
    grad = np.array([
        (dual.primal_objective(w + h * e, real, fake, c)
         - dual.primal_objective(w - h * e, real, fake, c)) / (2 * h)
        for e in np.eye(3)
    ])
    # central differences: truncation O(h²) ≈ 1e-12, rounding O(ε·|F|/h) ≈ 1e-9 relative
    assert gap == pytest.approx(grad @ grad / (2 * c), rel=1e-6)


def test_iteration_limit_warns_and_flags():
    rng = np.random.default_rng(8)
    real, fake = _blobs(rng, 100, 100, 5, 1.0)
    with pytest.warns(dual.ConvergenceWarning, match="max_iter"):
        with pytest.warns(dual.InaccurateSolutionWarning, match="max_iter"):
            sol = dual.solve(real, fake, solver="native", form="primal", max_iter=1)
    assert sol.status == "max_iter" and sol.iterations == 1


@pytest.mark.parametrize("options, error, match", [
    ({"tol": 0.0}, ValueError, r"tol must be a finite number in \(0, 1\), got 0.0"),
    ({"tol": 1.0}, ValueError, r"tol must be a finite number in \(0, 1\), got 1.0"),
    ({"tol": "small"}, TypeError,
     r"tol must be a real number in \(0, 1\), got 'small' of type str"),
    ({"max_iter": -1}, ValueError, "max_iter must be an integer >= 0, got -1"),
    ({"max_iter": 2.5}, TypeError, "max_iter must be an integer >= 0, got 2.5 of type float"),
    ({"eps": 1e-9}, TypeError, r"unknown option\(s\) \['eps'\] for solver 'native'"),
    ({"linear_solver": "lu"}, ValueError,
     r"linear_solver must be one of \['cholesky', 'cg'\], got 'lu'"),
    ({"linear_solver": "cg", "form": "dual"}, ValueError,
     r"linear_solver='cg' solves the primal on features: it needs form='primal'"),
    ({"linear_solver": "cg", "form": "auto"}, ValueError,
     r"linear_solver is chosen by form='auto'"),
])
def test_bad_native_options(options, error, match):
    real, fake = _blobs(np.random.default_rng(9), 5, 5, 2, 1.0)
    with pytest.raises(error, match=match):
        dual.solve(real, fake, solver="native", **options)


def test_auto_form_is_native_only():
    real, fake = _blobs(np.random.default_rng(10), 5, 5, 2, 1.0)
    with pytest.raises(ValueError, match=r"form must be one of .*got 'auto'"):
        dual.solve(real, fake, solver="CLARABEL", form="auto")
