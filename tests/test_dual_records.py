"""``to_dict`` / ``from_dict`` of every result class of :mod:`dual`: every field, bitwise."""

import dataclasses

import numpy as np
import pytest

import dual
from dual_testdata import DATASETS


@pytest.fixture(scope="module")
def solutions():
    real, fake = DATASETS["overlapping"]
    rng = np.random.default_rng(40)
    offsets = {"offset_real": 0.3 * rng.normal(size=len(real)),
               "offset_fake": 0.3 * rng.normal(size=len(fake))}
    a = np.vstack([real, fake])
    return {
        "native": dual.solve(real, fake, 0.7, solver="native", form="primal", **offsets),
        "clarabel": dual.solve(real, fake, 0.7, form="dual"),
        "kernel": dual.solve_kernel(a @ a.T, len(real), 0.7,
                                    offset=np.concatenate(list(offsets.values()))),
    }


def _assert_bitwise_equal(left, right):
    assert type(left) is type(right)
    for field in dataclasses.fields(left):
        mine, theirs = getattr(left, field.name), getattr(right, field.name)
        if isinstance(mine, np.ndarray):
            assert theirs.dtype == np.float64 and mine.tobytes() == theirs.tobytes(), field.name
        elif dataclasses.is_dataclass(mine):
            _assert_bitwise_equal(mine, theirs)
        else:
            assert type(mine) is type(theirs) and mine == theirs, field.name


@pytest.mark.parametrize("name", ["native", "clarabel", "kernel"])
def test_round_trip_restores_every_field_bitwise(solutions, name):
    sol = solutions[name]
    data = sol.to_dict()
    # every dataclass field is there (a field added later cannot be left out silently)
    assert set(data) == {field.name for field in dataclasses.fields(sol)}
    assert set(data["kkt"]) == {field.name for field in dataclasses.fields(dual.KKTResiduals)}
    for field in dataclasses.fields(sol):
        if field.type is np.ndarray:
            assert isinstance(data[field.name], np.ndarray)
            assert data[field.name].dtype == np.float64
    again = type(sol).from_dict(data)
    _assert_bitwise_equal(again, sol)
    assert again == sol
    # the restored arrays are the solution's own, read-only like the original's
    assert not again.lam_real.flags.writeable


@pytest.mark.parametrize("name", ["native", "kernel"])
def test_from_dict_accepts_lists_and_cpu_tensors(solutions, name):
    torch = pytest.importorskip("torch")
    sol = solutions[name]
    data = sol.to_dict()
    as_lists = {key: value.tolist() if isinstance(value, np.ndarray) else value
                for key, value in data.items()}
    as_tensors = {key: torch.from_numpy(value) if isinstance(value, np.ndarray) else value
                  for key, value in data.items()}
    assert type(sol).from_dict(as_lists) == sol
    assert type(sol).from_dict(as_tensors) == sol


def test_equality_compares_arrays_by_value(solutions):
    sol = solutions["native"]
    data = sol.to_dict()
    data["lam_fake"][0] = np.nextafter(data["lam_fake"][0], 0.0)  # one ulp
    assert dual.Solution.from_dict(data) != sol
    assert sol != solutions["kernel"]


def test_from_dict_names_missing_and_unknown_fields(solutions):
    data = solutions["native"].to_dict()
    del data["gap"]
    data["meta"] = 1
    with pytest.raises(ValueError, match=r"Solution.from_dict: missing fields \['gap'\], "
                                         r"unknown fields \['meta'\]"):
        dual.Solution.from_dict(data)
    optional = solutions["native"].to_dict()
    del optional["iterations"]  # a field with a default may be left out
    assert dual.Solution.from_dict(optional).iterations is None
    with pytest.raises(TypeError, match=r"KernelSolution.from_dict needs a mapping, got list"):
        dual.KernelSolution.from_dict([1, 2])


def test_certificate_and_kkt_round_trip(solutions):
    sol = solutions["native"]
    cert = dual.Certificate(sol.primal_value, sol.dual_value, sol.gap, sol.kkt)
    assert dual.Certificate.from_dict(cert.to_dict()) == cert
    assert dual.KKTResiduals.from_dict(sol.kkt.to_dict()) == sol.kkt
