"""Helpers shared by the op families: operand conversion and un-broadcasting gradients."""
from ..autodiff import Tensor
from ..config import floatx, xp


def operand(x):
    """A Tensor or array as is; Python scalars and float64 arrays become floatx arrays."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (int, float, bool)):
        return xp.asarray(x, dtype=floatx())
    x = xp.asarray(x)
    if x.dtype == xp.float64 and floatx() != "float64":
        return x.astype(floatx())
    return x


def unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting added or stretched, back to `shape`."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)
