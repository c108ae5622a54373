"""One writer per output: an exclusive operating-system lock, held for the writer's life.

Two commands started into one run directory, or two studies into one table, would otherwise
interleave their files (a ``config.json`` of one run beside the checkpoint of another, a table
holding each row twice). Every writer therefore holds a lock on what it writes:

* a **run directory** (a GAN or VAE run, a comparison) is held through ``OUT/.lock``
  (:func:`hold_directory`);
* a **result table** (a study's or a benchmark's CSV, with the files named after it) is held
  through a hidden lock file beside it, ``.NAME.csv.lock`` (:func:`hold_file`), so that two
  tables in one directory have two writers.

The lock is ``fcntl.flock(LOCK_EX | LOCK_NB)`` on that file: the kernel releases it when the
holder's process ends, however it ends (a SIGKILL included), so a lock is never stale and no pid
has to be checked. The holder writes its pid, host, start time and command into the file; a
second writer is refused at once with :class:`OutputLockedError`, whose one-line message names
them (the scripts exit with code 2, :func:`dualgan.cli.run`). A ``--resume`` of a directory whose
writer is still alive is refused the same way. A reader (the summary of a finished study) takes
no lock.

The lock file is removed when its holder releases it; one left by a killed holder is unlocked
and taken over by the next writer. A process may take a lock it already holds (the count is
kept): a comparison holds its directory while the runs it starts hold theirs, and a script's
``main`` can be called twice in one process.

On a filesystem that cannot lock files (``flock`` refused with ``ENOLCK``, ``EOPNOTSUPP``), the
writer runs unlocked after a one-line warning. POSIX only (``fcntl``); standard library only.
"""

import contextlib
import datetime
import errno
import fcntl
import functools
import json
import os
import socket
import sys
import time

from .files import WriteFailedError, ensure_writable_directory, writer_scope

LOCK_NAME = ".lock"  # a run directory's lock file
READ_HOLDER_SECONDS = 1.0  # how long a refused writer waits for the holder's name to be written

UNSUPPORTED = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)  # flock refused by the filesystem

_held = {}  # realpath of a lock file -> [fd (None: unlocked), count]


class OutputLockedError(RuntimeError):
    """Another process writes this output now.

    Attributes
    ----------
    output : str
        The run directory or result table.
    holder : dict
        ``pid``, ``host``, ``started`` (UTC, ISO 8601) and ``command`` of the writer holding it
        (empty when it had not written them yet).
    """

    def __init__(self, output, holder):
        self.output, self.holder = os.fspath(output), holder
        if holder.get("pid"):
            who = (f"pid {holder['pid']} on {holder.get('host', '?')}, started "
                   f"{holder.get('started', '?')}")
            if holder.get("command"):
                who += f": {holder['command']}"
        else:
            who = "a process that has just started"
        super().__init__(f"{self.output} is being written by another process ({who}); wait "
                         f"until it ends or stop it, or choose another --out")


def _holder_record():
    command = " ".join([os.path.basename(sys.argv[0] or "python")] + sys.argv[1:])
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": started,
            "command": command[:160]}


def _read_holder(fd):
    """The holder's record from the lock file (waiting briefly while it is being written)."""
    deadline = time.monotonic() + READ_HOLDER_SECONDS
    while True:
        try:
            holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
            if isinstance(holder, dict):
                return holder
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            return {}
        time.sleep(0.02)


def _same_file(fd, path):
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)


def acquire(lock_path, output=None):
    """Take the exclusive lock ``lock_path`` for this process (again, if it holds it already).

    Prefer :func:`hold_directory` and :func:`hold_file`, which release it.

    Raises
    ------
    OutputLockedError
        Another process holds it (``output`` names what it protects in the message).
    dualgan.files.WriteFailedError
        The lock file cannot be written (a full disk, ...).
    """
    key = os.path.realpath(lock_path)
    if key in _held:
        _held[key][1] += 1
        return
    output = lock_path if output is None else output
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise WriteFailedError(lock_path, err) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in UNSUPPORTED:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.remove(lock_path)
                print(f"warning: {output}: this filesystem cannot lock files "
                      f"({err.strerror}); a second writer would not be refused", file=sys.stderr)
                _held[key] = [None, 1]
                return
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = _read_holder(fd)
            os.close(fd)
            raise OutputLockedError(output, holder) from None
        # a holder removes the file as it releases it: a lock on a removed file protects nothing
        if _same_file(fd, lock_path):
            break
        os.close(fd)
    try:
        data = json.dumps(_holder_record()).encode("utf-8")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except BaseException as err:
        _unlink_and_close(fd, lock_path)
        if isinstance(err, OSError):  # a full disk at the start
            raise WriteFailedError(lock_path, err) from err
        raise
    _held[key] = [fd, 1]


def release(lock_path):
    """Give up a lock taken by :func:`acquire` (the last release removes the file)."""
    key = os.path.realpath(lock_path)
    entry = _held.get(key)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] == 0:
        del _held[key]
        if entry[0] is not None:
            _unlink_and_close(entry[0], lock_path)


def _unlink_and_close(fd, lock_path):
    with contextlib.suppress(OSError):
        if _same_file(fd, lock_path):
            os.remove(lock_path)  # while still held: the next writer opens a new file
    os.close(fd)


@contextlib.contextmanager
def _holding(lock_path, output, note):
    acquire(lock_path, output)
    try:
        with writer_scope(note):
            yield
    finally:
        release(lock_path)


def hold_directory(directory, recovery_note=None):
    """Context manager: create ``directory`` if needed (checked writable, else
    :class:`~dualgan.files.OutputDirectoryError`) and hold it for this process.

    While it is held, a failed write says ``recovery_note`` is safe (default: the files written
    before it; :func:`dualgan.files.writer_scope`).

    Raises
    ------
    OutputLockedError
        Another process writes into ``directory``.
    """
    directory = ensure_writable_directory(directory)
    return _holding(os.path.join(directory, LOCK_NAME), directory, recovery_note)


def hold_file(path, recovery_note=None):
    """Context manager: hold the output ``path`` (a result table and the files named after it)
    through ``.NAME.lock`` beside it; its directory must exist. See :func:`hold_directory`."""
    directory, name = os.path.split(os.path.abspath(path))
    return _holding(os.path.join(directory, f".{name}.lock"), os.fspath(path), recovery_note)


def holding_directory(directory_of, recovery_note=None):
    """Decorator: hold the directory ``directory_of(*args, **kwargs)`` while the function runs
    (:func:`hold_directory`)."""
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with hold_directory(directory_of(*args, **kwargs), recovery_note):
                return function(*args, **kwargs)
        return wrapper
    return decorate
