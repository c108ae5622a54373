"""A write that fails (a full disk ENOSPC, a quota EDQUOT, an I/O error EIO, the directory
removed during the run) at each write point of the scripts: one line naming the file, the error
and what is safe, exit code 1, no partial file, and the last good state resumes to the result of
an uninterrupted run.

The failure is injected where the operating system reports it for a real file: ``os.fsync`` of
the n-th temporary file written for a given output raises the error (a full tmpfs, the real
thing, is tested in ``test_faults_writers.py``).
"""

import errno
import os
import re

import pytest

from dualgan import cli
from dualgan.files import WriteFailedError, atomic_write, write_json, write_text
from faults import assert_same_run

GAN_TINY = ["--steps", "40", "--batch-size", "32", "--num-features", "16", "--hidden", "16",
            "16", "--snapshots", "3", "--no-progress", "--checkpoint-every", "7"]


def fail_at(monkeypatch, name, nth=1, code=errno.ENOSPC):
    """Make the ``nth`` write of the output ``name`` fail with ``code`` (at its fsync)."""
    real_fsync = os.fsync
    seen = []

    def fsync(fd):
        written = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        if re.fullmatch(rf"\.{re.escape(name)}\.[0-9a-f]{{16}}\.tmp", written):
            seen.append(written)
            if len(seen) == nth:
                raise OSError(code, os.strerror(code))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


def no_temporary_left(directory):
    return not [p for p in os.listdir(directory) if p.endswith(".tmp") or p == ".lock"]


# --------------------------------------------------------------------------- the library


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EIO],
                         ids=["ENOSPC", "EDQUOT", "EIO"])
def test_a_failed_write_names_the_file_and_error_and_leaves_the_previous_file(tmp_path,
                                                                              monkeypatch, code):
    path = tmp_path / "metrics.json"
    write_json(path, {"modes": 8})
    fail_at(monkeypatch, "metrics.json", code=code)
    with pytest.raises(WriteFailedError) as failed:
        write_json(path, {"modes": 7})
    assert isinstance(failed.value, OSError) and failed.value.errno == code
    assert failed.value.filename == str(path)
    message = str(failed.value)
    assert str(path) in message and os.strerror(code) in message
    assert errno.errorcode[code] in message and "\n" not in message
    what_to_do = {errno.ENOSPC: "; free space and run the command again",
                  errno.EDQUOT: "; free space or raise the quota and run the command again",
                  errno.EIO: "; check the disk and run the command again"}[code]
    assert message.endswith(what_to_do)
    assert path.read_text() == '{\n  "modes": 8\n}' and os.listdir(tmp_path) == ["metrics.json"]


def test_an_error_wrapping_the_os_error_is_named_as_the_os_error(tmp_path):
    """torch.save turns a failed write into a RuntimeError raised while handling the OSError."""
    with pytest.raises(WriteFailedError) as failed:
        with atomic_write(tmp_path / "checkpoint.pt", "wb") as handle:
            handle.write(b"half")
            try:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            except OSError:
                raise RuntimeError("[enforce fail at inline_container.cc:672]") from None
    assert failed.value.errno == errno.ENOSPC and os.listdir(tmp_path) == []


def test_a_directory_removed_during_the_run_is_named(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    out.rmdir()
    with pytest.raises(WriteFailedError) as failed:
        write_text(out / "samples.csv", "x\n")
    assert str(failed.value) == (
        f"cannot write {out / 'samples.csv'} (No such file or directory, ENOENT); no partial "
        f"file is left; the directory {out} was removed during the run, with what it held; run "
        f"the command again")


def test_other_errors_pass_unchanged(tmp_path):
    with pytest.raises(KeyError):
        with atomic_write(tmp_path / "a.json"):
            raise KeyError("not a write")
    assert os.listdir(tmp_path) == []


def test_the_scripts_print_a_write_failure_as_one_line_and_exit_1(tmp_path, capsys,
                                                                   monkeypatch):
    fail_at(monkeypatch, "out.json")
    monkeypatch.setattr("sys.argv", ["script.py"])
    code = cli.run(lambda argv: write_json(tmp_path / "out.json", {}))
    err = capsys.readouterr().err
    assert code == cli.EXIT_WRITE_FAILED == 1
    assert err.startswith(f"script.py: error: cannot write {tmp_path / 'out.json'} (No space "
                          f"left on device, ENOSPC)")
    assert err.count("\n") == 1 and "Traceback" not in err


# --------------------------------------------------------------------------- a GAN run


def run_gan(argv):
    from generator import cli as gan_cli

    return cli.run(lambda a: gan_cli.run_dual_gan(gan_cli.parse_dual(a)), argv)


@pytest.fixture(scope="module")
def gan_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    assert run_gan(GAN_TINY + ["--out", str(out)]) == 0
    return out


FINISHED = "the last good checkpoint is at step 40"  # the outputs written after training
CASES = [  # (the output that fails, which of its writes, what the message says is safe)
    ("checkpoint.pt", 2, "the last good checkpoint is at step 7"),
    pytest.param("config.json", 1, "the files written before it are complete; free space and "
                 "run the command again", marks=pytest.mark.slow),
    pytest.param("samples.npz", 1, FINISHED, marks=pytest.mark.slow),
    pytest.param("samples.png", 1, FINISHED, marks=pytest.mark.slow),
    pytest.param("metrics.json", 1, FINISHED, marks=pytest.mark.slow),
]


@pytest.mark.parametrize("name, nth, safe", CASES)
def test_a_full_disk_in_a_gan_run_is_one_line_and_the_run_resumes_to_the_same_result(
        gan_reference, tmp_path, monkeypatch, capsys, name, nth, safe):
    out = tmp_path / "run"
    seen = fail_at(monkeypatch, name, nth)
    monkeypatch.setattr("sys.argv", ["train_dual_gan.py"])
    assert run_gan(GAN_TINY + ["--out", str(out)]) == 1
    assert len(seen) == nth
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"train_dual_gan.py: error: cannot write {out / name} (No space left "
                          f"on device, ENOSPC)")
    assert safe in err
    assert no_temporary_left(out)
    monkeypatch.undo()  # space freed
    resume = ["--resume"] if "--resume" in err else []
    assert run_gan(GAN_TINY + ["--out", str(out)] + resume) == 0
    assert_same_run(gan_reference, out)


# --------------------------------------------------------------------------- a study's rows


def test_a_failed_row_write_keeps_the_rows_before_it_and_the_study_resumes(tmp_path,
                                                                          monkeypatch):
    from generator.study import StudyTable, config_key, engine, stability_grid

    configs = stability_grid("ring", ("dual", "mlp-ns"), (1e-3, 1e-2), 0, 1, 5, batch_size=8)

    def fake_run(config):
        return {**config.to_dict(), "status": "ok", "modes_covered": 8, "num_modes": 8,
                "high_quality_fraction": 0.5, "reverse_kl": 0.01, "wall_seconds": 1.0,
                "train_seconds": 1.0, "error": ""}

    monkeypatch.setattr(engine, "worker_init", lambda warm_up=True: None)
    csv_path = tmp_path / "sweep_ring.csv"
    real_fsync = os.fsync
    fail_at(monkeypatch, "sweep_ring.csv", nth=3)
    with pytest.raises(WriteFailedError, match="sweep_ring.csv"):
        engine.run_in_process(configs, csv_path, progress=False, run=fake_run)
    table = StudyTable(csv_path)
    assert [config_key(c) for c in configs[:2]] == [table.key_of(r) for r in table.rows()]
    assert os.listdir(tmp_path) == ["sweep_ring.csv"]
    monkeypatch.setattr(os, "fsync", real_fsync)  # space freed
    assert engine.run_in_process(configs, csv_path, progress=False, run=fake_run) == (2, 2)
    keys = [table.key_of(r) for r in table.rows()]
    assert keys == [config_key(c) for c in configs]  # each once, in the order of the grid


# --------------------------------------------------------------------------- a VAE run

VAE_TINY = ["--epochs", "3", "--batch-size", "64", "--hidden", "32", "--latent-dim", "2",
            "--iwae-samples", "20", "--iwae-images", "50", "--no-progress"]


@pytest.mark.slow
@pytest.mark.parametrize("name, nth, safe", [
    ("checkpoint.pt", 2, "the last good checkpoint is at the end of epoch 1"),
    ("samples.png", 1, "the last good checkpoint is at the end of epoch 3"),
])
def test_a_full_disk_in_a_vae_run_is_one_line_and_the_run_resumes_to_the_same_result(
        tmp_path, monkeypatch, capsys, name, nth, safe):
    from vae import cli as vae_cli

    reference, out = tmp_path / "reference", tmp_path / "run"
    assert cli.run(vae_cli.main, VAE_TINY + ["--out", str(reference)]) == 0
    fail_at(monkeypatch, name, nth)
    monkeypatch.setattr("sys.argv", ["train_vae.py"])
    capsys.readouterr()
    assert cli.run(vae_cli.main, VAE_TINY + ["--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"train_vae.py: error: cannot write "
                                                   f"{out / name} (No space left on device")
    assert safe in err and no_temporary_left(out)
    monkeypatch.undo()
    assert cli.run(vae_cli.main, VAE_TINY + ["--out", str(out), "--resume"]) == 0
    assert_same_run(reference, out)
