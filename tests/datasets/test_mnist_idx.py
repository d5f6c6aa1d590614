"""MNIST and Fashion-MNIST: the real MNIST test set (IDX files in the course data folder), IDX files
written here, and mnist.npz in the Keras cache."""
import warnings

import numpy as np
import pytest

from dataset_files import mnist_like, sha256, write_idx
from zerodl.datasets import DatasetNotFoundError, fashion_mnist, mnist
from zerodl.datasets._formats import read_idx

MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist_test_set_from_its_idx_files(data_dir):
    with pytest.warns(UserWarning, match="train-images"):  # the folder holds the test set only
        (x_train, y_train), (x_test, y_test) = mnist.load_data(path=data_dir / "mnist")
    assert x_train.shape == (0, 28, 28) and y_train.shape == (0,)
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    assert list(y_test[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_test).tolist() == MNIST_TEST_COUNTS
    assert x_test.min() == 0 and x_test.max() == 255
    assert x_test[:, :3].mean() * 20 < x_test[:, 10:18, 10:18].mean()  # the digits are centred
    first = x_test[0].astype(int)
    assert first.sum() > 10000 and (first > 0).sum() > 100  # a "7", not noise or zeros


def test_real_mnist_through_the_data_dir_setting(data_dir, monkeypatch):
    monkeypatch.setenv("ZERODL_DATA_DIR", str(data_dir))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, (x_test, y_test) = mnist.load_data()
    assert x_test.shape == (10000, 28, 28) and np.bincount(y_test).tolist() == MNIST_TEST_COUNTS


def test_idx_folder_with_both_splits(tmp_path):
    made = mnist_like(tmp_path / "digits")
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=tmp_path / "digits")
    np.testing.assert_array_equal(x_train, made["train"][0])
    np.testing.assert_array_equal(y_test, made["t10k"][1])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, ">i2", ">i4", ">f4", ">f8"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_reader(tmp_path, dtype, suffix):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if np.dtype(dtype).kind != "u" else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / f"a.idx{suffix}", array)
    got = read_idx(tmp_path / f"a.idx{suffix}")
    np.testing.assert_array_equal(got, array)
    assert got.dtype.isnative


def test_bad_idx_files(tmp_path):
    (tmp_path / "junk").write_bytes(b"\x12\x34junk")
    with pytest.raises(ValueError, match="not an IDX"):
        read_idx(tmp_path / "junk")
    write_idx(tmp_path / "full", np.zeros((4, 5), np.uint8))
    (tmp_path / "cut").write_bytes((tmp_path / "full").read_bytes()[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "cut")
    with pytest.raises(FileNotFoundError, match="IDX"):
        mnist.load_data(path=tmp_path)


def test_mnist_npz_given_by_path(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {"x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), "y_train": np.arange(6, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), "y_test": np.arange(2, dtype=np.uint8)}
    np.savez(tmp_path / "my_mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_data(str(tmp_path / "my_mnist.npz"))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_mnist_downloads_once_into_the_keras_cache(tmp_path, offline_keras_home, monkeypatch):
    server = tmp_path / "server"
    server.mkdir()
    np.savez(server / "mnist.npz", x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.zeros(3, np.uint8),
             x_test=np.ones((2, 28, 28), np.uint8), y_test=np.ones(2, np.uint8))
    monkeypatch.setattr(mnist, "KERAS_DATASETS", server.as_uri() + "/")
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(server / "mnist.npz"))
    _, (x_test, _) = mnist.load_data()
    assert x_test.shape == (2, 28, 28)
    cached = offline_keras_home / "mnist.npz"
    assert cached.read_bytes() == (server / "mnist.npz").read_bytes()
    (server / "mnist.npz").unlink()  # a second call reads the cache
    assert mnist.load_data()[1][0].shape == (2, 28, 28)
    assert sorted(p.name for p in offline_keras_home.iterdir()) == ["mnist.npz"]


def test_a_download_with_the_wrong_hash_is_not_kept(tmp_path, offline_keras_home, monkeypatch):
    server = tmp_path / "server"
    server.mkdir()
    np.savez(server / "mnist.npz", x_train=np.zeros(1))
    monkeypatch.setattr(mnist, "KERAS_DATASETS", server.as_uri() + "/")
    with pytest.raises(ValueError, match="hash"):
        mnist.load_data()
    assert not offline_keras_home.exists() or list(offline_keras_home.iterdir()) == []


def test_offline_the_error_says_which_file_to_place_where(offline_keras_home):
    with pytest.raises(DatasetNotFoundError) as error:
        mnist.load_data()
    message = str(error.value)
    assert str(offline_keras_home / "mnist.npz") in message
    assert mnist.FILE_HASH in message and "storage.googleapis.com" in message
    assert "no network" in message


def test_offline_setting_skips_the_download(monkeypatch):
    monkeypatch.setenv("ZERODL_OFFLINE", "1")
    with pytest.raises(DatasetNotFoundError, match="ZERODL_OFFLINE"):
        mnist.load_data()


def test_a_cached_file_with_the_wrong_hash_is_fetched_again(offline_keras_home):
    offline_keras_home.mkdir(parents=True)
    (offline_keras_home / "mnist.npz").write_bytes(b"half a download")
    with pytest.raises(DatasetNotFoundError, match="Could not download"):
        mnist.load_data()


def test_fashion_mnist_from_the_keras_cache_layout(offline_keras_home):
    made = mnist_like(offline_keras_home / "fashion-mnist", seed=3)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, made["train"][0])
    np.testing.assert_array_equal(y_test, made["t10k"][1])
    assert x_train.dtype == y_train.dtype == np.uint8


def test_fashion_mnist_offline(offline_keras_home):
    with pytest.raises(DatasetNotFoundError, match="fashion-mnist"):
        fashion_mnist.load_data()
