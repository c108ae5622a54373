"""Shared test helpers: loading an example script as a module; where the tests cache the
machine constants of ``form="auto"``; the digits classifier."""

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest
import torch

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
if str(EXAMPLES) not in sys.path:  # the scripts import their shared helpers (gan_cli) by name
    sys.path.insert(0, str(EXAMPLES))


# form="auto" of the native backend measures this machine once and caches the constants
# (dual.calibration): the tests keep that cache beside the other temporary files, not in the
# user's home; scripts run as subprocesses inherit the setting.
os.environ.setdefault("DUAL_CALIBRATION", os.path.join(
    tempfile.gettempdir(), f"dualgan-tests-{os.getuid()}", "calibration.json"))


def load_example(name):
    """Import ``examples/<name>.py`` as a module (its ``main`` is then callable with an argv)."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def digits_classifier(tmp_path_factory):
    """The digits target and its judge, the classifier trained once per session into a fresh
    cache folder; with the global torch RNG state before and after the training."""
    from generator import image_metrics
    from generator.targets import make_target

    target = make_target("digits")
    cache = tmp_path_factory.mktemp("classifier-cache")
    before = torch.get_rng_state()
    judge = image_metrics.judge(target, cache)
    return {"target": target, "judge": judge, "cache": cache,
            "rng": (before, torch.get_rng_state())}
