"""What keeps a small call cheap, checked to keep every guard: the memory reading reused only
for small allocations, the one validation pass, the certificate from the last Newton
iteration's scores and gradient, and each shortcut against the computation it replaces (no
timing here: the speed is measured by ``examples/benchmark_backends.py --grid tiny``)."""

import types

import numpy as np
import pytest

import dual
from dual import memory
from dual._validation import as_pair, as_samples
from dual_testdata import EPS, blobs, rounding

GIB = 2**30


@pytest.fixture
def system(monkeypatch):
    """A fake system figure and clock for dual.memory: ``system.free`` bytes available,
    ``system.now`` seconds on the monotonic clock, ``system.reads`` readings taken; no reading
    cached at the start."""
    state = types.SimpleNamespace(free=8 * GIB, now=1000.0, reads=0)

    def read():
        state.reads += 1
        return state.free

    monkeypatch.setattr(memory, "system_available", read)
    monkeypatch.setattr(memory, "time", types.SimpleNamespace(monotonic=lambda: state.now))
    monkeypatch.setattr(memory, "_reading", None)
    monkeypatch.delenv(memory.ENV_LIMIT, raising=False)
    return state


# --- the memory reading ------------------------------------------------------------------------

def test_a_small_need_reuses_the_last_reading(system):
    small = int(memory.REREAD_FRACTION * system.free)
    assert memory.available(small) == system.free and system.reads == 1
    system.free = 4 * GIB  # the system changed, but a small need does not look again
    assert memory.available(small) == 8 * GIB and system.reads == 1
    memory.check("a small array", small, "advice")
    assert system.reads == 1


def test_a_large_need_an_old_reading_or_no_need_reads_again(system):
    memory.available(1)
    system.free = 6 * GIB
    large = int(memory.REREAD_FRACTION * 8 * GIB) + 1  # above the fraction of the last reading
    assert memory.available(large) == 6 * GIB and system.reads == 2
    system.now += memory.REREAD_AGE + 0.1  # too old, however small the need
    system.free = 5 * GIB
    assert memory.available(1) == 5 * GIB and system.reads == 3
    system.free = 4 * GIB
    assert memory.available() == 4 * GIB and system.reads == 4  # no need given: always read


def test_the_guard_refuses_on_a_fresh_reading_after_a_cached_one(system):
    """The memory fell after the last reading: a need above the fraction of that reading is
    compared with a new one, and refused with the new figure in the error."""
    real, fake = blobs(100, 80, 60, 1.0, seed=1)
    needed = memory.native_primal(180, 60)
    system.free = 8 * needed  # the need is above 1/16 of what is read
    dual.solve(real, fake, form="primal", solver="native")
    reads = system.reads
    system.free = needed - 1
    with pytest.raises(dual.ResourceError) as info:
        dual.solve(real, fake, form="primal", solver="native")
    assert system.reads > reads
    assert info.value.needed == needed and info.value.available == needed - 1


def test_the_limit_applies_to_a_cached_reading(system, monkeypatch):
    real, fake = blobs(40, 40, 30, 1.0, seed=2)
    dual.solve(real, fake, form="primal", solver="native")
    needed = memory.native_primal(80, 30)
    monkeypatch.setenv(memory.ENV_LIMIT, str(needed - 1))
    with pytest.raises(dual.ResourceError) as info:
        dual.solve(real, fake, form="primal", solver="native")
    assert info.value.needed == needed and info.value.available == needed - 1


def test_auto_sees_a_fall_of_the_memory_once_the_reading_is_old(system):
    """form='auto' on a cached reading keeps its plan; once the reading is older than
    REREAD_AGE the fall is seen and a method that fits is taken."""
    n_real, dim = 200, 40  # the plan factors the D × D Hessian; Newton-CG needs less
    real, fake = blobs(n_real, n_real, dim, 1.0, seed=3)
    need = {"primal/cholesky": memory.native_primal(2 * n_real, dim),
            "dual/cholesky": memory.native_dual(2 * n_real, dim),
            "primal/newton-cg": memory.native_cg(2 * n_real, dim)}
    first = dual.solve(real, fake, form="auto", solver="native")
    assert "primal/cholesky" in first.choice.reason and "memory:" not in first.choice.reason
    system.free = need["primal/cholesky"] - 1  # only Newton-CG, without a hand-over, fits
    assert system.free >= max(memory.stacked(2 * n_real, dim), need["primal/newton-cg"])
    assert "memory:" not in dual.solve(real, fake, form="auto", solver="native").choice.reason
    system.now += memory.REREAD_AGE + 0.1
    sol = dual.solve(real, fake, form="auto", solver="native")
    assert sol.choice.method == "primal/newton-cg" and "memory:" in sol.choice.reason


# --- one validation pass -----------------------------------------------------------------------

def test_the_sum_of_squares_comes_with_the_finiteness_check():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(7, 3)), rng.normal(size=(5, 3)).astype(np.float32)
    checked_real, checked_fake, squares = as_pair(real, fake, squares=True)
    reference = sum(float(x) ** 2 for x in np.concatenate([real, fake.astype(np.float64)]).flat)
    # two dot products of at most 21 terms against a sequential sum: γ_21·Σx² each
    assert squares == pytest.approx(reference, rel=2 * 21 * EPS)
    assert checked_real is real  # float64, C-contiguous: neither copied nor converted
    assert checked_fake.dtype == np.float64 and np.array_equal(checked_fake, fake)


def test_overflowing_squares_of_finite_data_reach_the_scale_check():
    real = np.array([[1e200, 0.0]])
    fake = np.array([[0.0, 1.0]])
    assert as_pair(real, fake, squares=True)[2] == np.inf
    with pytest.raises(ValueError, match=r"real and fake are too large for float64 at c=1"):
        dual.solve(real, fake, solver="native")


@pytest.mark.parametrize("bad, message", [
    (np.nan, r"real must be finite; entry \(1, 0\) is nan"),
    (np.inf, r"real must be finite; entry \(1, 0\) is inf"),
    (-np.inf, r"real must be finite; entry \(1, 0\) is -inf"),
])
def test_a_non_finite_entry_is_named_as_before(bad, message):
    real = np.ones((3, 2))
    real[1, 0] = bad
    with pytest.raises(ValueError, match=message):
        as_samples(real, "real")
    with pytest.raises(ValueError, match=message):
        dual.solve(real, np.ones((2, 2)), solver="native")


def test_a_huge_and_a_non_finite_entry_name_the_non_finite_one():
    real = np.array([[1e200, 1.0], [1.0, np.nan]])  # Σx² overflows before the NaN is reached
    with pytest.raises(ValueError, match=r"real must be finite; entry \(1, 1\) is nan"):
        as_samples(real, "real")


# --- the certificate from the last Newton iteration --------------------------------------------

@pytest.mark.parametrize("form, options", [("primal", {}), ("dual", {}),
                                           ("primal", {"linear_solver": "cg"}), ("auto", {})])
@pytest.mark.parametrize("n_real, n_fake, dim, c", [(24, 24, 2, 1.0), (60, 40, 30, 0.1),
                                                    (10, 12, 50, 10.0)])
def test_the_reused_certificate_equals_a_fresh_one(form, options, n_real, n_fake, dim, c):
    """The solution's certificate, from the scores (and, in the primal, the gradient) of the
    backend's last iteration, against dual.certify on the returned w and λ, which passes over
    the data again: equal up to float64 rounding."""
    real, fake = blobs(n_real, n_fake, dim, 1.0, seed=5)
    offsets = np.random.default_rng(6).normal(size=n_real + n_fake)
    kwargs = dict(offset_real=offsets[:n_real], offset_fake=offsets[n_real:])
    sol = dual.solve(real, fake, c, form=form, solver="native", **kwargs, **options)
    fresh = dual.certify(sol.w, sol.lam_real, sol.lam_fake, real, fake, c, **kwargs)
    bound = rounding(sol)  # the rounding of F and g, sums of N + M terms (dual_testdata)
    assert abs(sol.primal_value - fresh.primal_value) <= bound
    assert abs(sol.dual_value - fresh.dual_value) <= bound
    assert abs(sol.gap - fresh.gap) <= 2 * bound
    # the residuals: b(λ) and the scores are sums of N + M or D products; γ_k·Σ|terms| bounds
    # the rounding of each, and σ is 1/4-Lipschitz
    a = np.vstack([real, fake])
    n, scale = a.shape[0], np.abs(a).sum(axis=0).max() + c * np.abs(sol.w).max()
    assert abs(sol.kkt.stationarity - fresh.kkt.stationarity) <= 4 * (n + dim) * EPS * scale
    scores_scale = np.abs(offsets).max() + np.abs(a).max() * np.abs(sol.w).sum()
    assert abs(sol.kkt.link - fresh.kkt.link) <= (n + dim) * EPS * (scores_scale + 1.0)


# --- the shortcuts of a call, against the general computation they replace -------------------

def fuzz_scores(seed, n):
    """Scores of every magnitude float64 takes in a solve (a few far beyond ±700, where σ
    saturates), with ties and zeros."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=n) * 10.0 ** rng.uniform(-8, 3, size=n)
    scores[: n // 5] = 0.0
    return scores


@pytest.mark.parametrize("seed", range(20))
def test_the_linked_certificate_equals_the_one_that_computes_the_link(seed):
    """In the primal form λ = −σ(scores) of the very scores the certificate gets, so its link
    residual is skipped as 0: the whole certificate, fields bit for bit, equals the one that
    computes λ + σ(scores)."""
    from scipy.special import expit

    from dual.certificate import _certify_stacked

    rng = np.random.default_rng(100 + seed)
    n_real, n_fake, dim = rng.integers(1, 40, size=3)
    n = n_real + n_fake
    features = rng.normal(size=(n, dim)) * 10.0 ** rng.uniform(-3, 3)
    offset = np.zeros(n) if seed % 2 else rng.normal(size=n)
    w, c = rng.normal(size=dim), 10.0 ** rng.uniform(-3, 2)
    scores = fuzz_scores(seed, n)
    lam = -expit(scores)  # the SPEC 3 map of dual.solve's primal form
    kwargs = dict(scores=scores, b=features.T @ (lam + np.r_[np.zeros(n_real), np.ones(n_fake)]))
    general = _certify_stacked(w, lam, features, n_real, c, offset, **kwargs)
    linked = _certify_stacked(w, lam, features, n_real, c, offset, linked=True, **kwargs)
    assert general.kkt.link == 0.0
    assert linked.to_dict() == general.to_dict()


@pytest.mark.parametrize("seed", range(10))
def test_multipliers_in_the_box_pass_unchanged_and_others_are_clipped(seed):
    from dual._frontend import project_to_box

    rng = np.random.default_rng(seed)
    inside = -rng.uniform(0.0, 1.0, size=30)
    inside[:3] = [-1.0, 0.0, -0.0]
    lam, box = project_to_box(inside)
    assert box == 0.0 and np.array_equal(lam, inside)
    outside = inside + rng.normal(scale=0.1, size=30)
    lam, box = project_to_box(outside)
    np.testing.assert_array_equal(lam, np.clip(outside, -1.0, 0.0))
    assert box == max(0.0, -1.0 - outside.min(), outside.max())


@pytest.mark.parametrize("n", [1, 2, 7, 64, 1000])
def test_the_cold_start_value_reused_without_offsets_is_softplus_loss_of_zeros(n):
    """F(0) of the warm start's test, reused per n when no offsets are given, is what
    softplus_loss computes on zero offsets (−0.0 included), bit for bit; with offsets, the
    offsets' own value."""
    from dual.backends._linesearch import softplus_loss
    from dual.backends.newton_primal import _cold_loss

    fake_rows = np.r_[np.zeros(n - n // 2), np.ones(n // 2)]
    for zeros in (np.zeros(n), -np.zeros(n), np.zeros(n)):  # the second call reuses
        assert _cold_loss(zeros, fake_rows) == softplus_loss(zeros, fake_rows)
    offsets = np.linspace(-3.0, 3.0, n) + 0.5
    assert _cold_loss(offsets, fake_rows) == softplus_loss(offsets, fake_rows)


@pytest.mark.parametrize("scale", [1e-300, 1.0, 1e150, 1e160, 1e300])
def test_the_sum_of_squares_is_the_dot_product_and_an_overflow_warns_nothing(scale):
    import warnings

    from dual._validation import _finite_squares

    x = np.random.default_rng(0).normal(size=(7, 3)) * scale
    flat = x.reshape(-1)
    with np.errstate(over="ignore"):
        expected = float(flat @ flat)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow is the scale check's business, silent here
        assert _finite_squares(x, "x") == expected
    assert (expected == np.inf) == (scale >= 1e160)


@pytest.mark.parametrize("c", [1.0, 0.5, 1e-300, 1e300, 3, np.float64(2.0), np.float32(0.25)])
def test_c_comes_back_as_the_same_float_whatever_its_type(c):
    from dual._validation import check_c

    assert check_c(c) == float(c) and type(check_c(c)) is float


@pytest.mark.parametrize("c", [0.0, -1.0, float("nan"), float("inf"), -0.0])
def test_a_bad_float_c_is_refused_by_the_fast_path_too(c):
    from dual._validation import check_c

    with pytest.raises(ValueError, match="c must be a finite number"):
        check_c(c)


def test_a_refusal_words_the_allocation_only_when_it_refuses(system):
    words = []

    def what():
        words.append(1)
        return "an allocation worded late"

    memory.check(what, 1000, "advice")
    assert words == []
    with pytest.raises(dual.ResourceError, match="an allocation worded late"):
        memory.check(what, 2 * system.free, "advice")
    assert words == [1]
