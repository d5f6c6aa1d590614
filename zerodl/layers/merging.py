"""Merge layers: combine a list of tensors into one (functional API), e.g. Concatenate()([a, b])."""
import functools

from .. import ops
from .base import Layer, shape_str


class _Merge(Layer):
    """Elementwise merge of tensors of one shape (NumPy broadcasting allowed): subclasses set `combine`."""
    _replays = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_shapes(self, shapes):
        if not isinstance(shapes, list) or len(shapes) < 2:
            raise ValueError(f'Layer "{self.name}" should be called on a list of at least 2 inputs, '
                             f"received {shapes!r}.")
        known = [s[1:] for s in shapes]
        for shape in known[1:]:
            if len(shape) != len(known[0]) or any(a is not None and b is not None and a != b and 1 not in (a, b)
                                                  for a, b in zip(shape, known[0])):
                raise ValueError(f'Layer "{self.name}" needs inputs of compatible shapes, received '
                                 f"{', '.join(shape_str(s) for s in shapes)}.")

    def build(self, input_shape):
        self._check_shapes(input_shape)

    def call(self, inputs):
        return functools.reduce(self.combine, inputs)

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        dims = zip(*[s[1:] for s in input_shape])
        return (input_shape[0][0],) + tuple(None if None in d else max(d) for d in dims)


class Add(_Merge):
    combine = staticmethod(ops.add)


class Subtract(_Merge):
    """a - b, for exactly two inputs."""
    combine = staticmethod(ops.subtract)

    def _check_shapes(self, shapes):
        super()._check_shapes(shapes)
        if len(shapes) != 2:
            raise ValueError(f'Layer "{self.name}" should be called on exactly 2 inputs, received {len(shapes)}.')


class Multiply(_Merge):
    combine = staticmethod(ops.multiply)


class Maximum(_Merge):
    combine = staticmethod(ops.maximum)


class Minimum(_Merge):
    combine = staticmethod(ops.minimum)


class Average(_Merge):
    def call(self, inputs):
        return ops.multiply(functools.reduce(ops.add, inputs), 1.0 / len(inputs))


class Concatenate(Layer):
    """Joins tensors along `axis` (default the last): all other axes must agree."""
    _replays = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f'Layer "{self.name}" should be called on a list of at least 2 inputs.')
        rank = len(input_shape[0])
        axis = self.axis % rank
        for shape in input_shape[1:]:
            if len(shape) != rank or any(a is not None and b is not None and a != b
                                         for i, (a, b) in enumerate(zip(shape, input_shape[0])) if i != axis):
                raise ValueError(f'Layer "{self.name}" requires inputs with matching shapes except for the '
                                 f"concatenation axis {self.axis}, received "
                                 f"{', '.join(shape_str(s) for s in input_shape)}.")
        sizes = [s[axis] for s in input_shape]
        out = list(input_shape[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """Dot product of two tensors along `axes` (per sample); (batch, n) . (batch, n) -> (batch, 1)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes, self.normalize = axes, normalize

    def _axes(self, shapes):
        axes = self.axes if isinstance(self.axes, (list, tuple)) else (self.axes, self.axes)
        return [a % len(s) for a, s in zip(axes, shapes)]

    def compute_output_shape(self, input_shape):
        a, b = input_shape
        axis_a, axis_b = self._axes(input_shape)
        if a[axis_a] is not None and b[axis_b] is not None and a[axis_a] != b[axis_b]:
            raise ValueError(f'Layer "{self.name}": dimension {a[axis_a]} of axis {axis_a} in {shape_str(a)} does '
                             f"not match dimension {b[axis_b]} of axis {axis_b} in {shape_str(b)}.")
        out = [d for i, d in enumerate(a) if i != axis_a] + [d for i, d in enumerate(b[1:], 1) if i != axis_b]
        return tuple(out) if len(out) > 1 else (a[0], 1)

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f'Layer "{self.name}" should be called on a list of 2 inputs.')
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        a, b = inputs
        axis_a, axis_b = self._axes([a.shape, b.shape])
        if self.normalize:
            a = ops.divide(a, ops.sqrt(ops.maximum(ops.sum(ops.square(a), axis=axis_a, keepdims=True), 1e-12)))
            b = ops.divide(b, ops.sqrt(ops.maximum(ops.sum(ops.square(b), axis=axis_b, keepdims=True), 1e-12)))
        if a.ndim == 2 and b.ndim == 2:  # the common case: per-sample inner product
            return ops.sum(ops.multiply(a, b), axis=-1, keepdims=True)
        a = ops.transpose(a, [0] + [i for i in range(1, a.ndim) if i != axis_a] + [axis_a])
        b = ops.transpose(b, [0, axis_b] + [i for i in range(1, b.ndim) if i != axis_b])
        lead_a, lead_b = a.shape[1:-1], b.shape[2:]
        out = ops.matmul(ops.reshape(a, (a.shape[0], -1, a.shape[-1])), ops.reshape(b, (b.shape[0], b.shape[1], -1)))
        return ops.reshape(out, (out.shape[0],) + tuple(lead_a) + tuple(lead_b))

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _functional(layer_class):
    def merge(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)
    merge.__name__ = layer_class.__name__.lower()
    merge.__doc__ = f"Functional form of {layer_class.__name__}: `{merge.__name__}([a, b, ...])`."
    return merge


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)
concatenate = _functional(Concatenate)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
