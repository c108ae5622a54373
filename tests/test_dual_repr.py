"""``print(solution)`` is a few lines, however many multipliers there are (issue 32, item 8)."""

import re

import numpy as np
import pytest

import dual


def _solution(n, kernel):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(1.0, 1.0, (n, 4)), rng.normal(-1.0, 1.0, (n, 4))
    if kernel:
        A = np.vstack([real, fake])
        return dual.solve_kernel(A @ A.T, n_real=n, c=2.0)
    return dual.solve(real, fake, c=2.0, solver="native", form="primal")


@pytest.mark.parametrize("kernel", [False, True], ids=["Solution", "KernelSolution"])
def test_repr_is_a_few_lines_naming_form_solver_status_values_gap_and_shapes(kernel):
    small, large = _solution(20, kernel), _solution(150, kernel)
    text = repr(large)
    lines = text.splitlines()
    assert len(lines) == len(repr(small).splitlines()) <= 5  # no multiplier is printed
    assert max(map(len, lines)) <= 100
    assert str(large) == text
    name = "KernelSolution" if kernel else "Solution"
    assert lines[0].startswith(f"{name}(form={large.form!r}, solver='native', "
                               f"status={large.status!r}")
    numbers = dict(re.findall(r"(F|g|gap) = (-?[0-9.e+-]+)", text))
    assert float(numbers["F"]) == pytest.approx(large.primal_value, rel=1e-9)
    assert float(numbers["g"]) == pytest.approx(large.dual_value, rel=1e-9)
    assert float(numbers["gap"]) == pytest.approx(large.gap, rel=1e-2, abs=1e-300)
    assert "lam_real (150,)" in text and "lam_fake (150,)" in text
    assert ("w (4,)" in text) is not kernel
