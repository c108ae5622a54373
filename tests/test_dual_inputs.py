"""Unusual but valid inputs: tiny sets, duplicates, zero columns, lists, other dtypes, tensors."""

import numpy as np
import pytest
from dual_testdata import DATASETS, blobs

import dual

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
    assert sol.relative_gap <= 1e-6
    X, y = np.vstack([real, fake]), np.r_[0.0, np.ones(20)]
    w_ref = sklearn_linear.LogisticRegression(C=1.0, fit_intercept=False, tol=1e-12,
                                              solver="newton-cg").fit(X, y).coef_.ravel()
    np.testing.assert_allclose(sol.w, w_ref, atol=1e-4)


def test_one_sample_on_each_side():
    sol = dual.solve([[2.0, -1.0]], [[0.5, 0.5]], 1.0)
    assert sol.w.shape == (2,) and sol.lam.shape == (2,)
    assert sol.relative_gap <= 1e-6


@pytest.mark.parametrize("form", FORMS)
def test_duplicate_points_are_allowed(form):
    real, fake = DATASETS["overlapping"]
    real = np.vstack([real, real[:3], real[:1]])  # some points three times
    sol = dual.solve(real, fake, 1.0, form=form)
    assert sol.relative_gap <= 1e-6
    # SPEC 3: identical points get identical multipliers
    assert sol.lam_real[0] == pytest.approx(sol.lam_real[-1], abs=1e-5)
    assert sol.lam_real[1] == pytest.approx(sol.lam_real[31], abs=1e-5)


@pytest.mark.parametrize("form", FORMS)
def test_a_zero_column_gets_zero_weight(form):
    real, fake = DATASETS["overlapping"]
    zero = np.zeros((len(real), 1)), np.zeros((len(fake), 1))
    padded = dual.solve(np.hstack([real[:, :1], zero[0], real[:, 1:]]),
                        np.hstack([fake[:, :1], zero[1], fake[:, 1:]]), 1.0, form=form)
    plain = reference(real, fake, form=form)
    # the feature never enters the loss, so only (c/2) w_1² acts on it: w_1 = 0
    assert abs(padded.w[1]) <= 1e-8
    np.testing.assert_allclose(padded.w[[0, 2]], plain.w, atol=1e-5)
    if form == "dual":  # w = b(λ)/c and the column of b is a sum of zeros: exactly 0
        assert padded.w[1] == 0.0


def test_identical_real_and_fake_sets_as_lists():
    X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]]
    sol = dual.solve(X, X, 2.0, form="dual")
    # w* = 0 by symmetry (see the closed-form test in test_dual_solvers.py); F = 6 log 2
    np.testing.assert_allclose(sol.w, 0.0, atol=1e-6)
    np.testing.assert_allclose(sol.lam, -0.5, atol=1e-6)
    assert sol.primal_value == pytest.approx(6 * np.log(2), rel=1e-9)


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
