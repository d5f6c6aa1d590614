"""Boston housing prices: 506 samples of 13 features (float64), target prices in k$ (float64)."""
import numpy as np

from ._files import KERAS_DATASETS, get_file
from ._formats import load_npz

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """`(x_train, y_train), (x_test, y_test)`, shuffled with `seed` and split as Keras does."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1). Received: test_split={test_split}")
    arrays = load_npz(get_file(path, KERAS_DATASETS + "boston_housing.npz", FILE_HASH))
    x, y = arrays["x"], arrays["y"]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
