"""Reductions over axes: sum, mean, max, min. Backward broadcasts the gradient back."""
import math

from ..autodiff import Op
from ..config import xp
from .base import operand


def _normalize(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(a % ndim for a in axes)


class Sum(Op):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        if self.axis is None:  # the common case (a loss): everything to one number
            self.count = x.size
            return x.sum(keepdims=self.keepdims)
        self.axes = _normalize(self.axis, x.ndim)
        self.count = math.prod(x.shape[a] for a in self.axes)
        self.kept_shape = tuple(1 if i in self.axes else n for i, n in enumerate(x.shape))
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, scale=1.0):
        """g spread back over the summed axes, times `scale` (Mean's 1 / count)."""
        grad = xp.empty(self.shape, g.dtype)
        if self.axis is None:
            grad.fill(g.item() * scale)
        else:
            xp.multiply(g.reshape(self.kept_shape), scale, out=grad)
        return (grad,)


class Mean(Sum):
    def forward(self, x):
        out = super().forward(x)
        if out.dtype.kind != "f":
            return out / self.count
        return out * (out.dtype.type(1 / self.count) if self.count else out.dtype.type("nan"))

    def backward(self, g):
        return super().backward(g, 1 / self.count)


class Max(Op):
    """The gradient goes to the positions holding the extreme value, shared among ties."""
    pick = staticmethod(xp.max)

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes = _normalize(self.axis, x.ndim)
        out = self.pick(x, axis=self.axes, keepdims=True)
        self.mask = x == out
        return out if self.keepdims else xp.squeeze(out, axis=self.axes)

    def backward(self, g):
        if not self.keepdims:
            g = xp.expand_dims(g, self.axes)
        share = self.mask / self.mask.sum(axis=self.axes, keepdims=True, dtype=g.dtype)  # in g's float type
        return (g * share,)


class Min(Max):
    pick = staticmethod(xp.min)


def sum(x, axis=None, keepdims=False): return Sum(axis, keepdims)(operand(x))
def mean(x, axis=None, keepdims=False): return Mean(axis, keepdims)(operand(x))
def max(x, axis=None, keepdims=False): return Max(axis, keepdims)(operand(x))
def min(x, axis=None, keepdims=False): return Min(axis, keepdims)(operand(x))
