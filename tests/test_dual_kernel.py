"""``dual.solve_kernel`` (SPEC 7) against the feature path on K = A Aᵀ, for every backend.

With K = A Aᵀ the kernel problem *is* the feature problem with features A, so both paths must
reach the same optimum; each answer is held to its own certificate (dual_testdata's radii: the
kernel solution's primal point δ = Aᵀβ/c lives in the same space as w).
"""

import functools

import numpy as np
import pytest

import dual
from dual.kernel import gram_factor
from dual_testdata import blobs, gap_bound, lam_radius, rounding, sigmoid, w_radius

SOLVERS = ["native"] + dual.available_solvers()
FORMS = ("dual", "primal")
NATIVE_TOL = 1e-10


def _digits():
    """Real features: 8×8 digits (D = 64) scaled to [0, 1], zeros real and ones fake."""
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    return x[y == 0][:40] / 16.0, x[y == 1][:35] / 16.0


def _case(real, fake, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    offset = scale * rng.normal(size=len(real) + len(fake))
    new = rng.normal(size=(9, real.shape[1]))
    return real, fake, offset, new


CASES = {
    "n_below_d": lambda: _case(*blobs(6, 8, 40, 1.0, seed=60), seed=61),
    "n_above_d": lambda: _case(*blobs(40, 35, 3, 1.5, seed=62), seed=63),
    "digits": lambda: _case(*_digits(), seed=64),
}


@functools.lru_cache(maxsize=None)
def case(name):
    return CASES[name]()


@functools.lru_cache(maxsize=None)
def features_solution(name):
    real, fake, offset, _ = case(name)
    n_real = len(real)
    return dual.solve(real, fake, 0.8, offset_real=offset[:n_real], offset_fake=offset[n_real:],
                      solver="native", form="auto")


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_kernel_path_matches_the_feature_path(solver, form, name):
    real, fake, offset, new = case(name)
    a = np.vstack([real, fake])
    ref = features_solution(name)
    sol = dual.solve_kernel(a @ a.T, len(real), 0.8, offset=offset, form=form, solver=solver)
    assert sol.form == form and sol.solver == solver
    limit = NATIVE_TOL if solver == "native" else dual.GAP_WARN_RTOL
    assert sol.relative_gap <= limit + rounding(sol) / max(1.0, abs(sol.primal_value))
    # the same optimum F* = g*: each value within its own gap of it
    assert abs(sol.primal_value - ref.primal_value) <= max(gap_bound(sol), gap_bound(ref))
    assert abs(sol.dual_value - ref.dual_value) <= max(gap_bound(sol), gap_bound(ref))
    assert np.linalg.norm(sol.lam - ref.lam) <= lam_radius(sol) + lam_radius(ref)
    # δ = Aᵀβ/c is the kernel solution's w: the same radius argument in the feature space
    delta = a.T @ sol.beta / sol.c
    assert np.linalg.norm(delta - ref.w) <= w_radius(sol) + w_radius(ref)
    # new points: kernel rows against the training samples give the scores a + xᵀδ
    a_new = np.linspace(-1.0, 1.0, len(new))
    k_rows = new @ a.T
    np.testing.assert_allclose(sol.decision_function(k_rows, a_new), a_new + new @ delta,
                               rtol=1e-10, atol=1e-10 * np.abs(new @ delta).max())
    bound = np.linalg.norm(new, axis=1) * (w_radius(sol) + w_radius(ref))
    assert np.all(np.abs(sol.decision_function(k_rows, a_new) - (a_new + new @ ref.w)) <= bound)
    np.testing.assert_allclose(sol.discriminator(k_rows, a_new),
                               sigmoid(-sol.decision_function(k_rows, a_new)), rtol=1e-14)


def test_kernel_certificate_equals_the_feature_certificate_at_delta():
    real, fake, offset, _ = case("n_above_d")
    a, n_real = np.vstack([real, fake]), len(real)
    rng = np.random.default_rng(65)
    lam = -rng.uniform(size=len(a))
    beta = lam + np.r_[np.zeros(n_real), np.ones(len(fake))]
    c = 0.8
    kernel = dual.certify_kernel(lam[:n_real], lam[n_real:], a @ a.T, c, offset=offset)
    features = dual.certify(a.T @ beta / c, lam[:n_real], lam[n_real:], real, fake, c,
                            offset_real=offset[:n_real], offset_fake=offset[n_real:])
    # SPEC 7: F through Kβ/c and βᵀKβ, g through βᵀKβ: the same numbers up to rounding
    assert kernel.primal_value == pytest.approx(features.primal_value, rel=1e-12)
    assert kernel.dual_value == pytest.approx(features.dual_value, rel=1e-12)
    assert kernel.kkt.link == pytest.approx(features.kkt.link, rel=1e-9)
    assert kernel.kkt.stationarity == 0.0 and features.kkt.stationarity <= 1e-12 * np.abs(
        a).sum()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_rank_deficient_gram_matrix_of_duplicated_samples(solver, form):
    # 60 samples, 4 distinct ones repeated, D = 3: K has rank 3 and many equal rows
    rng = np.random.default_rng(66)
    base = rng.normal(size=(4, 3))
    a = base[rng.integers(0, 4, size=60)]
    k = a @ a.T
    offset = np.zeros(60)
    sol = dual.solve_kernel(k, 25, 1.0, offset=offset, form=form, solver=solver)
    ref = dual.solve(a[:25], a[25:], 1.0, solver="native", form="primal")
    assert abs(sol.primal_value - ref.primal_value) <= max(gap_bound(sol), gap_bound(ref))
    assert np.linalg.norm(sol.lam - ref.lam) <= lam_radius(sol) + lam_radius(ref)
    # SPEC 3: equal samples on the same side get equal optimal multipliers
    same = np.flatnonzero(np.all(a[:25] == a[0], axis=1))
    assert np.ptp(sol.lam_real[same]) <= 2 * lam_radius(sol)


def test_gram_matrix_positive_semidefinite_up_to_rounding():
    # K = Q diag(e) Qᵀ with eigenvalues 0 perturbed to ±1e-13·trace/n: accepted and factored
    rng = np.random.default_rng(67)
    q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    e = np.r_[rng.uniform(1.0, 5.0, size=5), np.zeros(25)]
    tiny = 1e-13 * e.sum() / 30
    e[5:] = tiny * rng.choice([-1.0, 1.0], size=25)
    k = (q * e) @ q.T
    k = 0.5 * (k + k.T)
    assert np.linalg.eigvalsh(k)[0] < 0  # indefinite, but only by rounding
    factor = gram_factor(k)
    assert factor.shape == (30, 5)  # the numerical rank
    assert np.abs(factor @ factor.T - k).max() <= 1e-12 * np.abs(k).max()
    for solver, form in [("native", "dual"), ("native", "primal"), ("CLARABEL", "dual")]:
        sol = dual.solve_kernel(k, 12, 1.0, form=form, solver=solver)
        assert sol.relative_gap <= dual.GAP_WARN_RTOL


def test_identical_real_and_fake_sets_give_the_closed_form():
    # K of [X; X]: w* = 0 by symmetry (test_dual_solvers), λ* = −1/2, F* = (N + M) log 2
    x = np.random.default_rng(68).normal(size=(10, 4))
    a = np.vstack([x, x])
    sol = dual.solve_kernel(a @ a.T, 10, 0.5)
    assert np.linalg.norm(sol.lam + 0.5) <= lam_radius(sol)
    assert -rounding(sol) <= sol.primal_value - 20 * np.log(2) <= gap_bound(sol)
    np.testing.assert_array_equal(sol.beta, np.r_[sol.lam_real, 1.0 + sol.lam_fake])


def _gan_step_pair(seed):
    """Two consecutive kernel problems of a training loop: K and a moved by a small step."""
    rng = np.random.default_rng(seed)
    j = rng.normal(size=(128, 300)) / np.sqrt(300)  # (N + M, P) per-sample gradients
    a = 0.5 * rng.normal(size=128)
    j2 = j + 0.02 * rng.normal(size=j.shape) / np.sqrt(300)
    return (j @ j.T, a), (j2 @ j2.T, a + 0.02 * rng.normal(size=128))


def test_warm_start_by_sample_position_takes_fewer_iterations():
    (k1, a1), (k2, a2) = _gan_step_pair(69)
    first = dual.solve_kernel(k1, 64, 0.1, offset=a1)
    cold = dual.solve_kernel(k2, 64, 0.1, offset=a2)
    warm = dual.solve_kernel(k2, 64, 0.1, offset=a2, warm_start=first)
    assert warm.iterations < cold.iterations
    assert abs(warm.primal_value - cold.primal_value) <= max(gap_bound(warm), gap_bound(cold))
    assert np.linalg.norm(warm.lam - cold.lam) <= lam_radius(warm) + lam_radius(cold)
    # the primal in the factor's coordinates starts from δ = Lᵀβ/c of the previous solution
    warm_primal = dual.solve_kernel(k2, 64, 0.1, offset=a2, form="primal", warm_start=first)
    cold_primal = dual.solve_kernel(k2, 64, 0.1, offset=a2, form="primal")
    assert warm_primal.iterations < cold_primal.iterations


def test_warm_start_falls_back_to_the_cold_start():
    (k1, a1), (k2, a2) = _gan_step_pair(70)
    cold = dual.solve_kernel(k2, 64, 0.1, offset=a2)
    # other sizes: the samples cannot be matched by position
    smaller = dual.solve_kernel(k1[:100, :100], 50, 0.1, offset=a1[:100])
    assert dual.solve_kernel(k2, 64, 0.1, offset=a2, warm_start=smaller).iterations == (
        cold.iterations)
    # a start whose dual value is worse than that of δ = 0 is not taken
    opposite = dual.solve_kernel(k1, 64, 0.1, offset=-a1)
    again = dual.solve_kernel(k2, 64, 0.1, offset=a2, warm_start=opposite)
    assert again.iterations <= cold.iterations
    assert abs(again.primal_value - cold.primal_value) <= max(gap_bound(again), gap_bound(cold))


def test_unchecked_input_gives_the_same_answer():
    (k, a), _ = _gan_step_pair(71)
    checked = dual.solve_kernel(k, 64, 0.1, offset=a)
    unchecked = dual.solve_kernel(k, 64, 0.1, offset=a, check_input=False)
    np.testing.assert_array_equal(unchecked.lam, checked.lam)  # K is exactly symmetric here


BAD_K = [
    (np.ones((3, 4)), ValueError, r"K must be a square 2-D Gram matrix .* got shape \(3, 4\)"),
    (np.ones(4), ValueError, r"K must be a square 2-D Gram matrix .* got shape \(4,\)"),
    (np.ones((1, 1)), ValueError, r"K must have order N \+ M >= 2"),
    (np.array([[1.0, 0.5], [0.4, 1.0]]), ValueError,
     r"K must be symmetric to 1e-08·max\|K\| = 1e-08; \|K\[0, 1\] − K\[1, 0\]\| = 0\.1"),
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), ValueError,
     r"K must be finite; entry \(0, 1\) is nan"),
    (np.array([[np.inf, 0.0], [0.0, 1.0]]), ValueError, r"K must be finite; entry \(0, 0\) is inf"),
    (np.array([[1.0, 2.0], [2.0, 1.0]]), ValueError,
     r"K must be positive semidefinite .* smallest eigenvalue -1 is below −1e-08·trace\(K\)/n"),
    ([["a", "b"], ["c", "d"]], TypeError, r"K must hold real numbers, got dtype <U1"),
]


@pytest.mark.parametrize("k, error, pattern", BAD_K)
def test_bad_gram_matrices_are_named(k, error, pattern):
    with pytest.raises(error, match=pattern):
        dual.solve_kernel(k, 1)
    with pytest.raises(error, match=pattern):
        dual.certify_kernel([-0.5], [-0.5] * (np.shape(k)[-1] - 1), k)


K_GOOD = np.eye(4) + 0.1


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"n_real": 0}, ValueError, r"n_real must be an integer >= 1, got 0"),
    ({"n_real": 4}, ValueError, r"n_real must leave at least one fake sample: 1 <= n_real <= 3 "
                                r"for K of order 4, got 4"),
    ({"n_real": 2.0}, TypeError, r"n_real must be an integer >= 1, got 2.0 of type float"),
    ({"n_real": True}, TypeError, r"n_real must be an integer >= 1, got True of type bool"),
    ({"offset": np.zeros(3)}, ValueError, r"offset must have shape \(4,\), got shape \(3,\)"),
    ({"offset": [0, 0, np.inf, 0]}, ValueError, r"offset must be finite; entry \(2,\) is inf"),
    ({"form": "auto"}, ValueError, r"form must be one of \['dual', 'primal'\], got 'auto'"),
    ({"c": "1"}, TypeError, r"c must be a real number > 0, got '1' of type str"),
    ({"c": -1.0}, ValueError, r"c must be a finite number > 0 .* got -1.0"),
    ({"solver": "FOO"}, ValueError, r"unknown solver 'FOO'"),
    ({"warm_start": np.zeros(4)}, TypeError,
     r"warm_start must be a dual.KernelSolution or None, got ndarray"),
    ({"tol": 2.0}, ValueError, r"tol must be a finite number in \(0, 1\), got 2.0"),
])
def test_bad_arguments_are_named(kwargs, error, pattern):
    arguments = {"n_real": 2, **kwargs}
    with pytest.raises(error, match=pattern):
        dual.solve_kernel(K_GOOD, **arguments)


def test_new_points_need_one_column_per_training_sample():
    sol = dual.solve_kernel(K_GOOD, 2)
    with pytest.raises(ValueError, match=r"K_rows must have shape \(n, 4\): one column per "
                                         r"training sample, got shape \(2, 3\)"):
        sol.decision_function(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"offset must have shape \(2,\), one per new point"):
        sol.discriminator(np.ones((2, 4)), offset=np.zeros(3))
    # one new point as a 1-D row
    assert sol.decision_function(np.ones(4)).shape == (1,)
