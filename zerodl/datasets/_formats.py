"""Reading the file formats Keras's datasets come in, without running code from the files.

- IDX (MNIST, Fashion-MNIST), gzipped or not.
- .npz: numeric arrays with pickling off; the ragged sequences of imdb/reuters are numpy object arrays,
  which numpy stores as pickles, read with an unpickler that builds numpy arrays and nothing else.
- CIFAR's "python version" batches are pickles too (the version Keras downloads and caches, so zerodl
  reads the same files rather than the binary version): the same restricted unpickler reads them.
"""
import gzip
import io
import pickle
import zipfile

import numpy as np

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_NUMPY_GLOBALS = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
                  ("numpy._core.multiarray", "_reconstruct")}


def read_idx(path):
    """An IDX file (http://yann.lecun.com/exdb/mnist/ layout) as a numpy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {data[:4]!r}).")
    ndim = data[3]
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    count = int(np.prod(shape))
    offset = 4 + 4 * ndim
    if len(data) - offset < count * dtype.itemsize:
        raise ValueError(f"{path} is truncated: expected {count} values of shape {shape}.")
    return np.frombuffer(data, dtype, count=count, offset=offset).reshape(shape).astype(dtype.newbyteorder("="))


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Builds numpy arrays (and the plain lists, dicts, numbers and strings pickle makes by itself);
    refuses every other global, so a crafted file cannot run code."""

    def find_class(self, module, name):
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"Refusing to load {module}.{name}: dataset files hold numpy arrays only "
                                     f"(the file may be corrupt or malicious).")


def load_pickle(path, encoding="bytes"):
    with open(path, "rb") as f:
        return NumpyOnlyUnpickler(f, encoding=encoding).load()


def _read_npy(buffer):
    version = np.lib.format.read_magic(buffer)
    header = np.lib.format.read_array_header_1_0 if version[0] == 1 else np.lib.format.read_array_header_2_0
    _, _, dtype = header(buffer)
    if dtype.hasobject:  # the pickle follows the header
        return NumpyOnlyUnpickler(buffer, encoding="latin1").load()
    buffer.seek(0)
    return np.lib.format.read_array(buffer, allow_pickle=False)


def load_npz(path):
    """{name: array} of an .npz archive; object arrays go through NumpyOnlyUnpickler."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                arrays[member[:-4]] = _read_npy(io.BytesIO(archive.read(member)))
    return arrays
