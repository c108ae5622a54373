"""Every error path of ``dual.solve`` and the solver registry, with the message it must carry."""

import re
import subprocess
import sys
import warnings

import cvxpy as cp
import numpy as np
import pytest

import dual
from dual.backends import registry

REAL = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
FAKE = np.array([[-1.0, 0.0], [0.0, -2.0]])
AVAILABLE = dual.available_solvers()


@pytest.mark.parametrize("bad, pattern", [
    (np.nan, r"real must be finite; entry \(1, 0\) is nan"),
    (np.inf, r"real must be finite; entry \(1, 0\) is inf"),
    (-np.inf, r"real must be finite; entry \(1, 0\) is -inf"),
])
def test_non_finite_data(bad, pattern):
    real = REAL.copy()
    real[1, 0] = bad
    with pytest.raises(ValueError, match=pattern):
        dual.solve(real, FAKE)


def test_non_finite_fake_is_named():
    fake = FAKE.copy()
    fake[0, 1] = np.nan
    with pytest.raises(ValueError, match=r"fake must be finite; entry \(0, 1\)"):
        dual.solve(REAL, fake)


@pytest.mark.parametrize("real, pattern", [
    (np.ones(3), r"real must be 2-D .* got 1-D array of shape \(3,\)"),
    (np.ones((2, 2, 2)), r"real must be 2-D .* got 3-D"),
    (np.float64(1.0), r"real must be 2-D .* got 0-D"),
])
def test_wrong_ndim(real, pattern):
    with pytest.raises(ValueError, match=pattern):
        dual.solve(real, FAKE)


def test_empty_sets_and_zero_features():
    with pytest.raises(ValueError, match=r"real is empty: it has shape \(0, 2\)"):
        dual.solve(np.empty((0, 2)), FAKE)
    with pytest.raises(ValueError, match=r"fake is empty"):
        dual.solve(REAL, np.empty((0, 2)))
    with pytest.raises(ValueError, match=r"real has no features: shape \(3, 0\)"):
        dual.solve(np.empty((3, 0)), np.empty((2, 0)))
    with pytest.raises(ValueError, match=r"2-D .* got 1-D"):
        dual.solve([], FAKE)  # an empty list is 1-D


def test_mismatched_feature_counts():
    with pytest.raises(ValueError, match=r"same number of features D.*D=2.*D=3"):
        dual.solve(REAL, np.ones((2, 3)))


@pytest.mark.parametrize("real, error, pattern", [
    ([["a", "b"], ["c", "d"]], TypeError, r"real must hold real numbers, got dtype <U1"),
    (np.array([[1.0, None]], dtype=object), TypeError, r"real must hold real numbers.*object"),
    (np.array([[1 + 2j, 0.0]]), TypeError, r"real must be real, got complex dtype complex128"),
    ([[1.0, 2.0], [3.0]], ValueError, r"real must be a rectangular array .* ragged"),
])
def test_non_numeric_complex_and_ragged_data(real, error, pattern):
    with pytest.raises(error, match=pattern):
        dual.solve(real, FAKE)


def test_gpu_tensor_is_refused_without_cuda_by_a_fake_device():
    # A stand-in object from a "torch" module with a non-CPU device: the check needs no GPU.
    fake_tensor = type("Tensor", (), {"__module__": "torch", "device": type(
        "Device", (), {"type": "cuda", "__str__": lambda self: "cuda:0"})()})()
    with pytest.raises(ValueError, match=r"real must be a CPU tensor.*cuda:0.*\.cpu\(\)"):
        dual.solve(fake_tensor, FAKE)


@pytest.mark.parametrize("c, error, pattern", [
    (0.0, ValueError, r"c must be a finite number > 0 .* got 0\.0"),
    (-1.0, ValueError, r"c must be a finite number > 0 .* got -1\.0"),
    (np.nan, ValueError, r"got nan"),
    (np.inf, ValueError, r"got inf"),
    ("1.0", TypeError, r"c must be a real number > 0, got '1\.0' of type str"),
    (None, TypeError, r"got None of type NoneType"),
    (True, TypeError, r"got True of type bool"),
    (np.bool_(True), TypeError, r"of type bool"),
    (1 + 0j, TypeError, r"of type complex"),
])
def test_bad_c(c, error, pattern):
    with pytest.raises(error, match=pattern):
        dual.solve(REAL, FAKE, c)


@pytest.mark.parametrize("form", ["Primal", "both", "auto", None, 1])
def test_unknown_form(form):
    with pytest.raises(ValueError, match=r"form must be one of \[.*'primal'.*\], got "):
        dual.solve(REAL, FAKE, form=form, solver="CLARABEL")


def test_unknown_solver_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"unknown solver 'FOO'; available solvers: \['native', "
                                         r"'CLARABEL'"):
        dual.solve(REAL, FAKE, solver="FOO")
    with pytest.raises(TypeError, match=r"solver must be a string, got 3 of type int"):
        dual.solve(REAL, FAKE, solver=3)


@pytest.mark.parametrize("solver", ["OSQP", "HIGHS", "SCIPY", "GUROBI"])
def test_solvers_without_exponential_cones_are_refused(solver):
    with pytest.raises(ValueError, match=rf"solver '{solver}' cannot solve exponential-cone "
                                         r"problems.*available solvers"):
        dual.solve(REAL, FAKE, solver=solver)


@pytest.mark.parametrize("solver, reason", [
    ("ECOS_BB", r"it is ECOS's mixed-integer front end; use 'ECOS' for this continuous problem"),
    ("DIFFCP", r"it is the differentiating wrapper of SCS and Clarabel .* use 'SCS' or 'CLARABEL'"),
])
def test_front_ends_of_other_solvers_are_refused_with_the_solver_to_use(solver, reason):
    # cvxpy lists both as exponential-cone solvers; neither is a solver of its own
    assert solver not in dual.available_solvers()
    with pytest.raises(ValueError, match=rf"solver '{solver}' is not offered: {reason}; "
                                         r"available solvers: \['native', 'CLARABEL'"):
        dual.solve(REAL, FAKE, solver=solver)


@pytest.mark.parametrize("solver", ["KNITRO", "COPT", "MOSEK"])
def test_known_but_not_installed(solver):
    # MOSEK: cvxpy lists its exponential cone only once mosek is imported; it must still be
    # called "not installed", not "cannot solve exponential-cone problems"
    if solver in cp.installed_solvers():
        pytest.skip(f"{solver} is installed here")
    with pytest.raises(ValueError, match=rf"solver '{solver}' is not installed; available "
                                         r"solvers: \['native', 'CLARABEL'"):
        dual.solve(REAL, FAKE, solver=solver)


@pytest.fixture
def fresh_probe_cache():
    registry._probe.cache_clear()
    yield
    registry._probe.cache_clear()
    dual.available_solvers()  # re-probe now, so that later patches of cvxpy cannot leak in


def test_installed_but_unusable_solver_with_a_patched_probe(monkeypatch):
    # SCS comes with cvxpy, so it is installed wherever these tests run
    reason = "LicenseError: no valid licence found"
    original = registry._probe
    monkeypatch.setattr(registry, "_probe", lambda name: reason if name == "SCS" else
                        original(name))
    assert "SCS" not in dual.available_solvers()
    assert dual.unavailable_solvers() == {"SCS": reason}
    others = [name for name in AVAILABLE if name != "SCS"]
    with pytest.raises(ValueError, match=r"solver 'SCS' is installed but cannot run here "
                                         r"\(LicenseError: no valid licence found\); available "
                                         rf"solvers: \['native', '{others[0]}'"):
        dual.solve(REAL, FAKE, solver="SCS")


def test_the_probe_itself_catches_a_failing_solver(monkeypatch, fresh_probe_cache):
    solve = cp.Problem.solve

    def failing(self, *args, **kwargs):
        if kwargs.get("solver") == "SCS":
            raise cp.error.SolverError("license expired on 2020-01-01\nsecond line")
        return solve(self, *args, **kwargs)

    monkeypatch.setattr(cp.Problem, "solve", failing)
    assert "SCS" not in dual.available_solvers()
    assert dual.unavailable_solvers() == {"SCS": "SolverError: license expired on 2020-01-01"}
    with pytest.raises(ValueError, match=r"'SCS' is installed but cannot run here"):
        dual.solve(REAL, FAKE, solver="SCS")


def test_a_patched_probe_leaves_no_trace(fresh_probe_cache):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cp.Problem, "solve", lambda self, *a, **k: (_ for _ in ()).throw(
            cp.error.SolverError("no licence")))
        assert dual.available_solvers() == []
    registry._probe.cache_clear()
    assert dual.available_solvers() == AVAILABLE
    assert dual.unavailable_solvers() == {}


@pytest.mark.parametrize("form", ["primal", "dual"])
def test_solver_error_when_the_solver_raises(monkeypatch, form):
    def raising(self, *args, **kwargs):
        raise cp.error.SolverError("numerical trouble in the KKT system")

    monkeypatch.setattr(cp.Problem, "solve", raising)
    with pytest.raises(dual.SolverError, match=r"solver 'CLARABEL' failed with status "
                                               r"'solver_error': numerical trouble") as info:
        dual.solve(REAL, FAKE, form=form, solver="CLARABEL")
    assert info.value.solver == "CLARABEL" and info.value.status == "solver_error"


@pytest.mark.parametrize("solver, options", [("CLARABEL", {"max_iter": 1}),
                                             ("ECOS", {"max_iters": 1})])
@pytest.mark.parametrize("form", ["primal", "dual"])
def test_solver_error_when_the_iteration_limit_leaves_no_solution(solver, options, form):
    if solver not in AVAILABLE:
        pytest.skip(f"{solver} not available (ECOS is the optional [ecos] extra)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cvxpy's own warning on 'user_limit' is kept back
        with pytest.raises(dual.SolverError, match=rf"solver '{solver}' failed with status "
                                                   r"'user_limit'") as info:
            dual.solve(REAL, FAKE, form=form, solver=solver, **options)
    assert info.value.solver == solver and info.value.status == "user_limit"
    assert isinstance(info.value, RuntimeError)


@pytest.mark.parametrize("form", ["primal", "dual"])
def test_inaccurate_status_warns_with_advice_and_only_with_dual_warnings(form):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = dual.solve(REAL, FAKE, form=form, solver="SCS", max_iters=2)
    # cvxpy's "Solution may be inaccurate" UserWarning is caught in the backend, which reads
    # the status itself: the caller sees dual's warning class only
    assert [item.category for item in caught] == [dual.InaccurateSolutionWarning]
    assert re.search(rf"SCS/{form}: the certified relative gap is .* and the backend reported "
                     r"status 'optimal_inaccurate'.*Try another solver.*eps_abs",
                     str(caught[0].message))
    assert sol.status == "optimal_inaccurate"  # the solution still comes back, certified
    assert sol.gap >= 0.0  # weak duality; this loose gap dwarfs any rounding


@pytest.mark.parametrize("form", ["primal", "dual"])
def test_loose_certified_gap_warns_with_advice(form):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(20, 2)) + 1, rng.normal(size=(20, 2)) - 1
    with pytest.warns(dual.InaccurateSolutionWarning,
                      match=rf"SCS/{form}: the certified relative gap is .* > 1e-06"):
        sol = dual.solve(real, fake, form=form, solver="SCS", eps_abs=1e-1, eps_rel=1e-1)
    assert sol.status == "optimal" and sol.relative_gap > dual.GAP_WARN_RTOL


def test_a_flagged_status_with_a_tight_certificate_does_not_warn(monkeypatch):
    from dual.backends import cvxpy_backend

    monkeypatch.setattr(cvxpy_backend, "_check_status", lambda problem, solver: True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = dual.solve(REAL, FAKE, solver="CLARABEL", form="primal")
    assert abs(sol.relative_gap) <= dual.GAP_WARN_RTOL


def test_warm_start_must_be_a_solution():
    with pytest.raises(TypeError, match=r"warm_start must be a dual.Solution or None, got dict"):
        dual.solve(REAL, FAKE, warm_start={"w": [0, 0]})


def test_objective_functions_validate_too():
    with pytest.raises(ValueError, match=r"lam_real must lie in the box \[-1, 0\]"):
        dual.dual_objective([0.1, -0.5, -0.5], [-0.5, -0.5], REAL, FAKE)
    with pytest.raises(ValueError, match=r"lam_fake must lie in the box"):
        dual.dual_objective([-0.5] * 3, [-1.5, -0.5], REAL, FAKE)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\), got shape \(3,\)"):
        dual.primal_objective([1.0, 2.0, 3.0], REAL, FAKE)
    with pytest.raises(ValueError, match=r"w must be finite"):
        dual.primal_objective([1.0, np.nan], REAL, FAKE)
    with pytest.raises(ValueError, match=r"lam_fake must have shape \(2,\)"):
        dual.w_from_lambdas([-0.5] * 3, [-0.5] * 3, REAL, FAKE)
    with pytest.raises(ValueError, match=r"c must be a finite number > 0"):
        dual.primal_objective([1.0, 2.0], REAL, FAKE, c=0)


def test_import_dual_does_not_import_torch_or_cvxpy():
    code = ("import sys, dual; "
            "print('torch' in sys.modules, 'cvxpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
