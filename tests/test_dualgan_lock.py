"""dualgan.lock: one writer per output. The holder is another process (a small Python program
holding the lock until its stdin closes), so the kernel's flock arbitrates as between two
scripts; a SIGKILL of the holder frees the output for the next writer."""

import datetime
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dualgan.lock import LOCK_NAME, OutputLockedError, hold_directory, hold_file

ROOT = Path(__file__).resolve().parents[1]

HOLDER = """
import sys
from dualgan.lock import hold_directory, hold_file
kind, path = sys.argv[1], sys.argv[2]
with (hold_directory if kind == "directory" else hold_file)(path):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


class Holder:
    """Another process holding ``path`` (a directory or a file's table lock)."""

    def __init__(self, kind, path):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))}
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, kind, str(path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                        text=True)
        assert self.process.stdout.readline() == "held\n"

    def end(self):
        self.process.stdin.close()
        assert self.process.wait(30) == 0

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(30) == -signal.SIGKILL


@pytest.fixture
def holders():
    started = []
    yield lambda kind, path: started.append(Holder(kind, path)) or started[-1]
    for holder in started:
        if holder.process.poll() is None:
            holder.process.kill()
            holder.process.wait(30)


def test_a_second_writer_is_refused_naming_the_holder_pid_host_and_start(tmp_path, holders):
    holder = holders("directory", tmp_path / "run")
    with pytest.raises(OutputLockedError) as refused:
        with hold_directory(tmp_path / "run"):
            pytest.fail("the second writer got the lock")
    message = str(refused.value)
    assert "\n" not in message
    assert f"pid {holder.process.pid} on {socket.gethostname()}" in message
    assert refused.value.holder["pid"] == holder.process.pid
    started = datetime.datetime.strptime(refused.value.holder["started"],
                                         "%Y-%m-%d %H:%M:%S UTC")
    started = started.replace(tzinfo=datetime.timezone.utc)
    assert abs((started - holder.started).total_seconds()) < 60
    assert str(tmp_path / "run") in message and "--out" in message


def test_the_lock_is_free_once_the_holder_ends_and_its_file_is_removed(tmp_path, holders):
    holders("directory", tmp_path).end()
    assert not (tmp_path / LOCK_NAME).exists()
    with hold_directory(tmp_path):
        assert (tmp_path / LOCK_NAME).exists()
    assert os.listdir(tmp_path) == []  # nothing left behind


def test_a_killed_holder_leaves_its_lock_file_and_the_next_writer_takes_it(tmp_path, holders):
    holders("directory", tmp_path).kill()
    assert (tmp_path / LOCK_NAME).exists()  # SIGKILL: no release, the file stays...
    with hold_directory(tmp_path):  # ...but the kernel released the lock with the process
        pass
    assert os.listdir(tmp_path) == []


def test_two_tables_in_one_directory_have_two_writers(tmp_path, holders):
    holders("file", tmp_path / "sweep_ring.csv")
    with hold_file(tmp_path / "sweep_digits.csv"):
        pass  # another table of the same directory: free
    with pytest.raises(OutputLockedError, match="sweep_ring.csv is being written"):
        with hold_file(tmp_path / "sweep_ring.csv"):
            pass


def test_a_process_may_take_a_lock_it_holds_again(tmp_path):
    with hold_directory(tmp_path):
        with hold_directory(tmp_path):
            pass
        assert (tmp_path / LOCK_NAME).exists()  # still held by the outer writer
        process = subprocess.run(
            [sys.executable, "-c", HOLDER, "directory", str(tmp_path)], capture_output=True,
            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
        assert process.returncode == 1 and "OutputLockedError" in process.stderr
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_directory_that_cannot_be_created_is_refused_as_unwritable(tmp_path):
    from dualgan.files import OutputDirectoryError

    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputDirectoryError, match="cannot write the outputs to"):
        with hold_directory(tmp_path / "a-file" / "out"):
            pass
