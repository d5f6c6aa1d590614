"""Small dataset files in Keras's formats, written by the tests themselves."""
import gzip
import hashlib
import io
import pickle
import struct
import tarfile

import numpy as np


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def write_idx(path, array):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
             np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    array = np.asarray(array)
    big = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    header = bytes([0, 0, codes[big.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + big.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def mnist_like(folder, n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
        arrays[split] = (images, labels)
    return arrays


def ragged(sequences):
    array = np.empty(len(sequences), dtype=object)
    array[:] = [list(s) for s in sequences]
    return array


def cifar_batch(n, rng, label_keys=("labels",)):
    batch = {b"batch_label": b"testing", b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8),
             b"filenames": [b"f%d.png" % i for i in range(n)]}
    for key in label_keys:
        batch[key.encode()] = [int(v) for v in rng.integers(0, 10, n)]
    return batch


def cifar_archive(path, inner, batches):
    """A .tar.gz laid out as cifar-10/100-python.tar.gz: <inner>/<batch name> pickles. (The real batches are
    Python 2 pickles; Python 3's protocol 2 would spell bytes through _codecs.encode, which the loader
    refuses like any global but numpy's, so these use protocol 4, whose numpy arrays read the same.)"""
    with tarfile.open(path, "w:gz") as tar:
        for name, batch in batches.items():
            data = pickle.dumps(batch, protocol=4)
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
