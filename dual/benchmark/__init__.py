"""The backend benchmark: every exact backend timed on the same certified problems.

Solver-backend experiments as a feature: the data families (:mod:`.families`), the cells and
their timing and budget rules with a resumable result table (:mod:`.harness`), the kernel-form
cells (:mod:`.kernel`), and the tables, worst-cell summary and figures (:mod:`.report`).
:mod:`.gradients` checks the gradients of the optimal value (Danskin, cvxpylayers) against
finite differences; it needs torch and is imported on demand only.
``examples/benchmark_backends.py`` and ``examples/compare_gradients.py`` are their command
lines::

    from dual.benchmark import BenchmarkSettings, run_benchmark
    run_benchmark(BenchmarkSettings(quick=True, families=["overlapping"]), "runs/bench")

Not imported by ``import dual``. Needs scikit-learn (liblinear, the reference) and threadpoolctl
to run; matplotlib only for the figure, imported when it is drawn.
"""

from .families import FAMILIES, make
from .harness import (
                      BenchmarkSettings,
                      cells_of,
                      output_name,
                      read_rows,
                      run_benchmark,
                      run_cell,
                      table,
)

__all__ = ["FAMILIES", "BenchmarkSettings", "cells_of", "make", "output_name", "read_rows",
           "run_benchmark", "run_cell", "table"]
