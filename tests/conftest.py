"""Shared test helpers: running an example script as a subprocess; where the tests cache the
machine constants of ``form="auto"``; the digits classifier; a tiny fake MNIST directory; the
figures the plotting functions of generator save."""

import gzip
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


# form="auto" of the native backend measures this machine once and caches the constants
# (dual.calibration): the tests keep that cache beside the other temporary files, not in the
# user's home; scripts run as subprocesses inherit the setting.
os.environ.setdefault("DUAL_CALIBRATION", os.path.join(
    tempfile.gettempdir(), f"dualgan-tests-{os.getuid()}", "calibration.json"))


def run_script(name, args, timeout=600, **env):
    """Run ``python examples/<name>.py ARGS`` from this checkout, one BLAS/OpenMP thread, with
    ``env`` added to the environment; returns the ``subprocess.CompletedProcess`` (text)."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1", **{k: str(v) for k, v in env.items()}}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py")] + [str(a) for a in args],
                          capture_output=True, text=True, cwd=ROOT, env=environment,
                          timeout=timeout)


@pytest.fixture(scope="session")
def digits_classifier(tmp_path_factory):
    """The digits target and its judge, the classifier trained once per session into a fresh
    cache folder; with the global torch RNG state before and after the training."""
    from generator.data.targets import make_target
    from generator.evaluation import images as image_metrics

    target = make_target("digits")
    cache = tmp_path_factory.mktemp("classifier-cache")
    before = torch.get_rng_state()
    judge = image_metrics.judge(target, cache)
    return {"target": target, "judge": judge, "cache": cache,
            "rng": (before, torch.get_rng_state())}


def _idx(array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture(scope="module")
def fake_mnist(tmp_path_factory):
    """A tiny MNIST directory: 50 training and 20 test random 28×28 images with digit labels."""
    directory = tmp_path_factory.mktemp("fake-mnist")
    rng = np.random.default_rng(0)
    for split, n in (("train", 50), ("t10k", 20)):
        for kind, array in (("images-idx3", rng.integers(0, 256, size=(n, 28, 28))),
                            ("labels-idx1", rng.integers(0, 10, size=n))):
            (directory / f"{split}-{kind}-ubyte.gz").write_bytes(gzip.compress(_idx(array)))
    return directory


@pytest.fixture
def saved(monkeypatch):
    """The figures the plotting functions of generator save, in order (nothing is written)."""
    from generator.plotting import curves, images, points

    figures = []
    for module in (curves, points, images):
        monkeypatch.setattr(module, "save_figure", lambda fig, path, **_: figures.append(fig))
    return figures


@pytest.fixture
def holders():
    """``holders(kind, path)`` starts a :class:`Holder`; those still alive are killed after."""
    from faults import Holder

    started = []
    yield lambda kind, path: started.append(Holder(kind, path)) or started[-1]
    for holder in started:
        if holder.process.poll() is None:
            holder.process.kill()
            holder.process.wait(30)


def interrupt_at(method, step):
    """``method`` whose ``step``-th step ends with a SIGINT, as a Ctrl-C would."""
    import os
    import signal

    inner = method.step
    count = iter(range(1, 10**6))

    def step_then_interrupt(*args):
        logs = inner(*args)
        if next(count) == step:
            os.kill(os.getpid(), signal.SIGINT)
        return logs

    method.step = step_then_interrupt
    return method


def uninterrupted_and_resumed(config, path, at=3):
    """The results of the run of ``config`` straight through, of the same run stopped by a
    Ctrl-C after step ``at`` (its checkpoint at ``path``), and of that run resumed to the end."""
    from generator.runs.build import build, make_trainer

    target, method = build(config)
    full = make_trainer(config, target, method, snapshots=0, progress=False).run()
    target, method = build(config)
    stopped = make_trainer(config, target, interrupt_at(method, at), checkpoint_path=path,
                           snapshots=0, progress=False).run()
    target, method = build(config)
    resumed = make_trainer(config, target, method, checkpoint_path=path, snapshots=0,
                           progress=False).resume()
    return full, stopped, resumed.run()
