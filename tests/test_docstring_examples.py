"""The ``Examples`` sections of the docstrings run, as doctests, in the default suite (issue 32,
item 5).

Every module of the four packages is searched (a module whose optional dependency is not
installed is left out, and named in the skip); each docstring with examples is one test, so the
count shows in the summary. The examples of the public API listed in ``REQUIRED`` must exist.
"""

import doctest
import importlib
import pkgutil
import time

import numpy as np
import pytest
import torch

PACKAGES = ("dual", "dualgan", "generator", "vae")
# the public API whose docstrings must show a call in context
REQUIRED = ("dual.solve.solve", "dual.kernel.solve_kernel", "dual.certificate.certify",
            "dual.autograd.optimal_value", "vae.model.VAE", "vae.bounds.negative_elbo",
            "vae.train.VAETrainer", "generator.training.trainer.GANTrainer",
            "generator.methods.feature_dual.DualMethod",
            "generator.methods.neural_dual.NeuralDualMethod",
            "generator.methods.baseline.BaselineMethod")
# Each example runs well under a second here (one-time imports aside); the bound is 20 times
# that, so that it catches an example that trains for real, not a slow or busy machine.
SECONDS = 20.0


def _modules():
    modules, missing = [], []
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            try:
                modules.append(importlib.import_module(info.name))
            except ModuleNotFoundError as err:  # an optional dependency (an extra)
                if err.name.split(".")[0] in PACKAGES:
                    raise
                missing.append(f"{info.name} (needs {err.name})")
    return modules, missing


def _doctests():
    modules, _ = _modules()
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = {}
    for module in modules:
        for test in finder.find(module):
            if test.examples and test.name not in found:
                found[test.name] = test
    return found


DOCTESTS = _doctests()


def test_the_public_api_has_examples():
    missing = [name for name in REQUIRED if name not in DOCTESTS]
    assert not missing, f"no Examples section with a doctest: {missing}"


@pytest.fixture(scope="module")
def imported():
    """The one-time imports behind a first Adam optimizer, CVXPY problem and scikit-learn
    model (a second or two), paid before the examples are timed: not an example's cost."""
    import cvxpy
    import sklearn.linear_model  # noqa: F401

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    return cvxpy


@pytest.mark.parametrize("name", sorted(DOCTESTS))
def test_docstring_example_runs(name, imported):
    test = DOCTESTS[name]
    test.globs = dict(test.globs)  # a fresh namespace per docstring
    state = np.random.get_state(), torch.get_rng_state(), torch.get_default_dtype()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []  # doctest swaps sys.stdout while it runs: its report is collected here
    start = time.perf_counter()
    try:
        runner.run(test, out=report.append)
    finally:
        np.random.set_state(state[0])
        torch.set_rng_state(state[1])
        torch.set_default_dtype(state[2])
    seconds = time.perf_counter() - start
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)
    assert seconds < SECONDS, f"{name}: {seconds:.2f} s"
