"""Checkpoint rules (dualgan.checkpoint): atomic writes, safe reads, clear errors, settings."""

import os

import numpy as np
import pytest
import torch

import dualgan.checkpoint as checkpoint_module
from dualgan.checkpoint import (
    CheckpointError,
    OutputDirectoryError,
    SettingsMismatchError,
    check_same_settings,
    ensure_writable_directory,
    load_checkpoint,
    rng_states,
    save_checkpoint,
    set_rng_states,
)


def test_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save_checkpoint({"epoch": 1, "w": torch.ones(3)}, path)

    def interrupted(obj, f):
        f.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint_module.torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"epoch": 2, "w": torch.zeros(3)}, path)
    monkeypatch.undo()
    state = load_checkpoint(path)
    assert state["epoch"] == 1 and torch.equal(state["w"], torch.ones(3))
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temporary file left behind


def test_numpy_values_are_stored_weights_only_safe(tmp_path):
    w = np.random.default_rng(0).normal(size=5)
    save_checkpoint({"w": w, "n": np.int64(3), "pair": (1.5, np.float64(2.5))}, tmp_path / "c")
    state = load_checkpoint(tmp_path / "c")
    assert isinstance(state["w"], torch.Tensor) and np.array_equal(state["w"].numpy(), w)
    assert state["n"] == 3 and type(state["n"]) is int
    assert state["pair"] == [1.5, 2.5]


@pytest.mark.parametrize("damage, problem", [
    (lambda data: data[: len(data) // 2], "not a complete checkpoint"),
    (lambda data: b"", "the file is empty"),
    (lambda data: os.urandom(300), "not a complete checkpoint"),
])
def test_a_damaged_checkpoint_names_the_file_and_the_ways_out(tmp_path, damage, problem):
    path = tmp_path / "ckpt.pt"
    save_checkpoint({"step": 3, "w": torch.randn(100)}, path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path)
    message = str(err.value)
    assert str(path) in message and problem in message
    assert "start afresh with --overwrite instead of --resume" in message
    assert "restore a complete copy" in message
    assert "\n" not in message


def test_a_checkpoint_must_hold_a_dict(tmp_path):
    torch.save(torch.zeros(2), tmp_path / "tensor.pt")
    with pytest.raises(CheckpointError, match="holds a Tensor, not a checkpoint dict"):
        load_checkpoint(tmp_path / "tensor.pt")


def test_a_missing_checkpoint_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume from at .*absent.pt"):
        load_checkpoint(tmp_path / "absent.pt")


def test_settings_mismatch_lists_each_difference():
    saved = {"lr": 0.003, "hidden": [16, 16], "seed": 1, "steps": 10}
    check_same_settings(saved, {"lr": 0.003, "hidden": (16, 16), "seed": 1, "steps": 10})
    with pytest.raises(SettingsMismatchError) as err:
        check_same_settings(saved, {"lr": 0.01, "hidden": (16, 16), "seed": 2, "steps": 10})
    assert err.value.differences == {"lr": (0.003, 0.01), "seed": (1, 2)}
    assert "lr: checkpoint 0.003 vs now 0.01" in str(err.value)
    check_same_settings(saved, {**saved, "steps": 20}, may_change=("steps",))
    with pytest.raises(SettingsMismatchError, match="extra: checkpoint None vs now 1"):
        check_same_settings(saved, {**saved, "extra": 1})


def test_a_setting_added_later_and_off_matches_a_checkpoint_without_it():
    saved = {"lr": 0.003, "steps": 10}
    check_same_settings(saved, {**saved, "ema": None})  # written before "ema" existed
    with pytest.raises(SettingsMismatchError, match="ema: checkpoint None vs now 0.999"):
        check_same_settings(saved, {**saved, "ema": 0.999})
    # a None the checkpoint did record is compared as any value
    with pytest.raises(SettingsMismatchError, match="ema: checkpoint 0.9 vs now None"):
        check_same_settings({**saved, "ema": 0.9}, {**saved, "ema": None})
    # and a setting the checkpoint has but the code no longer knows still counts
    with pytest.raises(SettingsMismatchError, match="gone: checkpoint 1 vs now None"):
        check_same_settings({**saved, "gone": 1}, saved)


def test_a_setting_added_later_matches_a_checkpoint_without_it_at_its_value_of_before():
    saved = {"lr": 0.003}
    added = {"betas": (0.5, 0.999)}  # the value every run had before the setting existed
    check_same_settings(saved, {**saved, "betas": [0.5, 0.999]}, added=added)
    with pytest.raises(SettingsMismatchError, match=r"betas: checkpoint None vs now \(0.9, 0.99\)"):
        check_same_settings(saved, {**saved, "betas": (0.9, 0.99)}, added=added)
    with pytest.raises(SettingsMismatchError, match="betas: checkpoint"):
        check_same_settings(saved, {**saved, "betas": (0.5, 0.999)})  # not declared added


def test_rng_states_round_trip_through_a_checkpoint(tmp_path):
    stream = torch.Generator().manual_seed(5)
    torch.manual_seed(1)
    np.random.seed(2)
    save_checkpoint({"rng": rng_states({"data": stream})}, tmp_path / "r.pt")
    expected = (torch.rand(3), np.random.rand(3), torch.rand(3, generator=stream))
    torch.rand(7), np.random.rand(7), torch.rand(7, generator=stream)  # move every stream on
    set_rng_states(load_checkpoint(tmp_path / "r.pt")["rng"], {"data": stream})
    again = (torch.rand(3), np.random.rand(3), torch.rand(3, generator=stream))
    assert torch.equal(expected[0], again[0]) and np.array_equal(expected[1], again[1])
    assert torch.equal(expected[2], again[2])
    with pytest.raises(KeyError, match="no state for the random streams \\['noise'\\]"):
        set_rng_states(load_checkpoint(tmp_path / "r.pt")["rng"], {"noise": stream})


def test_an_output_directory_that_cannot_be_written_is_refused(tmp_path):
    assert ensure_writable_directory(tmp_path / "new" / "dir") == str(tmp_path / "new" / "dir")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # a directory below a regular file cannot exist, whoever runs the test (root included)
    with pytest.raises(OutputDirectoryError, match="cannot write the outputs to .*a-file/out"):
        ensure_writable_directory(blocker / "out")
