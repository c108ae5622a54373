"""Fuzzing of the public API of :mod:`dual` with hypothesis: ``solve``, ``solve_kernel``,
``certify``, ``certify_kernel`` and the objectives of ``dual/objectives.py``.

Inputs: shapes from empty to a few samples (single samples, D = 1, N ≠ M); dtypes float64,
float32, int, bool and object; entries with NaN, ±inf, ±1e300, 1e-300 and duplicated rows; c,
offsets and warm starts of the wrong type or shape; Gram matrices that are non-symmetric,
indefinite or rank-deficient. Every call must end in one of two ways:

* a documented exception: ``TypeError``/``ValueError`` whose message names the argument at
  fault, :class:`dual.ResourceError`, or :class:`dual.SolverError` naming solver and status;
* an answer that holds: every number finite, multipliers in [−1, 0], and the reported primal and
  dual values equal, up to float64 rounding, to an independent evaluation written here from
  SPEC 1, 2 and 7 (numpy and scipy only); the gap then obeys weak duality, and a solution that
  did not warn has a certified relative gap below ``dual.GAP_WARN_RTOL``. A solution may come
  with the documented warnings that it is short of its tolerance (``dual.ConvergenceWarning``,
  ``dual.InaccurateSolutionWarning``); its certificate must hold all the same. Seen: the native
  dual on K = diag(0, 1e150) (more than 100 Newton iterations); both native forms on features
  with an entry of 1e30 or 1e150 among entries of order 1 (Newton systems whose condition
  number exceeds 1/ε), and the native primal at c = 1e-300 on data just inside the scale
  limit. Any other warning (numpy's overflow warnings, say) fails.

The rounding allowance is a bound, not an observed value: a sum of k terms each computed with
relative error ε has an absolute error below k·ε·Σ|terms| (Higham, "Accuracy and Stability of
Numerical Algorithms", §4.2); scores, b(λ) and Kβ are such sums; softplus is 1-Lipschitz, so a
score's error passes to F at most unchanged; each evaluation (library and reference) may err by
that much, hence the factor 2.

A few hundred examples run by default (under 20 s in all); the ``slow`` copies run a few
thousand through the ``dual-fuzz-slow`` settings profile. Each example has a deadline.
"""

import warnings
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit, xlogy

import dual

EPS = np.finfo(np.float64).eps
DOCUMENTED = (ValueError, TypeError, dual.ResourceError, dual.SolverError)

settings.register_profile(
    "dual-fuzz", max_examples=100, deadline=timedelta(seconds=3), derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None)
# derandomized too: the same examples on every run, so CI's verdict does not depend on the
# draw; a wider search is `--hypothesis-seed=N` with derandomize off, by hand
settings.register_profile("dual-fuzz-slow", parent=settings.get_profile("dual-fuzz"),
                          max_examples=800, derandomize=True)
DEFAULT = settings.get_profile("dual-fuzz")
SLOW = settings.get_profile("dual-fuzz-slow")


# --- strategies --------------------------------------------------------------------------------

SPECIAL = [np.nan, np.inf, -np.inf, 1e300, -1e300, 1e-300, 0.0, -0.0, 1e150, 1e30]
FINITE = st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False)
DTYPES = ["float64", "float64", "float64", "float32", "int64", "bool", "object"]


@st.composite
def matrices(draw, rows, cols, clean):
    """A (rows, cols) matrix: finite moderate entries when ``clean``, else any of SPECIAL too;
    maybe a duplicated row; in one of DTYPES (object: Python floats)."""
    elements = FINITE if clean else st.one_of(FINITE, st.sampled_from(SPECIAL))
    arr = draw(hnp.arrays(np.float64, (rows, cols), elements=elements))
    if rows >= 2 and draw(st.booleans()):
        arr[draw(st.integers(1, rows - 1))] = arr[0]  # a duplicated row
    dtype = draw(st.sampled_from(DTYPES)) if not clean or draw(st.booleans()) else "float64"
    with np.errstate(invalid="ignore", over="ignore"):
        if dtype in ("int64", "bool"):
            arr = np.nan_to_num(arr, posinf=0.0, neginf=0.0)
            arr = np.clip(arr, -10, 10).astype(dtype)
        else:
            arr = arr.astype(dtype)
    return arr


@st.composite
def vectors(draw, length, clean):
    """A vector meant to have ``length`` entries; sometimes of the wrong length or 2-D."""
    if not clean and draw(st.integers(0, 4)) == 4:
        length = draw(st.integers(0, 6))
        if draw(st.booleans()):
            return draw(matrices(length, 2, clean=True))
    return draw(matrices(length, 1, clean)).reshape(-1)


C_BAD = [0.0, -1.0, np.nan, np.inf, -np.inf, "1", None, np.array([1.0, 2.0]), True, 1j]
C_VALUES = st.one_of(st.floats(0.05, 20.0),
                     st.sampled_from([1, np.float32(0.5), 1e-3, 1e3, 1e-300, 1e300]))


def c_values(clean):
    return C_VALUES if clean else st.one_of(C_VALUES, st.sampled_from(C_BAD))


@st.composite
def problems(draw):
    """(real, fake, c, offsets, clean): N, M in 0..6 (mostly >= 1), D in 0..4."""
    clean = draw(st.integers(0, 2)) < 2  # mostly clean, so that many reach a solve
    low = 1 if clean else 0
    n, m, d = draw(st.integers(low, 6)), draw(st.integers(low, 6)), draw(st.integers(low, 4))
    real, fake = draw(matrices(n, d, clean)), draw(matrices(m, d, clean))
    if not clean and draw(st.integers(0, 5)) == 5:
        fake = draw(matrices(m, max(d + draw(st.sampled_from([-1, 1])), 0), clean=True))
    offsets = (None, None)
    if draw(st.booleans()):
        offsets = (draw(vectors(n, clean)), draw(vectors(m, clean)))
    return real, fake, draw(c_values(clean)), offsets, clean


# --- the independent reference (SPEC 1, 2, 7) and its rounding bound ---------------------------

def _entropy(p):
    """H(p) = −p log p − (1 − p) log(1 − p), scipy's xlogy (0 log 0 = 0)."""
    return -xlogy(p, p) - xlogy(1.0 - p, 1.0 - p)


def reference(w, lam, a, offset, n_real, c):
    """F(w), g(λ) and a bound on their float64 rounding, features A (n, D), offsets a (n,)."""
    n, d = a.shape
    fake = np.arange(n) >= n_real
    beta = np.where(fake, 1.0 + lam, lam)  # SPEC 7: β = (λ_real, 1 + λ_fake)
    scores = offset + a @ w
    signed = np.where(fake, -scores, scores)
    loss = np.logaddexp(0.0, signed)  # SPEC 1: softplus(t_i), softplus(−t_j)
    primal = loss.sum() + 0.5 * c * (w @ w)
    b = a.T @ beta  # SPEC 2, 3g
    entropy = _entropy(-lam)
    dual_value = -(b @ b) / (2.0 * c) + entropy.sum() - beta @ offset  # SPEC 2, 7
    k = n + d + 10
    score_err = (np.abs(offset) + np.abs(a) @ np.abs(w)).sum()
    b_abs = np.abs(a).T @ np.abs(beta)
    primal_err = k * EPS * (loss.sum() + 0.5 * c * (w @ w) + score_err)
    dual_err = k * EPS * ((b_abs @ b_abs) / c + entropy.sum() + np.abs(beta) @ np.abs(offset)
                          + 2 * n)
    return primal, dual_value, 2 * primal_err, 2 * dual_err


def reference_kernel(lam, gram, offset, n_real, c):
    """The same through K (SPEC 7): δ = b(λ)/c seen through Kβ/c and βᵀKβ/c²."""
    n = gram.shape[0]
    fake = np.arange(n) >= n_real
    beta = np.where(fake, 1.0 + lam, lam)
    k_beta = gram @ beta
    scores = offset + k_beta / c
    loss = np.logaddexp(0.0, np.where(fake, -scores, scores))
    quad = (beta @ k_beta) / (2.0 * c)
    entropy = _entropy(-lam)
    primal, dual_value = loss.sum() + quad, -quad + entropy.sum() - beta @ offset
    quad_abs = (np.abs(beta) @ np.abs(gram) @ np.abs(beta)) / c
    k = n + 10
    score_err = (np.abs(offset) + np.abs(gram) @ np.abs(beta) / c).sum()
    primal_err = k * EPS * (loss.sum() + quad_abs + score_err)
    dual_err = k * EPS * (quad_abs + entropy.sum() + np.abs(beta) @ np.abs(offset) + 2 * n)
    return primal, dual_value, 2 * primal_err, 2 * dual_err


def check_values(reported, primal, dual_value, primal_err, dual_err):
    """The reported F, g and gap are the reference's up to rounding, and weak duality holds."""
    values = (reported.primal_value, reported.dual_value, reported.gap)
    assert all(np.isfinite(values)), reported
    assert np.isfinite([primal, dual_value, primal_err, dual_err]).all()
    assert abs(reported.primal_value - primal) <= primal_err, (reported.primal_value, primal)
    assert abs(reported.dual_value - dual_value) <= dual_err, (reported.dual_value, dual_value)
    assert primal - dual_value >= -(primal_err + dual_err)  # weak duality (SPEC 3)
    assert reported.gap == pytest.approx(primal - dual_value, abs=primal_err + dual_err)


def check_solution(sol, caught, a, offset, n_real, c):
    """A returned solution: finite, in the box, certified by the reference."""
    lam = sol.lam
    assert np.isfinite(lam).all() and (lam >= -1.0).all() and (lam <= 0.0).all()
    assert np.isfinite(sol.kkt.max)
    if isinstance(sol, dual.KernelSolution):
        primal, dual_value, pe, de = reference_kernel(lam, a, offset, n_real, c)
    else:
        assert np.isfinite(sol.w).all()
        primal, dual_value, pe, de = reference(sol.w, lam, a, offset, n_real, c)
    check_values(sol, primal, dual_value, pe, de)
    if not any(issubclass(w.category, (dual.ConvergenceWarning, dual.InaccurateSolutionWarning))
               for w in caught):  # no warning: the answer is as accurate as promised
        assert sol.relative_gap <= dual.GAP_WARN_RTOL + (pe + de) / max(1.0, abs(primal))


def outcome(call, names):
    """Run ``call``; return (result, warnings) or (None, warnings) after a documented
    exception, whose message must name one of ``names``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except (ValueError, TypeError) as err:
            assert any(name in str(err) for name in names), f"{type(err).__name__}: {err}"
            event(f"{type(err).__name__}: {str(err)[:40]}")
            return None, caught
        except dual.SolverError as err:
            assert err.solver in str(err) and err.status in str(err)
            event(f"SolverError: {err.status}")
            return None, caught
    event(f"answer{', warned' if caught else ''}")
    unexpected = [w for w in caught if not issubclass(
        w.category, (dual.ConvergenceWarning, dual.InaccurateSolutionWarning))]
    assert not unexpected, [str(w.message) for w in unexpected]
    return result, caught


def as_float(x):
    return np.asarray(x, dtype=np.float64)


def _offset_or_zero(offset, length):
    return np.zeros(length) if offset is None else as_float(offset).reshape(-1)


# --- dual.solve ----------------------------------------------------------------------------------

_WARM = {}


def _warm_starts():
    """A few previous solutions to start from (other shapes included), made once."""
    if not _WARM:
        rng = np.random.default_rng(0)
        for d in (1, 2, 3):
            real, fake = rng.normal(size=(3, d)) + 1, rng.normal(size=(2, d))
            _WARM[d] = dual.solve(real, fake, solver="native")
    return _WARM


SOLVE_NAMES = ("real", "fake", "c", "offset_real", "offset_fake", "form", "solver",
               "warm_start")


@st.composite
def solve_calls(draw):
    real, fake, c, (offset_real, offset_fake), clean = draw(problems())
    form = draw(st.sampled_from(["dual", "primal", "auto", "dual", "primal"]
                                + ([] if clean else ["Dual", None])))
    solver = draw(st.sampled_from(["native"] * 5 + ["CLARABEL"] + ([] if clean else ["bogus"])))
    if solver == "CLARABEL" and form == "auto":
        form = "dual"
    warm = draw(st.sampled_from([None, None, 1, 2, 3] + ([] if clean else ["array"])))
    if warm == "array":
        warm = np.zeros(2)
    elif warm is not None:
        warm = _warm_starts()[warm]
    return real, fake, c, offset_real, offset_fake, form, solver, warm


def stacked(real, fake, offset_real, offset_fake):
    """The samples as one float64 array, their offsets (zeros when None) and N."""
    n_real = len(real)
    offset = np.concatenate([_offset_or_zero(offset_real, n_real),
                             _offset_or_zero(offset_fake, len(fake))])
    return np.vstack([as_float(real), as_float(fake)]), offset, n_real


def check_solve(call):
    real, fake, c, offset_real, offset_fake, form, solver, warm = call
    sol, caught = outcome(lambda: dual.solve(real, fake, c, offset_real=offset_real,
                                             offset_fake=offset_fake, form=form, solver=solver,
                                             warm_start=warm), SOLVE_NAMES)
    if sol is None:
        return
    a, offset, n_real = stacked(real, fake, offset_real, offset_fake)
    check_solution(sol, caught, a, offset, n_real, float(c))


@DEFAULT
@given(solve_calls())
def test_solve(call):
    check_solve(call)


@pytest.mark.slow
@SLOW
@given(solve_calls())
def test_solve_many(call):
    check_solve(call)


# --- dual.solve_kernel ---------------------------------------------------------------------------

KERNEL_NAMES = ("K", "n_real", "c", "offset", "form", "solver", "warm_start")


@st.composite
def grams(draw):
    """K = A Aᵀ (rank ≤ D, so rank-deficient when D < n), possibly made non-symmetric or
    indefinite, or with special entries; returns (K, n_real, clean)."""
    real, fake, _, _, clean = draw(problems())
    a = np.vstack([as_float(real), as_float(fake)]) if real.shape[1:] == fake.shape[1:] \
        else as_float(real)
    with np.errstate(invalid="ignore", over="ignore"):
        gram = a @ a.T if a.ndim == 2 else a
    kind = draw(st.sampled_from(["gram"] * 4 + ["asymmetric", "indefinite", "special", "1-D",
                                                "object"]))
    n = gram.shape[0]
    if kind == "asymmetric" and n >= 2:
        gram = gram.copy()
        gram[0, 1] += draw(st.sampled_from([1e-3, 1.0, 1e-12]))
    elif kind == "indefinite" and n >= 1:
        gram = gram - draw(st.sampled_from([1e-3, 1.0, 1e-14])) * np.eye(n)
    elif kind == "special" and n >= 1:
        gram = gram.copy()
        gram[-1, -1] = draw(st.sampled_from(SPECIAL))
    elif kind == "1-D":
        gram = gram.reshape(-1)
    elif kind == "object":
        gram = gram.astype(object)
    # hypothesis favours small integers: the common case sits at the low end of each draw
    if draw(st.integers(0, 5)) < 5:  # mostly the real samples' count, kept within 1..n − 1
        n_real = min(max(len(real), 1), max(n - 1, 1))
    else:
        n_real = draw(st.sampled_from([0, -1, 2.0, n, None]))
    return gram, n_real, clean and kind == "gram"


_KERNEL_WARM = {}


@st.composite
def kernel_calls(draw):
    gram, n_real, clean = draw(grams())
    n = gram.shape[0] if gram.ndim else 0
    offset = draw(vectors(n, clean)) if draw(st.booleans()) else None
    c = draw(c_values(clean))
    form = draw(st.sampled_from(["dual", "dual", "primal"] + ([] if clean else ["auto"])))
    solver = draw(st.sampled_from(["native"] * 4 + ["CLARABEL"]))
    warm = draw(st.sampled_from([None, None, "previous", "array"] if not clean
                                else [None, "previous"]))
    if warm == "previous":
        if not _KERNEL_WARM:
            a = np.random.default_rng(1).normal(size=(5, 2))
            _KERNEL_WARM["sol"] = dual.solve_kernel(a @ a.T, 3)
        warm = _KERNEL_WARM["sol"]
    elif warm == "array":
        warm = np.zeros(3)
    return gram, n_real, c, offset, form, solver, warm


def check_kernel(call):
    gram, n_real, c, offset, form, solver, warm = call
    sol, caught = outcome(lambda: dual.solve_kernel(gram, n_real, c, offset=offset, form=form,
                                                    solver=solver, warm_start=warm),
                          KERNEL_NAMES)
    if sol is None:
        return
    k = as_float(gram)
    check_solution(sol, caught, 0.5 * (k + k.T), _offset_or_zero(offset, len(k)), n_real,
                   float(c))


@DEFAULT
@given(kernel_calls())
def test_solve_kernel(call):
    check_kernel(call)


@pytest.mark.slow
@SLOW
@given(kernel_calls())
def test_solve_kernel_many(call):
    check_kernel(call)


# --- dual.certify, dual.certify_kernel -----------------------------------------------------------

CERTIFY_NAMES = ("w", "lam_real", "lam_fake", "real", "fake", "c", "offset_real", "offset_fake",
                 "K", "n_real", "offset")


@st.composite
def multipliers(draw, length, clean):
    """Multipliers for ``length`` samples: in the box when clean (its faces included)."""
    if clean:
        box = st.one_of(st.floats(-1.0, 0.0), st.sampled_from([-1.0, 0.0, -0.5, -1e-300]))
        return draw(hnp.arrays(np.float64, (length,), elements=box))
    return draw(vectors(length, clean=False))


@st.composite
def certify_calls(draw):
    real, fake, c, (offset_real, offset_fake), clean = draw(problems())
    d = real.shape[1] if real.ndim == 2 else 0
    w = draw(vectors(d, clean))
    lam_real = draw(multipliers(real.shape[0] if real.ndim else 0, clean))
    lam_fake = draw(multipliers(fake.shape[0] if fake.ndim else 0, clean))
    return real, fake, c, offset_real, offset_fake, w, lam_real, lam_fake


def check_certify(call):
    real, fake, c, offset_real, offset_fake, w, lam_real, lam_fake = call
    cert, _ = outcome(lambda: dual.certify(w, lam_real, lam_fake, real, fake, c,
                                           offset_real=offset_real, offset_fake=offset_fake),
                      CERTIFY_NAMES)
    if cert is None:
        return
    a, offset, n_real = stacked(real, fake, offset_real, offset_fake)
    lam = np.concatenate([as_float(lam_real), as_float(lam_fake)])
    check_values(cert, *reference(as_float(w), lam, a, offset, n_real, float(c)))
    # the objectives agree with the certificate's values, to the last bit: the same evaluation
    kwargs = dict(offset_real=offset_real, offset_fake=offset_fake)
    assert dual.primal_objective(w, real, fake, c, **kwargs) == cert.primal_value
    assert dual.dual_objective(lam_real, lam_fake, real, fake, c, **kwargs) == cert.dual_value


@DEFAULT
@given(certify_calls())
def test_certify_and_objectives(call):
    check_certify(call)


@pytest.mark.slow
@SLOW
@given(certify_calls())
def test_certify_and_objectives_many(call):
    check_certify(call)


@st.composite
def certify_kernel_calls(draw):
    gram, _, clean = draw(grams())
    n = gram.shape[0] if gram.ndim else 0
    n_real = draw(st.integers(1, n - 1)) if n >= 2 and draw(st.integers(0, 5)) < 5 else \
        draw(st.integers(0, n))
    lam_real, lam_fake = draw(multipliers(n_real, clean)), draw(multipliers(n - n_real, clean))
    offset = draw(vectors(n, clean)) if draw(st.booleans()) else None
    return gram, lam_real, lam_fake, draw(c_values(clean)), offset


def check_certify_kernel(call):
    gram, lam_real, lam_fake, c, offset = call
    cert, _ = outcome(lambda: dual.certify_kernel(lam_real, lam_fake, gram, c, offset=offset),
                      CERTIFY_NAMES)
    if cert is None:
        return
    k = as_float(gram)
    lam = np.concatenate([as_float(lam_real), as_float(lam_fake)])
    check_values(cert, *reference_kernel(lam, 0.5 * (k + k.T), _offset_or_zero(offset, len(k)),
                                         len(lam_real), float(c)))


@DEFAULT
@given(certify_kernel_calls())
def test_certify_kernel(call):
    check_certify_kernel(call)


@pytest.mark.slow
@SLOW
@given(certify_kernel_calls())
def test_certify_kernel_many(call):
    check_certify_kernel(call)


# --- the maps and the elementwise functions --------------------------------------------------

def check_maps(call):
    real, fake, c, offset_real, offset_fake, w, lam_real, lam_fake = call
    lams, _ = outcome(lambda: dual.lambdas_from_w(w, real, fake, offset_real=offset_real,
                                                  offset_fake=offset_fake), CERTIFY_NAMES)
    if lams is not None:  # SPEC 3, 7: λ = −σ(a + Aw), in the box
        for lam, x, off in zip(lams, (real, fake), (offset_real, offset_fake), strict=True):
            expected = -expit(_offset_or_zero(off, len(x)) + as_float(x) @ as_float(w))
            assert np.isfinite(lam).all() and (lam >= -1).all() and (lam <= 0).all()
            np.testing.assert_allclose(lam, expected, rtol=1e-12, atol=1e-300)
    w_back, _ = outcome(lambda: dual.w_from_lambdas(lam_real, lam_fake, real, fake, c),
                        CERTIFY_NAMES)
    if w_back is not None:  # SPEC 3: w = b(λ)/c
        expected = (as_float(real).T @ as_float(lam_real)
                    + as_float(fake).T @ (1 + as_float(lam_fake))) / float(c)
        assert np.isfinite(w_back).all()
        np.testing.assert_allclose(w_back, expected, rtol=1e-12, atol=1e-300)
    b, _ = outcome(lambda: dual.b_of_lambdas(lam_real, lam_fake, real, fake), CERTIFY_NAMES)
    if b is not None:  # SPEC 2, 3g
        expected = as_float(real).T @ as_float(lam_real) + as_float(fake).T @ (
            1 + as_float(lam_fake))
        assert np.isfinite(b).all()
        np.testing.assert_allclose(b, expected, rtol=1e-12, atol=1e-300)
    scores, _ = outcome(lambda: dual.discriminator(w, real, offset_real), ("w", "x", "offset"))
    if scores is not None:
        assert np.isfinite(scores).all() and (scores >= 0).all() and (scores <= 1).all()


@DEFAULT
@given(certify_calls())
def test_maps(call):
    check_maps(call)


@pytest.mark.slow
@SLOW
@given(certify_calls())
def test_maps_many(call):
    check_maps(call)


@DEFAULT
@given(st.one_of(FINITE, st.sampled_from(SPECIAL + [0.5, 1.0, -0.1, 1.1]),
                 hnp.arrays(np.float64, st.integers(0, 5),
                            elements=st.one_of(st.floats(0, 1), st.sampled_from(SPECIAL)))))
def test_binary_entropy(p):
    h, _ = outcome(lambda: dual.binary_entropy(p), ("p",))
    if h is not None:  # SPEC 2, 3h: H(p) ∈ [0, log 2] on [0, 1]
        assert np.isfinite(h).all() and (h >= 0).all() and (h <= np.log(2) + 4 * EPS).all()
        np.testing.assert_allclose(h, _entropy(as_float(p)), rtol=1e-13, atol=1e-300)


# --- what the fuzzing found, kept as plain regression tests ------------------------------------

def test_data_too_large_for_float64_is_refused_by_name():
    """Finite entries of 1e300 passed every check; the solve then overflowed (NaN, inf)."""
    with pytest.raises(ValueError, match=r"real and fake are too large for float64 at c=1: the "
                                         r"problem's scale n·‖A‖²/c = inf"):
        dual.solve([[0.0], [0.0]], [[1e300]], solver="native")
    with pytest.raises(ValueError, match=r"rescale real and fake or raise c"):
        dual.solve([[1.0]], [[-1.0]], 1e-300, solver="native")
    with pytest.raises(ValueError, match=r"K is too large for float64 .* n·trace\(K\)/c"):
        dual.solve_kernel(np.diag([1.0, 1e300]), 1)
    with pytest.raises(ValueError, match=r"offset_real is too large for float64: Σ\|offset_real\|"):
        dual.solve([[1.0], [2.0]], [[-1.0]], offset_real=[1e300, 1e300], solver="native")


def test_lambdas_whose_b_overflows_are_refused_without_a_numpy_warning():
    """Found by the slow fuzzing: w_from_lambdas with λ_fake = 1e300 on a 1e30 sample warned
    'overflow encountered in matmul' and returned inf."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"b\(λ\) overflows float64.*max\|lam_fake\|"):
            dual.w_from_lambdas([0.0, 0.0], [1e300], [[0.0], [0.0]], [[1e30]], 1.0)


def test_huge_finite_entries_raise_no_numpy_warning():
    """The finiteness check summed squares in one BLAS call, whose overflow warned."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="too large for float64"):
            dual.primal_objective([0.0], [[1e300]], [[0.0]])


def test_w_too_large_is_named():
    with pytest.raises(ValueError, match=r"F\(w\) overflows float64 at this w: max\|w\| = 1e\+200"):
        dual.certify([1e200], [-0.5], [-0.5], [[1.0]], [[-1.0]])
    with pytest.raises(ValueError, match=r"scores a \+ wᵀx overflow float64: max\|w\| = 1e\+300"):
        dual.lambdas_from_w([1e300, -1e300], [[1e300, 1e300]], [[0.0, 1.0]])


def test_unvalidated_helpers_now_name_their_inputs():
    """b_of_lambdas, discriminator and binary_entropy returned NaN or numpy's errors."""
    with pytest.raises(ValueError, match=r"lam_fake must be finite; entry \(0,\) is inf"):
        dual.b_of_lambdas([0.0], [np.inf], [[0.0]], [[0.0]])
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        dual.discriminator([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\].*got nan"):
        dual.binary_entropy([0.5, np.nan])


def test_warm_start_worse_than_the_cold_start_is_dropped():
    """A warm start from a problem with a far smaller c overflowed ‖∇F‖² at c = 1e300."""
    previous = dual.solve([[1.0], [2.0]], [[-1.0]], 1.0, solver="native")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = dual.solve([[0.0]], [[0.0]], 1e300, form="primal", solver="native",
                         warm_start=previous)
    assert sol.w == pytest.approx([0.0]) and sol.relative_gap <= dual.GAP_WARN_RTOL


def test_native_dual_on_features_spread_over_many_decades():
    """One entry of 1e8 or 1e30 among entries of order 1 (n > D, the Woodbury path): the dual's
    Newton steps cancelled and the solve stalled at a relative gap of 2; it now converges to
    the primal's optimum."""
    real = np.array([[0.0, 1.3, 0.9], [0.0, 1.3, 0.9], [1.4, 1e8, 0.0], [0.0, 0.0, 0.0]])
    fake = np.zeros((3, 3))
    for big in (1e8, 1e30):
        real[2, 1] = big
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sol = dual.solve(real, fake, 0.05, form="dual", solver="native")
            primal = dual.solve(real, fake, 0.05, form="primal", solver="native")
        assert sol.relative_gap <= 1e-10
        assert abs(sol.primal_value - primal.primal_value) <= 1e-9 * abs(primal.primal_value)
