"""Fault injection on the inputs: train_vae.py, run as a subprocess on a small fake MNIST
directory whose files are damaged, refuses in one line naming the file, with exit code 2,
before training. README, "Interrupting and resuming"."""

import gzip
import struct

import numpy as np
import pytest

from dualgan.images import load_mnist
from faults import one_line_error, run

COUNTS = {"train": 40, "t10k": 20}


def _idx(array):
    """The IDX bytes of a uint8 array, written here from the format's definition."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _fake_mnist(directory):
    """The four files, with random 28x28 images and digit labels; returns name → path."""
    rng = np.random.default_rng(0)
    directory.mkdir()
    paths = {}
    for split, n in COUNTS.items():
        images = rng.integers(0, 256, size=(n, 28, 28))
        labels = rng.integers(0, 10, size=n)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{split}-{kind}-ubyte.gz"
            paths[name] = directory / name
            paths[name].write_bytes(gzip.compress(_idx(array)))
    return paths


def _rewrite(path, change):
    path.write_bytes(gzip.compress(change(gzip.decompress(path.read_bytes()))))


def _truncated_payload(path):
    _rewrite(path, lambda data: data[:-100])


def _wrong_magic(path):
    _rewrite(path, lambda data: b"\x00\x00\x0d" + data[3:])  # type 0x0D: float data


def _one_label_short(path):
    _rewrite(path, lambda data: data[:4] + struct.pack(">I", COUNTS["train"] - 1) + data[8:-1])


def _truncated_gzip(path):
    path.write_bytes(path.read_bytes()[:-30])


@pytest.mark.slow  # each case copies MNIST and runs a script on it
@pytest.mark.parametrize("victim, damage, problem", [
    ("train-images-idx3-ubyte.gz", _wrong_magic, "bad IDX magic"),
    pytest.param("t10k-images-idx3-ubyte.gz", _truncated_payload, "but the payload has",
                 marks=pytest.mark.slow),
    pytest.param("train-labels-idx1-ubyte.gz", _one_label_short,
                 f"declares ({COUNTS['train'] - 1},) labels for the {COUNTS['train']} images",
                 marks=pytest.mark.slow),
    pytest.param("t10k-labels-idx1-ubyte.gz", _truncated_gzip, "not a readable gzip file",
                 marks=pytest.mark.slow),
], ids=["wrong-magic", "truncated-idx", "images-and-labels-differ", "truncated-gzip"])
def test_a_damaged_mnist_file_is_refused_naming_it(tmp_path, victim, damage, problem):
    paths = _fake_mnist(tmp_path / "mnist")
    train, test = load_mnist(tmp_path / "mnist")  # intact, the fake set is read as it is
    assert (len(train.x), len(test.x)) == (COUNTS["train"], COUNTS["t10k"])
    damage(paths[victim])
    out = tmp_path / "run"
    invocation = run("train_vae.py", ["--dataset", "mnist", "--data-dir", tmp_path / "mnist",
                                      "--epochs", "1", "--hidden", "8", "--latent-dim", "2",
                                      "--no-progress", "--out", out], tmp_path / "logs")
    line = one_line_error(invocation)
    assert str(paths[victim]) in line and problem in line
    assert invocation.stdout == ""  # refused before training
    assert not (out / "checkpoint.pt").exists()
