"""CIFAR-100: 50,000 + 10,000 32x32 colour images in 100 fine classes grouped in 20 coarse ones."""
import os

from . import _cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """`(x_train, y_train), (x_test, y_test)`; labels are the fine (0-99) or coarse (0-19) classes."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of "fine", "coarse". Received: label_mode={label_mode}.')
    path = _cifar.folder("cifar-100-python-target", "cifar-100-python", ORIGIN, FILE_HASH)
    x_train, y_train = _cifar.load_batch(os.path.join(path, "train"), f"{label_mode}_labels")
    x_test, y_test = _cifar.load_batch(os.path.join(path, "test"), f"{label_mode}_labels")
    return _cifar.finish(x_train, y_train, x_test, y_test)
