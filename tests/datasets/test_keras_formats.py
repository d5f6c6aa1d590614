"""imdb, reuters, boston_housing, cifar10, cifar100 from small files in Keras's formats, placed in the
Keras cache (or given by path), and the unpickler that refuses anything but numpy arrays."""
import io
import os
import pickle

import numpy as np
import pytest

from dataset_files import cifar_archive, cifar_batch, ragged, sha256
from zerodl.datasets import DatasetNotFoundError, boston_housing, cifar10, cifar100, imdb, reuters
from zerodl.datasets._formats import load_npz

TRAIN = [[1, 2, 3], [4, 5, 6, 7, 8], [9, 1], [2, 2, 2, 2]]
TEST = [[3, 1], [5, 6, 7], [8, 9, 9, 1, 2, 3]]


def keras_order(n, rng):
    order = np.arange(n)
    rng.shuffle(order)
    return order


@pytest.fixture
def imdb_file(tmp_path):
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=ragged(TRAIN), y_train=np.array([0, 1, 0, 1]), x_test=ragged(TEST),
             y_test=np.array([1, 0, 1]))
    return path


def test_imdb_defaults_match_keras(imdb_file):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(str(imdb_file))
    rng = np.random.RandomState(113)
    order_train, order_test = keras_order(4, rng), keras_order(3, rng)
    assert x_train.dtype == object and x_train.shape == (4,)
    top = max(w for s in TRAIN + TEST for w in s) + 3  # as Keras: num_words=None keeps words < the largest index

    def expected(sequence):
        return [1] + [w + 3 if w + 3 < top else 2 for w in sequence]
    assert [list(x) for x in x_train] == [expected(TRAIN[i]) for i in order_train]
    assert [list(x) for x in x_test] == [expected(TEST[i]) for i in order_test]
    assert y_train.tolist() == [[0, 1, 0, 1][i] for i in order_train]


def test_imdb_options(imdb_file):
    (x_train, _), (x_test, _) = imdb.load_data(str(imdb_file), num_words=8, skip_top=2, maxlen=5, seed=1,
                                               start_char=None, oov_char=0, index_from=0)
    kept = [s for s in TRAIN if len(s) < 5]  # maxlen keeps the shorter sequences
    assert len(x_train) == len(kept) and len(x_test) == 2
    words = sorted(w for x in list(x_train) + list(x_test) for w in x)
    assert all(w == 0 or 2 <= w < 8 for w in words) and 0 in words  # out of [skip_top, num_words) -> oov_char
    (x_train, _), _ = imdb.load_data(str(imdb_file), num_words=6, oov_char=None, start_char=None, index_from=0)
    assert all(all(w < 6 for w in x) for x in x_train)  # dropped without an oov_char
    with pytest.raises(ValueError, match="maxlen"):
        imdb.load_data(str(imdb_file), maxlen=1)
    with pytest.raises(TypeError, match="nb_words"):
        imdb.load_data(str(imdb_file), nb_words=10)


def test_word_index(tmp_path):
    (tmp_path / "index.json").write_text('{"the": 1, "movie": 2}')
    assert imdb.get_word_index(str(tmp_path / "index.json")) == {"the": 1, "movie": 2}
    assert reuters.get_word_index(str(tmp_path / "index.json"))["movie"] == 2
    with pytest.raises(DatasetNotFoundError, match="imdb_word_index.json"):
        imdb.get_word_index()


def test_imdb_from_the_keras_cache(imdb_file, offline_keras_home, monkeypatch):
    offline_keras_home.mkdir(parents=True)
    (offline_keras_home / "imdb.npz").write_bytes(imdb_file.read_bytes())
    monkeypatch.setattr(imdb, "FILE_HASH", sha256(imdb_file))
    assert len(imdb.load_data()[0][0]) == 4


def test_reuters(tmp_path):
    sequences = [[i % 7 + 1] * (i % 4 + 1) for i in range(10)]
    np.savez(tmp_path / "reuters.npz", x=ragged(sequences), y=np.arange(10) % 46)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(str(tmp_path / "reuters.npz"), test_split=0.3)
    assert len(x_train) == 7 and len(x_test) == 3 and x_train.dtype == object
    order = keras_order(10, np.random.RandomState(113))
    assert y_train.tolist() + y_test.tolist() == [int(i) for i in order]
    assert list(x_train[0]) == [1] + [w + 3 for w in sequences[order[0]]]
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn"


def test_boston_housing(tmp_path):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64)
    np.savez(tmp_path / "boston.npz", x=x, y=y)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(str(tmp_path / "boston.npz"))
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13) and y_train.dtype == np.float64
    order = keras_order(50, np.random.RandomState(113))
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), y[order])
    np.testing.assert_array_equal(x_train[0], x[order[0]])


def test_object_arrays_that_would_run_code_are_refused(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    payload = io.BytesIO()
    np.lib.format.write_array_header_1_0(payload, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    payload.write(pickle.dumps(Exploit(), protocol=2))
    import zipfile
    with zipfile.ZipFile(tmp_path / "evil.npz", "w") as zf:
        zf.writestr("x.npy", payload.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="system"):
        load_npz(tmp_path / "evil.npz")
    assert not marker.exists()


def test_cifar10_from_the_archive_keras_downloads(offline_keras_home, monkeypatch):
    rng = np.random.default_rng(0)
    batches = {f"data_batch_{i}": cifar_batch(3, rng) for i in range(1, 6)}
    batches["test_batch"] = cifar_batch(2, rng)
    offline_keras_home.mkdir(parents=True)
    archive = offline_keras_home / "cifar-10-batches-py-target_archive"
    cifar_archive(archive, "cifar-10-batches-py", batches)
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(archive))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_test.shape == (2, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_test.shape == (2, 1) and y_train.dtype == np.uint8
    data = batches["data_batch_2"][b"data"]  # rows: 1024 red, 1024 green, 1024 blue values, row-major
    image = x_train[4]  # the second image of the second batch
    assert image[5, 7, 1] == data[1, 1024 + 5 * 32 + 7] and image[31, 0, 2] == data[1, 2048 + 31 * 32]
    assert y_train[:, 0].tolist() == [v for i in range(1, 6) for v in batches[f"data_batch_{i}"][b"labels"]]
    assert (offline_keras_home / "cifar-10-batches-py-target" / "cifar-10-batches-py").is_dir()


def test_cifar100_labels_and_keras2_layout(offline_keras_home):
    rng = np.random.default_rng(1)
    keys = ("fine_labels", "coarse_labels")
    folder = offline_keras_home / "cifar-100-python"  # where Keras 2 extracted it
    folder.mkdir(parents=True)
    for name, n in (("train", 4), ("test", 2)):
        (folder / name).write_bytes(pickle.dumps(cifar_batch(n, rng, keys), protocol=4))
    (x_train, y_fine), (x_test, _) = cifar100.load_data()
    (_, y_coarse), _ = cifar100.load_data(label_mode="coarse")
    assert x_train.shape == (4, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_fine.shape == y_coarse.shape == (4, 1)
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


def test_cifar_offline_error(offline_keras_home):
    with pytest.raises(DatasetNotFoundError) as error:
        cifar10.load_data()
    assert "cifar-10-python.tar.gz" in str(error.value) and cifar10.FILE_HASH in str(error.value)
    assert "cifar-10-batches-py" in str(error.value)
