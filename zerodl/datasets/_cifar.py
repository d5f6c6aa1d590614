"""CIFAR-10/100 in the Keras cache: the python-version archive, extracted where Keras 3 puts it
(datasets/<name>-target/<inner>) or where Keras 2 did (datasets/<inner>)."""
import os

import numpy as np

from .. import backend
from ._files import cache_dir, data_dir, download, extract_tar, hash_matches
from ._formats import load_pickle


def folder(target, inner, origin, file_hash):
    """The folder holding the batches, extracting (and first downloading) the archive if needed."""
    keras3 = os.path.join(cache_dir(), target, inner)
    candidates = [keras3, os.path.join(cache_dir(), inner)]
    if data_dir():
        candidates.insert(0, os.path.join(data_dir(), inner))
    for candidate in candidates:
        if os.path.isdir(candidate):
            return candidate
    archive = os.path.join(cache_dir(), f"{target}_archive")
    if not (os.path.exists(archive) and hash_matches(archive, file_hash)):
        legacy = os.path.join(cache_dir(), f"{inner}.tar.gz")
        if os.path.exists(legacy) and hash_matches(legacy, file_hash):
            archive = legacy
        else:
            download(origin, archive, file_hash, hint=f" Or unpack that archive so that {keras3} holds its files.")
    extract_tar(archive, os.path.join(cache_dir(), target))
    return keras3


def load_batch(path, label_key):
    """(images (n, 3, 32, 32) uint8, labels (n,) uint8) of one pickled batch."""
    batch = {(k.decode("utf-8") if isinstance(k, bytes) else k): v for k, v in load_pickle(path).items()}
    data = np.asarray(batch["data"], dtype=np.uint8)
    return data.reshape(len(data), 3, 32, 32), np.asarray(batch[label_key], dtype=np.uint8)


def finish(x_train, y_train, x_test, y_test):
    """Keras's shapes: labels (n, 1); images channels-last unless the backend says otherwise."""
    fmt = getattr(backend, "image_data_format", lambda: "channels_last")()
    if fmt == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))
