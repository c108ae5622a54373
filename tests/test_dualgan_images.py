"""Image data: the IDX reader, the MNIST and digits loaders, tiling (dualgan.images)."""

import gzip
import os
import struct

import numpy as np
import pytest
import torch

from dualgan.images import DataError, checksum, load_digits, load_mnist, read_idx, tile

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")


def write_idx(path, array, magic=None):
    """An IDX file written by hand from the format's description (header, then raw bytes)."""
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
    write_idx(tmp_path / name, arr)
    out = read_idx(tmp_path / name)
    assert out.dtype == np.uint8 and out.shape == (5, 3, 4)
    np.testing.assert_array_equal(out, arr)


def test_read_idx_bad_magic_names_the_file(tmp_path):
    write_idx(tmp_path / "bad", np.zeros((2, 2)), magic=struct.pack(">BBBB", 0, 0, 0x0D, 2))
    with pytest.raises(DataError, match="bad.*bad IDX magic"):
        read_idx(tmp_path / "bad")
    write_idx(tmp_path / "bad2", np.zeros((2, 2)), magic=struct.pack(">BBBB", 1, 0, 8, 2))
    with pytest.raises(DataError, match="bad2: bad IDX magic"):
        read_idx(tmp_path / "bad2")


def test_read_idx_size_mismatch(tmp_path):
    path = tmp_path / "short"
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBBII", 0, 0, 8, 2, 3, 3) + bytes(5))
    expected = r"short: IDX header declares shape \(3, 3\) \(9 bytes\) but the payload has 5"
    with pytest.raises(DataError, match=expected):
        read_idx(path)


def test_truncated_gzip_names_the_file(tmp_path):
    arr = np.random.default_rng(1).integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "full.gz", arr)
    data = (tmp_path / "full.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"cut.gz: not a readable gzip file"):
        read_idx(tmp_path / "cut.gz")


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")


def test_load_mnist_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="MNIST directory not found"):
        load_mnist(tmp_path / "absent")


def _write_mnist(directory, n_train=3, n_test=2, train_labels=None, image_side=28):
    rng = np.random.default_rng(2)
    write_idx(directory / "train-images-idx3-ubyte",
              rng.integers(0, 256, size=(n_train, image_side, image_side)))
    write_idx(directory / "train-labels-idx1-ubyte",
              rng.integers(0, 10, size=n_train if train_labels is None else train_labels))
    write_idx(directory / "t10k-images-idx3-ubyte", rng.integers(0, 256, size=(n_test, 28, 28)))
    write_idx(directory / "t10k-labels-idx1-ubyte", rng.integers(0, 10, size=n_test))


def test_load_mnist_reads_a_small_set_and_scales_the_pixels(tmp_path):
    _write_mnist(tmp_path)
    train, test = load_mnist(tmp_path)
    raw = read_idx(tmp_path / "train-images-idx3-ubyte").reshape(3, -1)
    np.testing.assert_array_equal(train.x.numpy(), raw.astype(np.float32) / 255.0)
    assert test.x.shape == (2, 784) and train.image_shape == (28, 28)
    np.testing.assert_array_equal(train.y.numpy(), read_idx(tmp_path / "train-labels-idx1-ubyte"))


def test_load_mnist_rejects_images_and_labels_of_different_counts(tmp_path):
    _write_mnist(tmp_path, train_labels=2)
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte: declares \(2,\) labels for "
                                        r"the 3 images"):
        load_mnist(tmp_path)


def test_load_mnist_rejects_images_that_are_not_28_by_28(tmp_path):
    _write_mnist(tmp_path, image_side=20)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte: expected images of shape "
                                        r"\(n, 28, 28\)"):
        load_mnist(tmp_path)

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
    assert seen == set(rows)  # every distinct image of the original set is in a split
    again, _ = load_digits(seed=3)
    other, _ = load_digits(seed=4)
    assert torch.equal(again.x, train.x) and not torch.equal(other.x, train.x)
    with pytest.raises(ValueError, match="test_fraction must be in"):
        load_digits(test_fraction=1.0)


@pytest.mark.slow
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


def test_tile_places_each_image_in_its_cell_without_gaps():
    images = torch.arange(6 * 4, dtype=torch.float32).reshape(6, 4) / 100.0  # six 2x2 images
    canvas = tile(images, (2, 2), ncols=4, pad=0, background=1.0)
    assert canvas.shape == (4, 8)
    np.testing.assert_array_equal(canvas[2:4, 2:4], images[5].reshape(2, 2).numpy())
    np.testing.assert_array_equal(canvas[2:4, 4:], np.ones((2, 4)))  # empty cells: background


def test_tile_separates_images_by_two_pixels_of_background():
    images = torch.full((3, 9), 0.5)  # three 3x3 images, two per row
    canvas = tile(images, (3, 3), ncols=2)
    pad = 2
    assert canvas.shape == (2 * (3 + pad) + pad, 2 * (3 + pad) + pad)
    image_pixels = np.zeros(canvas.shape, dtype=bool)
    for i in range(3):
        r, c = divmod(i, 2)
        top, left = pad + r * (3 + pad), pad + c * (3 + pad)
        image_pixels[top:top + 3, left:left + 3] = True
    np.testing.assert_array_equal(canvas[image_pixels], 0.5)  # each image whole, in its cell
    np.testing.assert_array_equal(canvas[~image_pixels], 0.0)  # gaps, border and empty cell
    # every two neighbouring images are 2 background rows/columns apart
    np.testing.assert_array_equal(canvas[3 + pad: 3 + 2 * pad, :], 0.0)
    np.testing.assert_array_equal(canvas[:, 3 + pad: 3 + 2 * pad], 0.0)


def test_rgb_tile_places_the_channels_with_2_pixel_gaps():
    rng = np.random.default_rng(5)
    h, w, ncols, pad = 3, 4, 3, 2
    images = rng.uniform(0.1, 1.0, size=(5, 3 * h * w)).astype(np.float32)
    canvas = tile(torch.from_numpy(images), (h, w), ncols=ncols, channels=3)
    expected = np.zeros((2 * (h + pad) + pad, ncols * (w + pad) + pad, 3), dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        for ch in range(3):  # channel-major: x[ch·H·W : (ch + 1)·H·W] is channel ch
            expected[pad + r * (h + pad): pad + r * (h + pad) + h,
                     pad + c * (w + pad): pad + c * (w + pad) + w, ch] = (
                image[ch * h * w:(ch + 1) * h * w].reshape(h, w))
    np.testing.assert_array_equal(canvas, expected)
    assert np.count_nonzero(canvas == 0.0) == expected.size - 5 * h * w * 3  # gaps, empty cell
    # one channel: the grey tile, unchanged
    grey = tile(torch.from_numpy(images[:, : h * w]), (h, w), ncols=ncols)
    np.testing.assert_array_equal(grey, expected[..., 0])


def test_checksum_changes_with_the_data_and_only_with_it():
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    assert checksum(x) == checksum(x.clone())
    assert checksum(x) != checksum(x + 1e-6)
    assert checksum(x) != checksum(x.reshape(4, 3))
    assert checksum(x) != checksum(x.double())
