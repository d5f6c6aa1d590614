"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8, labels 0-9 (uint8).

`load_data()` reads mnist.npz from the Keras cache (downloading it once). zerodl also reads the
original IDX files (train-images-idx3-ubyte.gz, ...): pass their folder as `path`, or set
ZERODL_DATA_DIR to a folder with an mnist/ subfolder holding them.
"""
import os
import warnings

import numpy as np

from ._files import KERAS_DATASETS, data_dir, get_file
from ._formats import load_npz, read_idx

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def load_data(path="mnist.npz"):
    """`(x_train, y_train), (x_test, y_test)`: uint8 arrays (n, 28, 28) and (n,).

    path: a file name in the Keras cache (~/.keras/datasets), a path to an .npz file, or a folder
    of IDX files.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        return load_idx_folder(path, "MNIST")
    own = data_dir()
    if path == "mnist.npz" and own and os.path.isdir(os.path.join(own, "mnist")):
        return load_idx_folder(os.path.join(own, "mnist"), "MNIST")
    found = get_file(path, KERAS_DATASETS + "mnist.npz", FILE_HASH, hint=(
        " Or pass the folder of the IDX files as mnist.load_data(path=...), or set ZERODL_DATA_DIR to a "
        "folder with an mnist/ subfolder holding them."))
    arrays = load_npz(found)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _find(folder, stem):
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    return None


def load_idx_folder(folder, what):
    """Both splits from the IDX files in `folder`; a split whose files are missing comes back empty,
    with a warning (the folder may hold the test set only)."""
    splits, missing = {}, []
    for split, stems in IDX_FILES.items():
        files = [_find(folder, stem) for stem in stems]
        if None in files:
            missing += [stem + ".gz" for stem, f in zip(stems, files) if f is None]
            splits[split] = (np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8))
            continue
        images, labels = read_idx(files[0]), read_idx(files[1])
        if len(images) != len(labels):
            raise ValueError(f"{files[0]} holds {len(images)} images but {files[1]} {len(labels)} labels.")
        splits[split] = (images.astype(np.uint8), labels.astype(np.uint8))
    if len(missing) == 4:
        raise FileNotFoundError(f"No {what} IDX files in {folder}: expected {', '.join(missing)}.")
    if missing:
        warnings.warn(f"{folder} lacks {', '.join(missing)}: that split is returned empty.", stacklevel=3)
    return splits["train"], splits["test"]
