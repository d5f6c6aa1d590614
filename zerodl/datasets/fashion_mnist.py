"""Fashion-MNIST: 60,000 + 10,000 28x28 uint8 grayscale images of 10 kinds of clothing, labels uint8.

Read from the Keras cache (~/.keras/datasets/fashion-mnist/, the four IDX .gz files; downloaded once),
or from a fashion-mnist/ folder under ZERODL_DATA_DIR. Keras publishes no hashes for these files.
"""
import os

from ._files import KERAS_DATASETS, data_dir, get_file
from .mnist import IDX_FILES, load_idx_folder


def load_data():
    """`(x_train, y_train), (x_test, y_test)`: uint8 arrays (n, 28, 28) and (n,)."""
    own = data_dir()
    if own and os.path.isdir(os.path.join(own, "fashion-mnist")):
        return load_idx_folder(os.path.join(own, "fashion-mnist"), "Fashion-MNIST")
    folder = None
    for stems in IDX_FILES.values():
        for stem in stems:
            folder = os.path.dirname(get_file(stem + ".gz", KERAS_DATASETS + stem + ".gz",
                                              cache_subdir=os.path.join("datasets", "fashion-mnist")))
    return load_idx_folder(folder, "Fashion-MNIST")
