"""The machine constants of form="auto" (dual.calibration): measured, cached per set-up in one
file, loaded instead of re-measured, and never an error when the cache cannot be written."""

import json

import numpy as np
import pytest

import dual
from dual import calibration


@pytest.fixture
def fake_measure(monkeypatch, tmp_path):
    """A cache file in tmp_path and a measurement that returns fixed numbers (and counts calls)."""
    monkeypatch.setenv("DUAL_CALIBRATION", str(tmp_path / "cache" / "calibration.json"))
    monkeypatch.setattr(calibration, "_current", None)
    calls = []

    def measure():
        calls.append(1)
        return dict(pass_sizes=np.array([1.0, 2.0]), pass_seconds=np.array([1e-6, 2e-6]),
                    syrk_orders=np.array([8.0, 16.0]), syrk_rates=np.array([1e9, 2e9]),
                    cholesky_orders=np.array([8.0, 16.0]), cholesky_seconds=np.array([1e-6, 8e-6]),
                    sample_seconds=1e-9, call_seconds=1e-6)

    monkeypatch.setattr(calibration, "_measure", measure)
    return calls


def test_first_use_measures_once_and_caches(fake_measure):
    first = calibration.current()
    assert len(fake_measure) == 1 and calibration.current() is first
    saved = json.loads(calibration.cache_path().read_text())
    assert list(saved) == [calibration.machine_key()]
    calibration._current = None  # a new process: the constants come from the file
    again = calibration.current()
    assert len(fake_measure) == 1 and again == first


def test_constants_measured_the_older_way_are_measured_again(fake_measure):
    """An entry cached before the Cholesky was timed through potrf/potrs (a key without this
    version of the constants) is not used: its Cholesky times included scipy's checks."""
    key = calibration.machine_key()
    assert key.endswith(f"; constants v{calibration.CONSTANTS_VERSION}")
    older = key[:key.rindex("; constants v")]
    entry = dict(key=older, measured="then", pass_sizes=[1.0, 2.0], pass_seconds=[1e-6, 2e-6],
                 syrk_orders=[8.0, 16.0], syrk_rates=[1e9, 2e9], cholesky_orders=[8.0, 16.0],
                 cholesky_seconds=[1.3e-5, 1.8e-5], sample_seconds=1e-9, call_seconds=1e-6)
    path = calibration.cache_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({older: entry}))
    assert calibration.current().key == key and len(fake_measure) == 1
    assert set(json.loads(path.read_text())) == {older, key}


def test_the_cholesky_constant_times_the_lapack_calls_of_the_backend(monkeypatch):
    """The Cholesky is timed as the backend runs it: LAPACK's potrf and potrs, solving the
    system (the timed call's answer checked against numpy's solver)."""
    timed = []
    monkeypatch.setattr(calibration, "_best", lambda fn: timed.append(fn()) or 1e-6)
    monkeypatch.setattr(calibration, "CHOLESKY_ORDERS", (8, 32))
    calibration._measure()
    solves = [r for r in timed if isinstance(r, tuple) and len(r) == 2]  # potrs: (x, info)
    assert len(solves) == 2
    for order, (solution, info) in zip((8, 32), solves):
        spd = np.eye(order) * order + 1.0
        assert info == 0
        np.testing.assert_allclose(solution, np.linalg.solve(spd, np.ones(order)), rtol=1e-12)


def test_calibrate_replaces_only_this_setups_entry(fake_measure):
    path = calibration.cache_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"another machine": {"key": "another machine"}}))
    fresh = dual.calibrate()
    saved = json.loads(path.read_text())
    assert set(saved) == {"another machine", fresh.key}
    assert calibration.current() is fresh


def test_an_unwritable_or_damaged_cache_is_not_an_error(fake_measure, monkeypatch, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DUAL_CALIBRATION", str(blocker / "calibration.json"))
    assert calibration.current().key == calibration.machine_key()  # kept in memory
    damaged = tmp_path / "damaged.json"
    damaged.write_text("{ truncated")
    monkeypatch.setenv("DUAL_CALIBRATION", str(damaged))
    calibration._current = None
    assert calibration.current().key == calibration.machine_key()  # measured again
    assert calibration.machine_key() in json.loads(damaged.read_text())  # and the file mended


def test_measured_constants_grow_with_the_work(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DUAL_CALIBRATION", str(tmp_path / "calibration.json"))
    monkeypatch.setattr(calibration, "_current", None)
    assert calibration.main(["--no-save"]) == 0
    constants = calibration.current()
    assert not (tmp_path / "calibration.json").exists()
    assert "Cholesky, order 1024" in capsys.readouterr().out
    # 4096 times the entries (2^10 → 2^22) and 2^21 times the Cholesky flops (8 → 1024) cannot
    # take less time, whatever the machine's caches and overheads
    assert 0 < constants.pass_seconds[0] < constants.pass_seconds[-1]
    assert 0 < constants.cholesky_seconds[0] < constants.cholesky_seconds[-1]
    assert np.all(constants.syrk_rates > 0) and constants.sample_seconds > 0


def test_reload_follows_the_thread_count_in_effect(fake_measure):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not any(i.get("user_api") == "blas" for i in threadpoolctl.threadpool_info()):
        pytest.skip("no BLAS library that threadpoolctl can see")
    with threadpoolctl.threadpool_limits(limits=1):
        one = calibration.reload()
        assert "x1" in one.key and one.key == calibration.machine_key()
        assert calibration.current() is one
    restored = calibration.reload()
    assert restored.key == calibration.machine_key()
    with threadpoolctl.threadpool_limits(limits=1):  # now from the file, not measured again
        calls = len(fake_measure)
        assert calibration.reload() == one and len(fake_measure) == calls


def test_the_key_counts_numpy_and_scipy_blas_only(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def info(*paths):
        return lambda: [{"user_api": "blas", "internal_api": "openblas", "version": v,
                         "architecture": "Haswell", "num_threads": 1, "filepath": path}
                        for v, path in paths]

    site = "/env/lib/python3/site-packages"
    ours = [("0.3.30", f"{site}/scipy.libs/libscipy_openblas.so"),
            ("0.3.31", f"{site}/numpy.libs/libscipy_openblas64_.so")]
    monkeypatch.setattr(threadpoolctl, "threadpool_info", info(*ours))
    alone = calibration.machine_key()
    monkeypatch.setattr(threadpoolctl, "threadpool_info",
                        info(*ours, ("0.3.15", f"{site}/scs.libs/libopenblas.so")))
    assert calibration.machine_key() == alone  # a solver's own BLAS does not count
    monkeypatch.setattr(threadpoolctl, "threadpool_info",
                        info(("0.3.21", "/usr/lib/libopenblas.so"), ("2024.1", "/usr/lib/mkl.so")))
    shared = calibration.machine_key()  # a system BLAS: every library counts
    assert "0.3.21" in shared and "2024.1" in shared
