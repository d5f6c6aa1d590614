"""Ops that move values around without arithmetic: reshape, transpose, indexing, joining."""
from ..autodiff import Op
from ..config import xp
from .base import operand


class Reshape(Op):
    def __init__(self, shape):
        self.new_shape = (shape,) if isinstance(shape, (int, xp.integer)) else tuple(shape)

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(self.new_shape)

    def backward(self, g):
        return (g.reshape(self.shape),)


class Transpose(Op):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        self.perm = tuple(reversed(range(x.ndim))) if self.axes is None else tuple(a % x.ndim for a in self.axes)
        return xp.transpose(x, self.perm)

    def backward(self, g):
        return (xp.transpose(g, xp.argsort(self.perm)),)


class GetItem(Op):
    """x[index]; the gradient is scattered back (repeated indices accumulate)."""
    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, g):
        grad = xp.zeros(self.shape, self.dtype)
        xp.add.at(grad, self.index, g)
        return (grad,)


class Concatenate(Op):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return xp.concatenate(xs, axis=self.axis)

    def backward(self, g):
        return tuple(xp.split(g, xp.cumsum(self.sizes)[:-1], axis=self.axis))


class Stack(Op):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return xp.stack(xs, axis=self.axis)

    def backward(self, g):
        return tuple(xp.moveaxis(g, self.axis, 0))


def reshape(x, shape): return Reshape(shape)(operand(x))
def transpose(x, axes=None): return Transpose(axes)(operand(x))
def getitem(x, index):
    if hasattr(index, "value"):  # a Tensor used as an index
        index = index.value
    return GetItem(index)(operand(x))
def concatenate(xs, axis=-1): return Concatenate(axis)(*[operand(x) for x in xs])
def stack(xs, axis=0): return Stack(axis)(*[operand(x) for x in xs])
def expand_dims(x, axis=-1):
    x = operand(x)
    shape = list(x.shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return reshape(x, shape)
def squeeze(x, axis):
    x = operand(x)
    shape = list(x.shape)
    if shape[axis] != 1:
        raise ValueError(f"squeeze: axis {axis} of shape {tuple(x.shape)} has size {shape[axis]}, not 1.")
    del shape[axis]
    return reshape(x, shape)
def flatten(x):
    """(batch, ...) -> (batch, prod(...))."""
    x = operand(x)
    return reshape(x, (x.shape[0], -1))
