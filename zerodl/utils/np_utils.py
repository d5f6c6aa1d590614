"""Array helpers (Keras 2 kept them in keras.utils.np_utils)."""
from ..config import xp
from .data import to_float


def to_categorical(y, num_classes=None, dtype="float32"):
    """Class labels (n,) or (n, 1) -> one-hot matrix (n, num_classes)."""
    y = xp.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    labels = y.astype(xp.intp)
    if not xp.array_equal(labels, y) or (labels.size and labels.min() < 0):
        raise ValueError("to_categorical expects non-negative integer class labels.")
    num_classes = int(labels.max()) + 1 if num_classes is None else num_classes
    if labels.size and labels.max() >= num_classes:
        raise ValueError(f"to_categorical: label {labels.max()} does not fit num_classes={num_classes}.")
    categorical = xp.zeros(labels.shape + (num_classes,), dtype=dtype)
    xp.put_along_axis(categorical, labels[..., None], 1, axis=-1)
    return categorical


def normalize(x, axis=-1, order=2):
    """x divided by its L-`order` norm along `axis` (zero vectors stay zero)."""
    x = to_float(xp.asarray(x))
    norm = xp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / xp.where(norm == 0, 1, norm)
