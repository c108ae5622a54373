"""Fault injection on the training scripts (train_dual_gan.py, train_baseline_gan.py,
train_vae.py), each run as a subprocess on tiny settings: Ctrl-C and SIGKILL at a random step,
a kill while a file is being written, a damaged checkpoint, a run directory copied and moved,
and an output directory that cannot be written. README, "Interrupting and resuming".

The random step of each case is drawn from a seeded generator; the script is held still at that
step by ``tests/fault_points.py`` until the signal arrives, so nothing depends on timing.
"""

import math
import os
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from faults import Invocation, assert_same_run, check_outputs, one_line_error, run, snapshot

GAN_TINY = ["--steps", "40", "--batch-size", "32", "--num-features", "16", "--hidden", "16",
            "16", "--snapshots", "3", "--no-progress"]
GAN_OUTPUTS = ("config.json", "checkpoint.pt", "metrics.json", "samples.png", "curves.png")
VAE_EPOCHS, VAE_BATCH = 3, 64


def _digits_minibatches_per_epoch():
    from dualgan.images import load_digits

    train, _ = load_digits(seed=0)
    return math.ceil(len(train.x) / VAE_BATCH)


@dataclass
class Script:
    """A training script on tiny settings. Its steps are what its progress bar counts: generator
    updates for the GAN scripts, minibatches for the VAE."""

    file: str
    args: list
    outputs: tuple  # what a finished run leaves in OUT
    periodic: list  # options for frequent checkpoints (the SIGKILL case)

    @property
    def is_vae(self):
        return self.file == "train_vae.py"

    def steps(self):
        """Steps of a full run."""
        if self.is_vae:
            return VAE_EPOCHS * _digits_minibatches_per_epoch()
        return int(self.args[self.args.index("--steps") + 1])

    def every(self):
        """Steps between two periodic checkpoints."""
        if self.is_vae:
            return _digits_minibatches_per_epoch()
        return int(self.periodic[self.periodic.index("--checkpoint-every") + 1])

    def position(self, out):
        """Steps done according to OUT/checkpoint.pt (read with torch, not the packages)."""
        state = torch.load(Path(out) / "checkpoint.pt", weights_only=True)
        if not self.is_vae:
            return state["step"]
        partial = state["partial_epoch"]
        started = 0 if partial is None else math.ceil(partial["start"] / VAE_BATCH)
        return state["epoch"] * _digits_minibatches_per_epoch() + started


SCRIPTS = {
    "dual": Script("train_dual_gan.py", GAN_TINY, GAN_OUTPUTS + ("weights.png",),
                   ["--checkpoint-every", "7"]),
    "baseline": Script("train_baseline_gan.py", ["--method", "mlp-ns", "--d-hidden", "16", "16"]
                       + GAN_TINY, GAN_OUTPUTS, ["--checkpoint-every", "7"]),
    "vae": Script("train_vae.py", ["--epochs", str(VAE_EPOCHS), "--batch-size", str(VAE_BATCH),
                                   "--hidden", "32", "--latent-dim", "2", "--iwae-samples", "20",
                                   "--iwae-images", "50", "--no-progress"],
                  ("checkpoint.pt", "metrics.json", "reconstructions_epoch001.png",
                   f"reconstructions_epoch{VAE_EPOCHS:03d}.png", "samples.png", "losses.png",
                   "latent_scatter.png"), []),
}


def random_step(case, name, low, high):
    """A step in [low, high] drawn from a generator seeded by the case and the script."""
    rng = np.random.default_rng(zlib.crc32(f"{case}/{name}".encode()))
    return int(rng.integers(low, high + 1))


class Runs:
    """Runs shared by the tests of this module (each made once, copied before any change)."""

    def __init__(self, factory):
        self.factory = factory
        self.cache = {}

    def reference(self, name):
        """An uninterrupted run."""
        if ("reference", name) not in self.cache:
            out = self.factory.mktemp(f"reference-{name}")
            invocation = run(SCRIPTS[name].file, SCRIPTS[name].args + ["--out", out], out.parent
                             / f"logs-reference-{name}")
            assert invocation.returncode == 0, invocation.stderr
            self.cache[("reference", name)] = out
        return self.cache[("reference", name)]

    def interrupted(self, name):
        """A run stopped by Ctrl-C at a random step: (OUT, the step, the invocation)."""
        if ("interrupted", name) not in self.cache:
            script = SCRIPTS[name]
            out = self.factory.mktemp(f"interrupted-{name}")
            step = random_step("sigint", name, 1, script.steps() - 1)
            invocation = Invocation(script.file, script.args + ["--out", out],
                                    out.parent / f"logs-interrupted-{name}",
                                    stop_at_progress=step)
            invocation.wait_until_stopped()
            invocation.interrupt()
            invocation.finish()
            self.cache[("interrupted", name)] = out, step, invocation
        return self.cache[("interrupted", name)]

    def copy_of_interrupted(self, name, destination):
        out, step, invocation = self.interrupted(name)
        assert invocation.returncode == 130, invocation.stderr
        shutil.copytree(out, destination, copy_function=shutil.copy2)
        return Path(destination), step


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return Runs(tmp_path_factory)


def resume(name, out, logs, **stop):
    return Invocation(SCRIPTS[name].file, SCRIPTS[name].args + ["--out", out, "--resume"],
                      logs, **stop)


# --------------------------------------------------------------------------- Ctrl-C


@pytest.mark.slow  # each case trains in a subprocess, stopped and resumed
@pytest.mark.parametrize("name", ["dual", pytest.param("baseline", marks=pytest.mark.slow),
                                  pytest.param("vae", marks=pytest.mark.slow)])
def test_ctrl_c_exits_130_with_a_checkpoint_at_that_step(runs, name):
    out, step, invocation = runs.interrupted(name)
    assert invocation.returncode == 130, invocation.stderr
    assert "Traceback" not in invocation.stderr
    assert "continue with --resume" in invocation.stdout
    if SCRIPTS[name].is_vae:
        assert f"stopped in epoch {step // SCRIPTS[name].every() + 1};" in invocation.stdout
    else:
        assert f"stopped at step {step};" in invocation.stdout
    assert SCRIPTS[name].position(out) == step
    assert not (out / "metrics.json").exists()  # the run did not finish
    check_outputs(out, SCRIPTS[name].outputs)


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_resume_after_ctrl_c_ends_identical_to_an_uninterrupted_run(runs, tmp_path, name):
    out, _ = runs.copy_of_interrupted(name, tmp_path / "run")
    resumed = resume(name, out, tmp_path / "logs")
    assert resumed.finish() == 0, resumed.stderr
    assert "resumed from" in resumed.stdout
    assert check_outputs(out, SCRIPTS[name].outputs) == list(SCRIPTS[name].outputs)
    assert_same_run(out, runs.reference(name))


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_a_run_directory_copied_then_moved_elsewhere_resumes(runs, tmp_path, name):
    original, _ = runs.copy_of_interrupted(name, tmp_path / "original")
    before = snapshot(original)
    shutil.copytree(original, tmp_path / "copy", copy_function=shutil.copy2)
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    os.rename(tmp_path / "copy", moved)
    other_seed = run(SCRIPTS[name].file, SCRIPTS[name].args + ["--out", moved, "--resume",
                                                               "--seed", "1"], tmp_path / "logs")
    assert "seed: checkpoint 0 vs now 1" in one_line_error(other_seed)  # settings still count
    resumed = resume(name, moved, tmp_path / "logs")
    assert resumed.finish() == 0, resumed.stderr
    assert_same_run(moved, runs.reference(name))
    assert snapshot(original) == before  # resuming the copy never touched the original


# --------------------------------------------------------------------------- SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_sigkill_then_resume_continues_from_the_last_checkpoint(runs, tmp_path, name):
    script = SCRIPTS[name]
    out = tmp_path / "run"
    every = script.every()
    step = random_step("sigkill", name, every + 1, script.steps() - 1)
    killed = Invocation(script.file, script.args + script.periodic + ["--out", out],
                        tmp_path / "logs", stop_at_progress=step)
    killed.wait_until_stopped()
    killed.kill()
    assert killed.finish() == -9
    check_outputs(out, script.outputs)
    # held in the progress update of `step`, before that step's own periodic checkpoint
    assert script.position(out) == every * ((step - 1) // every)

    resumed = resume(name, out, tmp_path / "logs")
    assert resumed.finish() == 0, resumed.stderr
    assert_same_run(out, runs.reference(name))


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_sigkill_while_a_file_is_written_never_leaves_a_partial_file(runs, tmp_path, name):
    """Resume an interrupted run, killed as it creates its n-th file in OUT, for every n."""
    outputs = SCRIPTS[name].outputs
    points = []
    while True:
        out, _ = runs.copy_of_interrupted(name, tmp_path / f"kill-{len(points) + 1}")
        before = check_outputs(out, outputs)
        invocation = resume(name, out, tmp_path / "logs", stop_at_write=(out, len(points) + 1))
        point = invocation.wait_until_stopped(or_finished=True)
        if point is None:  # fewer files than that: the run ended normally
            assert invocation.finish() == 0, invocation.stderr
            assert_same_run(out, runs.reference(name))
            break
        invocation.kill()
        invocation.finish()
        points.append(point)
        missing = set(before) - set(check_outputs(out, outputs))
        assert not missing, f"killed at {point}: {sorted(missing)} disappeared"
    # every file the resumed run writes was a kill point
    written = (set(outputs) - set(before)) | {"checkpoint.pt"}
    assert all(any(output in point for point in points) for output in written), (written, points)
    # and a run killed at its last write still resumes to the same result
    resumed = resume(name, tmp_path / f"kill-{len(points)}", tmp_path / "logs")
    assert resumed.finish() == 0, resumed.stderr
    assert_same_run(tmp_path / f"kill-{len(points)}", runs.reference(name))


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_ctrl_c_while_a_file_is_written_exits_130_and_leaves_only_complete_files(runs, tmp_path,
                                                                                  name):
    out, _ = runs.copy_of_interrupted(name, tmp_path / "run")
    point = random_step("sigint-write", name, 1, 6)
    invocation = resume(name, out, tmp_path / "logs", stop_at_write=(out, point))
    where = invocation.wait_until_stopped()
    invocation.interrupt()
    assert invocation.finish() == 130, (where, invocation.stderr)
    assert "Traceback" not in invocation.stderr
    assert set(os.listdir(out)) <= set(SCRIPTS[name].outputs)  # no temporary file left over
    check_outputs(out, SCRIPTS[name].outputs)


# --------------------------------------------------------------------------- bad checkpoint


def _truncate(data):
    return data[: len(data) // 2]


def _garbage(data):
    return np.random.default_rng(5).bytes(len(data))


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_truncate, _garbage], ids=["truncated", "garbage"])
@pytest.mark.parametrize("name", SCRIPTS)
def test_a_damaged_checkpoint_is_refused_in_one_line_and_left_as_it_was(runs, tmp_path, name,
                                                                        damage):
    out, _ = runs.copy_of_interrupted(name, tmp_path / "run")
    checkpoint = out / "checkpoint.pt"
    checkpoint.write_bytes(damage(checkpoint.read_bytes()))
    before = snapshot(out)
    line = one_line_error(run(SCRIPTS[name].file,
                              SCRIPTS[name].args + ["--out", out, "--resume"], tmp_path / "logs"))
    assert str(checkpoint) in line and "not a complete checkpoint" in line
    assert "with --overwrite instead of --resume" in line and "restore a complete copy" in line
    assert snapshot(out) == before  # nothing written, nothing replaced


# --------------------------------------------------------------------------- output directory


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_an_output_directory_below_a_file_is_refused_before_training(tmp_path, name):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    out = blocker / "run"
    invocation = run(SCRIPTS[name].file, SCRIPTS[name].args + ["--out", out], tmp_path / "logs")
    line = one_line_error(invocation)
    assert f"cannot write the outputs to '{out}'" in line and "choose another --out" in line
    assert invocation.stdout == ""  # refused before anything was built or trained
    assert blocker.read_text() == "not a directory\n"


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
@pytest.mark.parametrize("name", SCRIPTS)
def test_a_read_only_output_directory_is_refused_before_training(tmp_path, name):
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o555)
    try:
        invocation = run(SCRIPTS[name].file, SCRIPTS[name].args + ["--out", out],
                         tmp_path / "logs")
        line = one_line_error(invocation)
        assert f"cannot write the outputs to '{out}'" in line
        assert invocation.stdout == "" and os.listdir(out) == []
    finally:
        out.chmod(0o755)
