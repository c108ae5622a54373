"""Unusual but valid inputs: tiny sets, duplicates, zero columns, lists, other dtypes, tensors."""

import numpy as np
import pytest

import dual
from dual_testdata import (
    DATASETS,
    blobs,
    gap_bound,
    lam_radius,
    oracle_radius,
    rounding,
    w_radius,
)

FORMS = ("primal", "dual")


def reference(real, fake, c=1.0, form="primal"):
    return dual.solve(np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64), c,
                      form=form, solver="CLARABEL")


@pytest.mark.parametrize("form", FORMS)
def test_one_real_sample(form):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    _, fake = blobs(1, 20, 2, 2.0, seed=30)
    real = np.array([[1.0, 0.5]])
    sol = dual.solve(real, fake, 1.0, form=form)
    assert sol.lam_real.shape == (1,)
    assert sol.relative_gap <= dual.GAP_WARN_RTOL
    X, y = np.vstack([real, fake]), np.r_[0.0, np.ones(20)]
    w_ref = sklearn_linear.LogisticRegression(C=1.0, fit_intercept=False, tol=1e-12,
                                              solver="newton-cg").fit(X, y).coef_.ravel()
    # each within its certified radius of w* (dual_testdata)
    assert np.linalg.norm(sol.w - w_ref) <= w_radius(sol) + oracle_radius(w_ref, real, fake, 1.0)


def test_one_sample_on_each_side():
    sol = dual.solve([[2.0, -1.0]], [[0.5, 0.5]], 1.0)
    assert sol.w.shape == (2,) and sol.lam.shape == (2,)
    assert sol.relative_gap <= dual.GAP_WARN_RTOL


@pytest.mark.parametrize("form", FORMS)
def test_duplicate_points_are_allowed(form):
    real, fake = DATASETS["overlapping"]
    real = np.vstack([real, real[:3], real[:1]])  # some points three times
    sol = dual.solve(real, fake, 1.0, form=form)
    assert sol.relative_gap <= dual.GAP_WARN_RTOL
    # SPEC 3: identical points get identical optimal multipliers, and each returned one is
    # within ‖λ − λ*‖ ≤ √(gap/2) of its optimum
    assert abs(sol.lam_real[0] - sol.lam_real[-1]) <= 2 * lam_radius(sol)
    assert abs(sol.lam_real[1] - sol.lam_real[31]) <= 2 * lam_radius(sol)


@pytest.mark.parametrize("form", FORMS)
def test_a_zero_column_gets_zero_weight(form):
    real, fake = DATASETS["overlapping"]
    zero = np.zeros((len(real), 1)), np.zeros((len(fake), 1))
    padded = dual.solve(np.hstack([real[:, :1], zero[0], real[:, 1:]]),
                        np.hstack([fake[:, :1], zero[1], fake[:, 1:]]), 1.0, form=form)
    plain = reference(real, fake, form=form)
    # the feature never enters the loss, so only (c/2) w_1² acts on it: w*_1 = 0, and the
    # other two coordinates solve the unpadded problem; each answer within its own radius
    assert abs(padded.w[1]) <= w_radius(padded)
    assert np.linalg.norm(padded.w[[0, 2]] - plain.w) <= w_radius(padded) + w_radius(plain)
    if form == "dual":  # w = b(λ)/c and the column of b is a sum of zeros: exactly 0
        assert padded.w[1] == 0.0


def test_identical_real_and_fake_sets_as_lists():
    X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]]
    sol = dual.solve(X, X, 2.0, form="dual")
    # w* = 0 by symmetry (see the closed-form test in test_dual_solvers.py); F* = 6 log 2
    assert np.linalg.norm(sol.w) <= w_radius(sol)
    assert np.linalg.norm(sol.lam + 0.5) <= lam_radius(sol)
    assert -rounding(sol) <= sol.primal_value - 6 * np.log(2) <= gap_bound(sol)


def test_nested_lists_equal_arrays():
    real, fake = DATASETS["overlapping"]
    from_lists = dual.solve(real.tolist(), fake.tolist(), 1.0, form="primal")
    np.testing.assert_array_equal(from_lists.w, reference(real, fake).w)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8])
def test_integer_dtype(dtype):
    rng = np.random.default_rng(31)
    real, fake = rng.integers(0, 5, size=(15, 2)), rng.integers(2, 7, size=(12, 2))
    sol = dual.solve(real.astype(dtype), fake.astype(dtype), 1.0, form="primal")
    np.testing.assert_array_equal(sol.w, reference(real, fake).w)


def test_float32_is_solved_in_float64():
    real, fake = DATASETS["overlapping"]
    real32, fake32 = real.astype(np.float32), fake.astype(np.float32)
    sol = dual.solve(real32, fake32, 1.0, form="primal")
    assert sol.w.dtype == np.float64 and sol.lam.dtype == np.float64
    np.testing.assert_array_equal(sol.w, reference(real32, fake32).w)


def test_boolean_features():
    rng = np.random.default_rng(32)
    real, fake = rng.random((10, 3)) < 0.3, rng.random((10, 3)) < 0.7
    sol = dual.solve(real, fake, 1.0, form="primal")
    np.testing.assert_array_equal(sol.w, reference(real, fake).w)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_cpu_torch_tensor(requires_grad):
    torch = pytest.importorskip("torch")
    real, fake = DATASETS["overlapping"]
    t_real = torch.tensor(real, dtype=torch.float64, requires_grad=requires_grad)
    t_fake = torch.tensor(fake, dtype=torch.float64)
    sol = dual.solve(t_real, t_fake, 1.0, form="primal")
    assert isinstance(sol.w, np.ndarray)
    np.testing.assert_array_equal(sol.w, reference(real, fake).w)
    # float32 tensors go the same way as float32 arrays
    sol32 = dual.solve(t_real.detach().float(), t_fake.float(), 1.0, form="primal")
    np.testing.assert_array_equal(sol32.w, reference(real.astype(np.float32),
                                                     fake.astype(np.float32)).w)


def test_numpy_scalar_c_and_lowercase_solver():
    real, fake = DATASETS["overlapping"]
    sol = dual.solve(real, fake, np.float32(0.5), form="primal", solver="clarabel")
    assert sol.solver == "CLARABEL" and sol.c == 0.5
    np.testing.assert_array_equal(sol.w, reference(real, fake, c=0.5).w)
    assert dual.solve(real, fake, 2, form="primal").c == 2.0  # an int c
