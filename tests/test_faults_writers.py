"""One writer per output, and a full disk, for the scripts.

* Every script that writes a run directory or a result table refuses a second writer before any
  work: exit code 2, one line naming the holder's pid (in process, against a holder process).
* Two scripts started into one output (subprocesses): the second is refused while the first
  runs, also with --resume, and the first finishes alone; after a SIGKILL of the first, the next
  writer takes the output.
* A real full disk (a small tmpfs, where the machine lets the tests mount one): one line, exit
  code 1, and the run resumes to the result of an uninterrupted run.
"""

import csv
import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

from dualgan import cli
from dualgan.lock import LOCK_NAME
from faults import EXAMPLES, Invocation, assert_same_run, one_line_error, run

GAN_TINY = ["--steps", "40", "--batch-size", "32", "--num-features", "16", "--hidden", "16",
            "16", "--snapshots", "3", "--no-progress", "--checkpoint-every", "7"]
SWEEP_TINY = ["--methods", "dual", "--lrs", "1e-3", "1e-2", "--num-seeds", "2", "--steps", "20",
              "--batch-size", "16", "--num-features", "8", "--no-progress"]


def script(name):
    """The module of ``examples/<name>.py`` (its ``main``), imported from its file."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# script, its arguments, what the holder holds (relative to OUT): the directory or a table
REFUSALS = {
    "train_dual_gan": (GAN_TINY, "directory", "."),
    "train_baseline_gan": (GAN_TINY, "directory", "."),
    "train_vae": (["--epochs", "1", "--no-progress"], "directory", "."),
    "train_vae --seeds": (["--epochs", "1", "--seeds", "0", "1", "--no-progress"], "directory",
                          "."),
    "stability_sweep": (SWEEP_TINY, "file", "sweep_ring.csv"),
    "benchmark_backends": (["--quick"], "file", "benchmark.csv"),
    "compare_primal_dual": ([], "directory", "."),
    "compare_gradients": ([], "directory", "."),
    "compare_vae_reference": (["--data-dir", "no-such-dir"], "directory", "."),
    "compare_image_gans": (["--target", "digits", "--seeds", "0"], "directory", "."),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_second_writer_is_refused_in_one_line_before_any_work(tmp_path, holders, capsys,
                                                                 monkeypatch, case):
    args, kind, held = REFUSALS[case]
    out = tmp_path / "out"
    out.mkdir()
    holder = holders(kind, out / held)
    name = case.split()[0]
    monkeypatch.setattr("sys.argv", [f"{name}.py"])
    code = cli.run(script(name).main, args + ["--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"{name}.py: error: {out / held if held != '.' else out} is being "
                          f"written by another process (pid {holder.process.pid} on ")
    lock = LOCK_NAME if kind == "directory" else f".{held}.lock"
    assert os.listdir(out) == [lock]  # nothing written: refused before any work


def test_a_study_table_holding_runs_twice_is_refused_in_one_line(tmp_path, capsys, monkeypatch):
    sweep = script("stability_sweep")
    args = SWEEP_TINY + ["--out", str(tmp_path)]
    first = sweep.parse_args(args).configs[0].to_dict()
    table = sweep.StudyTable(tmp_path / "sweep_ring.csv")
    row = {**first, "status": "ok", "modes_covered": 8, "num_modes": 8,
           "high_quality_fraction": 0.5, "reverse_kl": 0.01, "wall_seconds": 1.0}
    table.append(row)
    text = (tmp_path / "sweep_ring.csv").read_text()
    (tmp_path / "sweep_ring.csv").write_text(text + text.splitlines(keepends=True)[1])
    monkeypatch.setattr("sys.argv", ["stability_sweep.py"])
    assert cli.run(sweep.main, args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds 1 key(s) more than once" in err
    assert "method=dual, seed=0, target=ring" in err  # the key, in its own order
    assert sorted(os.listdir(tmp_path)) == ["sweep_ring.csv"]


# --------------------------------------------------------------------------- subprocesses


@pytest.mark.slow
def test_a_second_gan_run_into_a_running_ones_directory_is_refused_and_changes_nothing(
        tmp_path):
    out, logs = tmp_path / "R", tmp_path / "logs"
    first = Invocation("train_dual_gan.py", GAN_TINY + ["--seed", "0", "--out", out], logs,
                       stop_at_progress=10)  # held still, its lock taken, config.json written
    first.wait_until_stopped()
    config = (out / "config.json").read_bytes()
    for extra in (["--overwrite"], ["--resume"]):
        second = run("train_dual_gan.py", GAN_TINY + ["--seed", "1", "--out", out] + extra, logs)
        line = one_line_error(second)
        assert f"is being written by another process (pid {first.process.pid} on " in line
        assert "train_dual_gan.py" in line and second.stdout == ""
    assert (out / "config.json").read_bytes() == config
    first.interrupt()  # Ctrl-C: the first writes its checkpoint and ends alone
    assert first.finish() == 130
    assert not (out / LOCK_NAME).exists()
    resumed = run("train_dual_gan.py", GAN_TINY + ["--seed", "0", "--out", out, "--resume"], logs)
    assert resumed.returncode == 0, resumed.stderr


@pytest.mark.slow
def test_after_a_sigkill_of_the_writer_the_next_one_takes_the_directory(tmp_path):
    out, logs = tmp_path / "R", tmp_path / "logs"
    first = Invocation("train_dual_gan.py", GAN_TINY + ["--out", out], logs, stop_at_progress=10)
    first.wait_until_stopped()
    first.kill()
    assert first.finish() < 0 and (out / LOCK_NAME).exists()  # left behind, but unlocked
    second = run("train_dual_gan.py", GAN_TINY + ["--out", out, "--resume"], logs)
    assert second.returncode == 0, second.stderr
    assert not (out / LOCK_NAME).exists()


@pytest.mark.slow
def test_a_second_study_into_a_running_ones_table_is_refused_and_no_run_is_recorded_twice(
        tmp_path):
    out, logs = tmp_path / "S", tmp_path / "logs"
    first = Invocation("stability_sweep.py", SWEEP_TINY + ["--out", out], logs,
                       stop_at_progress=1)  # held after its first run is recorded
    first.wait_until_stopped()
    second = run("stability_sweep.py", SWEEP_TINY + ["--out", out], logs)
    line = one_line_error(second)
    assert f"sweep_ring.csv is being written by another process (pid {first.process.pid} on " \
        in line
    first.interrupt()
    assert first.finish() == 130
    again = run("stability_sweep.py", SWEEP_TINY + ["--out", out], logs)
    assert again.returncode == 0, again.stderr
    with open(out / "sweep_ring.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    runs = sorted((float(r["lr"]), int(r["seed"])) for r in rows)
    assert runs == [(1e-3, 0), (1e-3, 1), (1e-2, 0), (1e-2, 1)]  # each run once


# --------------------------------------------------------------------------- a real full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs at ``tmp_path/disk`` (skipped where mounting one is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = mounted.stderr.strip() or "mount failed"
        pytest.skip(f"cannot mount a small tmpfs here ({reason}); the injected ENOSPC of "
                    f"test_faults_write_failures.py stands in")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.slow
def test_a_gan_run_on_a_full_disk_says_what_is_safe_and_resumes_to_the_same_result(
        tmp_path, small_disk):
    reference = tmp_path / "reference"
    assert run("train_dual_gan.py", GAN_TINY + ["--out", reference], tmp_path / "logs"
               ).returncode == 0
    checkpoint = (reference / "checkpoint.pt").stat().st_size
    # room for config.json and one checkpoint, not for the next one beside it
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free - int(1.5 * checkpoint)))
    out = small_disk / "R"
    failed = run("train_dual_gan.py", GAN_TINY + ["--out", out], tmp_path / "logs")
    assert failed.returncode == 1, (failed.stdout, failed.stderr)
    (line,) = failed.stderr.strip().splitlines()
    assert "Traceback" not in failed.stderr
    assert line.startswith(f"train_dual_gan.py: error: cannot write {out / 'checkpoint.pt'} (No "
                           f"space left on device, ENOSPC)")
    assert "the last good checkpoint is at step " in line and "rerun with --resume" in line
    assert sorted(os.listdir(out)) == ["checkpoint.pt", "config.json"]  # no partial file
    filler.unlink()  # space freed
    resumed = run("train_dual_gan.py", GAN_TINY + ["--out", out, "--resume"], tmp_path / "logs")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(reference, Path(out))
