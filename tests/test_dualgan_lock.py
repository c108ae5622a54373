"""dualgan.lock: one writer per output. The holder is another process (a small Python program
holding the lock until its stdin closes), so the kernel's flock arbitrates as between two
scripts; a SIGKILL of the holder frees the output for the next writer."""

import datetime
import os
import socket
import subprocess
import sys

import pytest

from dualgan.lock import LOCK_NAME, OutputLockedError, hold_directory, hold_file
from faults import HOLDER, ROOT


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


def test_a_filesystem_that_cannot_lock_warns_in_one_line_and_runs_unlocked(tmp_path, capsys,
                                                                           monkeypatch):
    import errno
    import fcntl

    def flock(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", flock)
    with hold_directory(tmp_path):
        pass
    err = capsys.readouterr().err
    assert err == (f"warning: {tmp_path}: this filesystem cannot lock files "
                   f"({os.strerror(errno.ENOLCK)}); a second writer would not be refused\n")
    assert os.listdir(tmp_path) == []


def test_a_full_disk_at_the_start_is_a_named_write_failure_and_leaves_no_lock_file(
        tmp_path, monkeypatch):
    import errno

    from dualgan.files import WriteFailedError

    def pwrite(fd, data, offset):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "pwrite", pwrite)
    with pytest.raises(WriteFailedError, match=f"cannot write {tmp_path / LOCK_NAME} "):
        with hold_directory(tmp_path):
            pass
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []
    with hold_directory(tmp_path):  # not held by anyone
        pass
