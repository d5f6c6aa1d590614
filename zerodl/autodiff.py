"""Reverse-mode automatic differentiation: Tensor, Variable, Op and the backward pass.

An `Op` computes its forward result on plain arrays and, given the gradient of the
loss with respect to that result, returns the gradient with respect to each input
(its vector-Jacobian product). Calling an op on tensors records it on the result,
so the results form a graph; `gradients` walks that graph in reverse topological
order, applying each op's local rule -- the chain rule, one op at a time:

    dL/dx = sum over ops f that use x of  (df/dx)^T  dL/df
"""
import heapq
import itertools
from threading import get_ident

from .config import floatx, xp

# Both switches below hold only for the thread that set them, as in PyTorch: a predict in one thread must
# not turn off the gradients of a fit running in another. Empty (the usual case), they cost one test per op.
_no_grad_threads = set()  # idents of the threads inside `no_grad`
_recordings = {}  # ident of a thread inside `recording` -> its list


def grad_enabled():
    """False inside `no_grad` (in this thread)."""
    return not _no_grad_threads or get_ident() not in _no_grad_threads


class no_grad:
    """`with no_grad():` runs ops without recording them for backpropagation (inference), in this thread."""

    def __enter__(self):
        self.thread = get_ident()
        self.nested = self.thread in _no_grad_threads
        _no_grad_threads.add(self.thread)

    def __exit__(self, *exc):
        if not self.nested:
            _no_grad_threads.discard(self.thread)


class recording:
    """`with recording() as steps:` appends (op, result) to the list `steps` for each op this thread runs, in
    order (how predict records a model's forward pass once, to replay it; see models/inference.py)."""

    def __enter__(self):
        self.thread = get_ident()
        self.previous = _recordings.get(self.thread)
        steps = _recordings[self.thread] = []
        return steps

    def __exit__(self, *exc):
        if self.previous is None:
            del _recordings[self.thread]
        else:
            _recordings[self.thread] = self.previous


class Tensor:
    """An array plus the op that produced it (None for inputs and constants).

    `requires_grad` is True when a gradient can flow back to a Variable through it.
    """
    __slots__ = ("value", "op", "requires_grad", "__weakref__")
    __array_priority__ = 100  # make `ndarray + Tensor` call Tensor.__radd__

    def __init__(self, value, op=None, requires_grad=False):
        self.value = value
        self.op = op
        self.requires_grad = requires_grad

    shape = property(lambda self: self.value.shape)
    dtype = property(lambda self: self.value.dtype)
    ndim = property(lambda self: self.value.ndim)

    def numpy(self):
        return self.value

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        return f"<{type(self).__name__} shape={self.shape} dtype={self.dtype}>"

    # Operators build ops, so user code like `K.mean((y - p) ** 2)` is differentiable.
    def __add__(self, other): return _ops().add(self, other)
    def __radd__(self, other): return _ops().add(other, self)
    def __sub__(self, other): return _ops().subtract(self, other)
    def __rsub__(self, other): return _ops().subtract(other, self)
    def __mul__(self, other): return _ops().multiply(self, other)
    def __rmul__(self, other): return _ops().multiply(other, self)
    def __truediv__(self, other): return _ops().divide(self, other)
    def __rtruediv__(self, other): return _ops().divide(other, self)
    def __matmul__(self, other): return _ops().matmul(self, other)
    def __rmatmul__(self, other): return _ops().matmul(other, self)
    def __pow__(self, exponent): return _ops().power(self, exponent)
    def __rpow__(self, base): return _ops().power(base, self)
    def __neg__(self): return _ops().negative(self)
    def __abs__(self): return _ops().abs(self)
    def __getitem__(self, index): return _ops().getitem(self, index)
    # Comparisons give plain (non-differentiable) boolean arrays, as in Keras.
    def __gt__(self, other): return Tensor(self.value > _value(other))
    def __ge__(self, other): return Tensor(self.value >= _value(other))
    def __lt__(self, other): return Tensor(self.value < _value(other))
    def __le__(self, other): return Tensor(self.value <= _value(other))

    def sum(self, axis=None, keepdims=False): return _ops().sum(self, axis, keepdims)
    def mean(self, axis=None, keepdims=False): return _ops().mean(self, axis, keepdims)
    def reshape(self, *shape): return _ops().reshape(self, shape[0] if len(shape) == 1 else shape)

    @property
    def T(self):
        return _ops().transpose(self)


class Variable(Tensor):
    """A trainable array (a layer weight). Optimizers update `value` in place."""
    __slots__ = ("name", "trainable", "constraint")

    def __init__(self, value, name="variable", trainable=True, dtype=None, constraint=None):
        super().__init__(xp.array(value, dtype=dtype or floatx()), None, True)
        self.name = name
        self.trainable = trainable
        self.constraint = constraint

    def assign(self, value):
        """Copy `value` into this variable, keeping its shape and dtype."""
        value = xp.asarray(_value(value))
        if value.shape != self.value.shape:
            raise ValueError(f"Cannot assign a value of shape {value.shape} to variable "
                             f"'{self.name}' of shape {self.value.shape}.")
        self.value[...] = value

    def __repr__(self):
        return f"<Variable '{self.name}' shape={self.shape} dtype={self.dtype}>"


_op_sequence = itertools.count()  # ops are numbered as they run: an op's inputs always come from lower numbers


class Op:
    """One differentiable operation. Subclasses define `forward` and `backward`.

    `forward(*arrays)` returns the result array and may keep on `self` what the
    backward pass needs. `backward(grad)` returns one gradient (or None) per input.
    """
    inputs = ()

    def __call__(self, *inputs):
        values, requires_grad = [], False
        for x in inputs:
            if isinstance(x, Tensor):
                values.append(x.value)
                requires_grad = requires_grad or x.requires_grad
            else:
                values.append(x)
        self.inputs = inputs
        self.sequence = next(_op_sequence)
        requires_grad = requires_grad and (not _no_grad_threads or get_ident() not in _no_grad_threads)
        out = Tensor(self.forward(*values), self, requires_grad)  # (grad_enabled(), inlined: the hot path)
        if _recordings and get_ident() in _recordings:
            _recordings[get_ident()].append((self, out))
        return out

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


def _value(x):
    return x.value if isinstance(x, Tensor) else x


def _ops():
    from . import ops
    return ops


def gradients(loss, variables, output_gradient=None):
    """d(loss)/d(variable) for each variable, as arrays (zeros where loss does not depend on it).

    `variables` are usually Variables but may be any tensors of the graph (intermediate results too).
    `loss` is usually a scalar Tensor; for a non-scalar one, `output_gradient` (default ones)
    is the vector in the vector-Jacobian product.

    Tensors are visited latest op first, so every use of a tensor has added its share to the
    tensor's gradient before that gradient is passed on (a reverse topological order).
    """
    if output_gradient is not None:
        seed = xp.asarray(output_gradient, dtype=loss.value.dtype)
    else:  # d(loss)/d(loss) = 1; xp.array is the quick way to make the common 0-d one
        seed = xp.array(1, loss.value.dtype) if loss.value.ndim == 0 else xp.ones(loss.value.shape, loss.value.dtype)
    grads = {id(loss): seed}  # id(tensor) -> d(loss)/d(tensor), complete once the tensor is popped
    wanted = {id(v) for v in variables}
    pending = [(-loss.op.sequence, id(loss), loss)] if loss.requires_grad and loss.op is not None else []
    while pending:
        tensor = heapq.heappop(pending)[2]
        key = id(tensor)
        grad = grads[key] if key in wanted else grads.pop(key)  # free intermediate gradients once used
        op = tensor.op
        for x, gx in zip(op.inputs, op.backward(grad)):
            if gx is not None and isinstance(x, Tensor) and x.requires_grad:
                previous = grads.get(id(x))
                if previous is not None:
                    grads[id(x)] = previous + gx
                    continue
                grads[id(x)] = gx
                if x.op is not None:
                    heapq.heappush(pending, (-x.op.sequence, id(x), x))
    return [grads[id(v)] if id(v) in grads else xp.zeros_like(v.value) for v in variables]
