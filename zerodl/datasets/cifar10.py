"""CIFAR-10: 50,000 + 10,000 32x32 colour images (uint8, channels last) in 10 classes, labels uint8 (n, 1).

Reads the "python version" Keras caches (cifar-10-python.tar.gz, sha256-checked) with an unpickler that
builds numpy arrays only (see _formats.py).
"""
import os

import numpy as np

from . import _cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """`(x_train, y_train), (x_test, y_test)`: (50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)."""
    path = _cifar.folder("cifar-10-batches-py-target", "cifar-10-batches-py", ORIGIN, FILE_HASH)
    batches = [_cifar.load_batch(os.path.join(path, f"data_batch_{i}"), "labels") for i in range(1, 6)]
    x_test, y_test = _cifar.load_batch(os.path.join(path, "test_batch"), "labels")
    return _cifar.finish(np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches]),
                         x_test, y_test)
