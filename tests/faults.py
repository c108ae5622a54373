"""Helpers of the fault-injection tests: run an example script as a subprocess, stop it at an
exact point with ``tests/fault_points.py``, and check what it left on disk.

Every script runs as ``python examples/<script>.py ARGS`` would, with this checkout first on
``PYTHONPATH`` and one BLAS/OpenMP thread (an uninterrupted run and a resumed one then take the
same arithmetic paths, and the shared machine is spared).
"""

import csv
import datetime
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LAUNCHER = Path(__file__).resolve().parent / "fault_points.py"
TIMEOUT = 600  # seconds for one invocation; generous, for a loaded machine

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"


def environment(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONUNBUFFERED="1", **extra)
    return env


class Invocation:
    """One run of a script in its own process group, its output captured in files."""

    def __init__(self, script, args, logs, stop_at_progress=None, stop_at_write=None):
        logs = Path(logs)
        logs.mkdir(parents=True, exist_ok=True)
        count = len(list(logs.glob("*.stdout")))
        self.stdout_path = logs / f"{count}.stdout"
        self.stderr_path = logs / f"{count}.stderr"
        self.marker = logs / f"{count}.marker"
        extra = {"FAULT_MARKER": str(self.marker)}
        if stop_at_progress is not None:
            extra["FAULT_AT_PROGRESS"] = str(stop_at_progress)
        if stop_at_write is not None:
            directory, n = stop_at_write
            extra["FAULT_AT_WRITE"] = f"{directory}:{n}"
        command = [sys.executable, str(LAUNCHER), str(EXAMPLES / script)] + [str(a) for a in args]
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT,
                                            env=environment(**extra), start_new_session=True)
        self.returncode = None

    @property
    def stdout(self):
        return self.stdout_path.read_text()

    @property
    def stderr(self):
        return self.stderr_path.read_text()

    def wait_until_stopped(self, or_finished=False):
        """Wait until the script holds at its fault point; returns the point's description.

        When the script ends first (it never reached the point), return None if
        ``or_finished``, else fail the test.
        """
        deadline = time.monotonic() + TIMEOUT
        while not self.marker.exists():
            if self.process.poll() is not None:
                if or_finished:
                    return None
                raise AssertionError(f"the script ended (exit code {self.process.returncode}) "
                                     f"before its fault point:\n{self.stdout}\n{self.stderr}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the script did not reach its fault point in {TIMEOUT} s")
            time.sleep(0.02)
        return self.marker.read_text()

    def interrupt(self, group=False):
        """Ctrl-C: SIGINT to the script, or to its whole process group as a terminal sends it."""
        if group:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGINT)

    def kill(self):
        """SIGKILL to the whole process group (the script and any worker it started)."""
        os.killpg(self.process.pid, signal.SIGKILL)

    def finish(self):
        """Wait for the end; returns the exit code (negative: killed by that signal)."""
        try:
            self.returncode = self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the script did not finish in {TIMEOUT} s") from None
        return self.returncode


def run(script, args, logs, **stop):
    """Run a script to its end; returns the finished :class:`Invocation`."""
    invocation = Invocation(script, args, logs, **stop)
    invocation.finish()
    return invocation


def one_line_error(invocation):
    """The single stderr line of a user error (exit code 2); fails on anything else."""
    assert invocation.returncode == 2, (invocation.returncode, invocation.stdout,
                                        invocation.stderr)
    lines = invocation.stderr.strip().splitlines()
    assert len(lines) == 1, invocation.stderr
    assert "Traceback" not in invocation.stderr
    return lines[0]


# --------------------------------------------------------------------------- a lock holder


HOLDER = """
import sys
from dualgan.lock import hold_directory, hold_file
kind, path = sys.argv[1], sys.argv[2]
with (hold_directory if kind == "directory" else hold_file)(path):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


class Holder:
    """Another process holding ``path``: a run directory (``kind="directory"``) or a result
    table (``kind="file"``), until :meth:`end` or :meth:`kill`."""

    def __init__(self, kind, path):
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, kind, str(path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=environment(), text=True)
        assert self.process.stdout.readline() == "held\n"

    def end(self):
        self.process.stdin.close()
        assert self.process.wait(30) == 0

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(30) == -signal.SIGKILL


# --------------------------------------------------------------------------- files on disk


def snapshot(directory):
    """name → (bytes, mtime in ns) of every file in ``directory`` (recursively)."""
    directory = Path(directory)
    return {str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def check_complete(path):
    """Fail unless ``path`` holds a complete file of its kind (JSON, PNG, checkpoint, CSV)."""
    path = Path(path)
    data = path.read_bytes()
    if path.suffix == ".json":
        json.loads(data)
    elif path.suffix == ".png":
        assert data.startswith(PNG_SIGNATURE) and data.endswith(PNG_END), f"partial {path}"
    elif path.suffix == ".pt":
        assert isinstance(torch.load(path, weights_only=True), dict), path
    elif path.suffix == ".csv":
        text = data.decode()
        assert text.endswith("\n"), f"{path} ends in a partial line"
        header, *rows = csv.reader(io.StringIO(text))
        assert all(len(row) == len(header) for row in rows), f"partial row in {path}"
    else:
        raise ValueError(f"no completeness rule for {path}")


def check_outputs(directory, names):
    """Each of ``names`` that exists in ``directory`` is complete; returns those that exist."""
    present = [name for name in names if (Path(directory) / name).exists()]
    for name in present:
        check_complete(Path(directory) / name)
    return present


# --------------------------------------------------------------------------- results


def is_timing(key):
    """Wall-clock and CPU times differ between any two runs; everything else must not."""
    return "second" in str(key) or str(key).endswith("_time")


def assert_same(a, b, where="result"):
    """``a`` and ``b`` are equal bit for bit (tensors), exactly (numbers, NaN equal to NaN) and
    in every key, timing entries (:func:`is_timing`) excepted."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape, where
        assert torch.equal(a, b) or (a.is_floating_point() and torch.equal(a.isnan(), b.isnan())
                                     and torch.equal(a.nan_to_num(), b.nan_to_num())), where
    elif isinstance(a, dict):
        assert isinstance(b, dict), where
        keys_a = {k for k in a if not is_timing(k)}
        keys_b = {k for k in b if not is_timing(k)}
        assert keys_a == keys_b, f"{where}: keys {sorted(keys_a ^ keys_b, key=str)} differ"
        for key in keys_a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _final_state(directory):
    state = torch.load(Path(directory) / "checkpoint.pt", weights_only=True)
    # The global numpy stream is saved with the others but never seeded and never drawn from
    # (the packages use torch generators and numpy's default_rng): its state is whatever each
    # process started with, not a result.
    state["rng"].pop("numpy")
    return state


def assert_same_run(dir_a, dir_b):
    """Two finished run directories hold the same final checkpoint and the same metrics."""
    assert_same(_final_state(dir_a), _final_state(dir_b), "checkpoint")
    metrics = [json.loads((Path(d) / "metrics.json").read_text()) for d in (dir_a, dir_b)]
    assert_same(*metrics, "metrics")
