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
        self.axes = _normalize(self.axis, x.ndim)
        return xp.sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        if not self.keepdims:
            g = xp.expand_dims(g, self.axes)
        return (xp.broadcast_to(g, self.shape),)


class Mean(Sum):
    def forward(self, x):
        out = super().forward(x)
        self.count = math.prod(x.shape[a] for a in self.axes)
        return out / out.dtype.type(self.count) if xp.issubdtype(out.dtype, xp.floating) else out / self.count

    def backward(self, g):
        (g,) = super().backward(g)
        return (g / g.dtype.type(self.count),)


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
        share = self.mask / self.mask.sum(axis=self.axes, keepdims=True)
        return ((g * share).astype(g.dtype),)


class Min(Max):
    pick = staticmethod(xp.min)


def sum(x, axis=None, keepdims=False): return Sum(axis, keepdims)(operand(x))
def mean(x, axis=None, keepdims=False): return Mean(axis, keepdims)(operand(x))
def max(x, axis=None, keepdims=False): return Max(axis, keepdims)(operand(x))
def min(x, axis=None, keepdims=False): return Min(axis, keepdims)(operand(x))
