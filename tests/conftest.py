"""Shared test helpers: loading an example script as a module."""

import importlib.util
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
if str(EXAMPLES) not in sys.path:  # the scripts import their shared helpers (gan_cli) by name
    sys.path.insert(0, str(EXAMPLES))


def load_example(name):
    """Import ``examples/<name>.py`` as a module (its ``main`` is then callable with an argv)."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
