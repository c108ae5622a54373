"""Run an example script as ``__main__``, held still at a chosen point until a signal arrives.

    python tests/fault_points.py SCRIPT [ARGS...]

The fault-injection tests (``tests/test_faults.py``) use it to deliver a real SIGINT or SIGKILL
at an exact point of a run, without racing against the run: the script stops at the point,
writes ``FAULT_MARKER`` and waits (SIGINT blocked, so none is lost) until the test signals it.
After a SIGINT the script continues with the signal delivered to its own handler, exactly as
if Ctrl-C had been pressed at that point; SIGKILL ends it there.

Environment
-----------
FAULT_MARKER
    File written when the point is reached (its text names the point).
FAULT_AT_PROGRESS = k
    Stop right after the k-th progress-bar update of this process: a generator step of the GAN
    scripts, a minibatch of the VAE, a finished run of the sweep.
FAULT_AT_WRITE = DIR:n
    Stop right after the n-th file opened for writing in directory DIR has been created (or
    truncated), before anything is written into it (a writer's lock file is not counted).

Without either point the script runs undisturbed. A script that is still held after
``FAULT_TIMEOUT`` seconds (default 120) exits with code 99.
"""

import builtins
import io
import os
import runpy
import signal
import sys

import tqdm.std

_real_open = builtins.open
_real_os_open = os.open


def _hold(point):
    """Write the marker, wait for SIGINT (or be killed), then deliver the SIGINT."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    marker = os.environ["FAULT_MARKER"]
    with _real_open(marker + ".part", "w") as handle:
        handle.write(point)
    os.replace(marker + ".part", marker)
    received = signal.sigtimedwait({signal.SIGINT}, float(os.environ.get("FAULT_TIMEOUT", 120)))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if received is None:
        print(f"fault_points: still held at {point} after the timeout", file=sys.stderr)
        os._exit(99)
    signal.raise_signal(signal.SIGINT)  # now handled by whatever handler the script installed


def _stop_at_progress(k):
    original = tqdm.std.tqdm.update
    calls = 0

    def update(self, n=1):
        nonlocal calls
        result = original(self, n)
        calls += 1
        if calls == k:
            _hold(f"progress update {k}")
        return result

    tqdm.std.tqdm.update = update


def _stop_at_write(directory, n):
    directory = os.path.realpath(directory)
    opened = 0

    def check(file, writing):
        nonlocal opened
        if not writing or isinstance(file, int):
            return
        if os.path.dirname(os.path.realpath(os.fspath(file))) != directory:
            return
        if os.fspath(file).endswith(".lock"):  # a writer's lock (dualgan.lock), not an output
            return
        opened += 1
        if opened == n:
            _hold(f"write {n}: {os.path.basename(os.fspath(file))}")

    def open_(file, mode="r", *args, **kwargs):
        handle = _real_open(file, mode, *args, **kwargs)
        check(file, any(c in mode for c in "wax+"))
        return handle

    def os_open(path, flags, *args, **kwargs):
        fd = _real_os_open(path, flags, *args, **kwargs)
        check(path, bool(flags & (os.O_WRONLY | os.O_RDWR)))
        return fd

    builtins.open = io.open = open_
    os.open = os_open


def main():
    script, args = sys.argv[1], sys.argv[2:]
    if "FAULT_AT_PROGRESS" in os.environ:
        _stop_at_progress(int(os.environ["FAULT_AT_PROGRESS"]))
    if "FAULT_AT_WRITE" in os.environ:
        directory, n = os.environ["FAULT_AT_WRITE"].rsplit(":", 1)
        _stop_at_write(directory, int(n))
    sys.argv = [script] + args
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python SCRIPT` would have it
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
