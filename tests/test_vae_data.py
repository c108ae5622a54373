"""IDX reading, the MNIST and digits loaders, and dynamic binarization."""

import gzip
import os
import struct

import numpy as np
import pytest
import torch

from vae import binarize, load_dataset, load_digits, load_mnist, read_idx

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")


def _write_idx(path, array, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    header = magic if magic is not None else struct.pack(">BBBB", 0, 0, 8, array.ndim)
    header += struct.pack(">" + "I" * array.ndim, *array.shape)
    payload = header + array.tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_read_idx_round_trip(tmp_path, name):
    arr = np.random.default_rng(0).integers(0, 256, size=(5, 3, 4), dtype=np.uint8)
    _write_idx(tmp_path / name, arr)
    out = read_idx(tmp_path / name)
    assert out.dtype == np.uint8 and out.shape == (5, 3, 4)
    np.testing.assert_array_equal(out, arr)


def test_read_idx_bad_magic(tmp_path):
    _write_idx(tmp_path / "bad", np.zeros((2, 2)), magic=struct.pack(">BBBB", 0, 0, 0x0D, 2))
    with pytest.raises(ValueError, match="bad IDX magic"):
        read_idx(tmp_path / "bad")
    _write_idx(tmp_path / "bad2", np.zeros((2, 2)), magic=struct.pack(">BBBB", 1, 0, 8, 2))
    with pytest.raises(ValueError, match="bad IDX magic"):
        read_idx(tmp_path / "bad2")


def test_read_idx_size_mismatch(tmp_path):
    path = tmp_path / "short"
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBBII", 0, 0, 8, 2, 3, 3) + bytes(5))
    expected = r"declares shape \(3, 3\) \(9 bytes\) but the payload has 5"
    with pytest.raises(ValueError, match=expected):
        read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")


def test_load_mnist_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="MNIST directory not found"):
        load_mnist(tmp_path / "absent")


def test_load_mnist_rejects_wrong_dimensions(tmp_path):
    for name, shape in [("train-images-idx3-ubyte", (3, 28, 28)), ("train-labels-idx1-ubyte", (3,)),
                        ("t10k-images-idx3-ubyte", (2, 28, 28)), ("t10k-labels-idx1-ubyte", (2,))]:
        _write_idx(tmp_path / name, np.zeros(shape))
    with pytest.raises(ValueError, match=r"expected shape \(60000, 28, 28\)"):
        load_mnist(tmp_path)


def test_load_dataset_rejects_unknown_name():
    expected = r"dataset must be one of \('mnist', 'digits'\), got 'cifar'"
    with pytest.raises(ValueError, match=expected):
        load_dataset("cifar")


def test_digits_against_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    train, test = load_digits(seed=3)
    assert train.x.shape[1] == 64 and test.image_shape == (8, 8)
    assert len(train.x) + len(test.x) == len(bunch.data) == 1797
    assert len(test.x) == round(0.2 * 1797)
    assert float(train.x.min()) == 0.0 and float(train.x.max()) == 1.0
    # every image, scaled by 16, is a row of the original data with its label
    rows = {tuple(r): t for r, t in zip(bunch.data.astype(int), bunch.target)}
    both = torch.cat([train.x, test.x]) * 16
    labels = torch.cat([train.y, test.y])
    seen = set()
    for img, lab in zip(both.round().int().tolist(), labels.tolist()):
        assert rows[tuple(img)] == lab
        seen.add(tuple(img))
    again, _ = load_digits(seed=3)
    other, _ = load_digits(seed=4)
    assert torch.equal(again.x, train.x) and not torch.equal(other.x, train.x)
    with pytest.raises(ValueError, match="test_fraction must be in"):
        load_digits(test_fraction=1.0)


def test_binarize_is_bernoulli_of_the_pixels():
    x = torch.tensor([0.0, 0.2, 0.7, 1.0]).repeat(20000, 1)
    b = binarize(x, torch.Generator().manual_seed(0))
    assert set(b.unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(b.mean(0), torch.tensor([0.0, 0.2, 0.7, 1.0]), atol=0.015, rtol=0)
    b2 = binarize(x, torch.Generator().manual_seed(0))
    assert torch.equal(b, b2)


@pytest.mark.skipif(not os.path.isdir(DATA), reason=f"MNIST IDX files not present at {DATA}")
def test_real_mnist_files():
    train, test = load_mnist(DATA)
    assert train.x.shape == (60000, 784) and test.x.shape == (10000, 784)
    assert train.y.shape == (60000,) and set(train.y.unique().tolist()) == set(range(10))
    # the pixel means the data README states: 33.32 (train), 33.79 (test), on 0..255
    assert float(train.x.double().mean()) * 255 == pytest.approx(33.32, abs=0.01)
    assert float(test.x.double().mean()) * 255 == pytest.approx(33.79, abs=0.01)


def test_digits_without_scikit_learn_raises_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match="the 'digits' data set needs scikit-learn"):
        load_digits()


def test_importing_vae_needs_neither_scikit_learn_nor_a_solver():
    import subprocess
    import sys

    code = ("import sys, vae; "
            "print(sorted(m for m in ('sklearn', 'cvxpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
