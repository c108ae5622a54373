"""Fault injection on stability_sweep.py, run as a subprocess on a tiny grid (one method, two
learning rates, three seeds): Ctrl-C (in process, and on a local Dask cluster) and SIGKILL in the
middle, a kill while a file is being written, a damaged CSV, an output directory that cannot be
written. README, "Interrupting and resuming".

The sweep's result is its CSV: one row per finished run. Every row ever written must be the row
an uninterrupted sweep writes for that run (same key, same metrics), and a rerun must run only
the missing ones.
"""

import csv
import io
import shutil
import time
import zlib

import numpy as np
import pytest

from faults import TIMEOUT, Invocation, check_outputs, one_line_error, run, snapshot

ARGS = ["--methods", "dual", "--lrs", "1e-3", "1e-2", "--num-seeds", "3", "--steps", "60",
        "--batch-size", "32", "--num-features", "16", "--no-progress"]
RUNS = 6
KEY = ("method", "lr", "seed", "target", "steps")
RESULT = ("status", "modes_covered", "num_modes", "high_quality_fraction", "reverse_kl")
CSV_NAME = "sweep_ring.csv"
OUTPUTS = (CSV_NAME, "sweep_ring.json", "sweep_ring.png")


def _rows(out):
    path = out / CSV_NAME
    if not path.exists():
        return {}
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    keyed = {tuple(row[k] for k in KEY): row for row in rows}
    assert len(keyed) == len(rows), "a run recorded twice"
    return keyed


def _lines(out):
    """The CSV's data lines by run key, as written."""
    text = (out / CSV_NAME).read_text().splitlines()
    return {tuple(row[k] for k in KEY): line
            for row, line in zip(csv.DictReader(io.StringIO("\n".join(text))), text[1:])}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The rows of an uninterrupted sweep, by run key."""
    out = tmp_path_factory.mktemp("reference-sweep")
    invocation = run("stability_sweep.py", ARGS + ["--out", out], out.parent / f"{out.name}-logs")
    assert invocation.returncode == 0, invocation.stderr
    rows = _rows(out)
    assert len(rows) == RUNS and all(r["status"] == "ok" for r in rows.values())
    return out, rows


def _assert_rows_match(rows, reference_rows):
    for key, row in rows.items():
        for field in RESULT:
            assert row[field] == reference_rows[key][field], (key, field)


def _wait_for_rows(invocation, out, count):
    deadline = time.monotonic() + TIMEOUT
    while len(_rows(out)) < count:
        assert invocation.process.poll() is None, invocation.stderr
        assert time.monotonic() < deadline, "the sweep recorded no row in time"
        time.sleep(0.05)


def _rerun_finishes_only_the_missing_runs(out, kept, reference_rows, logs):
    kept_lines = _lines(out)
    rerun = run("stability_sweep.py", ARGS + ["--out", out], logs)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{RUNS - len(kept)} run(s) done, {len(kept)} already in" in rerun.stdout
    rows = _rows(out)
    assert set(rows) == set(reference_rows)
    _assert_rows_match(rows, reference_rows)
    final_lines = _lines(out)
    assert all(final_lines[key] == kept_lines[key] for key in kept)  # not run again


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["in-process", "dask"])
def test_ctrl_c_keeps_the_finished_runs_exits_130_and_a_rerun_runs_only_the_rest(
        reference, tmp_path, engine):
    _, reference_rows = reference
    out = tmp_path / "sweep"
    if engine == "in-process":
        # the runs train in this process: stop inside one (a 1-step warm-up run per method,
        # then each run's 60 generator steps and the runs bar's update, all progress updates)
        step = int(np.random.default_rng(zlib.crc32(b"sweep-sigint")).integers(70, 300))
        invocation = Invocation("stability_sweep.py", ARGS + ["--out", out], tmp_path / "logs",
                                stop_at_progress=step)
        invocation.wait_until_stopped()
    else:
        pytest.importorskip("distributed")
        invocation = Invocation("stability_sweep.py", ARGS + ["--out", out, "--jobs", "2"],
                                tmp_path / "logs")
        _wait_for_rows(invocation, out, 1)
    invocation.interrupt(group=True)  # as a terminal's Ctrl-C reaches the workers too
    assert invocation.finish() == 130, invocation.stderr
    assert "Traceback" not in invocation.stderr
    kept = _rows(out)
    assert 1 <= len(kept) < RUNS  # the finished rows are kept, the outstanding runs cancelled
    _assert_rows_match(kept, reference_rows)  # no run cut short was recorded as finished
    check_outputs(out, OUTPUTS)
    _rerun_finishes_only_the_missing_runs(out, kept, reference_rows, tmp_path / "logs")


@pytest.mark.slow
def test_sigkill_keeps_a_complete_csv_and_a_rerun_runs_only_the_rest(reference, tmp_path):
    _, reference_rows = reference
    out = tmp_path / "sweep"
    invocation = Invocation("stability_sweep.py", ARGS + ["--out", out], tmp_path / "logs")
    _wait_for_rows(invocation, out, 2)
    invocation.kill()
    assert invocation.finish() == -9
    check_outputs(out, OUTPUTS)
    kept = _rows(out)
    assert 2 <= len(kept) < RUNS
    _assert_rows_match(kept, reference_rows)
    _rerun_finishes_only_the_missing_runs(out, kept, reference_rows, tmp_path / "logs")


@pytest.mark.slow
def test_sigkill_while_a_file_is_written_never_leaves_a_partial_file(reference, tmp_path):
    """Rerun a finished sweep (it rewrites its summary), killing it at each file it creates."""
    out = tmp_path / "sweep"
    shutil.copytree(reference[0], out)
    kills = 0
    while True:
        invocation = Invocation("stability_sweep.py", ARGS + ["--out", out], tmp_path / "logs",
                                stop_at_write=(out, kills + 1))
        point = invocation.wait_until_stopped(or_finished=True)
        if point is None:
            assert invocation.finish() == 0, invocation.stderr
            break
        invocation.kill()
        invocation.finish()
        kills += 1
        assert check_outputs(out, OUTPUTS) == list(OUTPUTS), f"killed at {point}"
    assert kills >= 2  # the summary's JSON and figure at least
    _assert_rows_match(_rows(out), reference[1])


@pytest.mark.slow
def test_a_damaged_csv_is_refused_in_one_line_and_left_as_it_was(tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / CSV_NAME).write_bytes(np.random.default_rng(3).bytes(2000))
    before = snapshot(out)
    line = one_line_error(run("stability_sweep.py", ARGS + ["--out", out], tmp_path / "logs"))
    assert str(out / CSV_NAME) in line and "not a sweep CSV" in line
    assert snapshot(out) == before


@pytest.mark.slow
def test_an_output_directory_below_a_file_is_refused_before_any_run(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "sweep"
    invocation = run("stability_sweep.py", ARGS + ["--out", out], tmp_path / "logs")
    line = one_line_error(invocation)
    assert f"cannot write the outputs to '{out}'" in line and invocation.stdout == ""
