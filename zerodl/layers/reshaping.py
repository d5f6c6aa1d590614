"""Spatial reshaping layers: ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D.

Inputs are channels_last (batch, [rows,] cols, channels) unless data_format='channels_first'
(the 1-D layers are always (batch, steps, features)).
"""
from ..config import xp
from ..autodiff import Op
from ..ops import conv as conv_ops
from ..ops.base import operand
from .base import Layer
from .convolutional import FixedRank, check_ndim, normalize_data_format


def _pairs(value, rank, name):
    """int -> ((v, v),) * rank; (a, b) -> ((a, a), (b, b)) for rank 2 or ((a, b),) for rank 1; pairs as given."""
    if isinstance(value, (int, xp.integer)):
        return ((int(value), int(value)),) * rank
    value = tuple(value)
    if rank == 1:
        if len(value) != 2:
            raise ValueError(f"`{name}` should be an int or a tuple of 2 ints. Received: {name}={value}")
        return ((int(value[0]), int(value[1])),)
    if len(value) != rank:
        raise ValueError(f"`{name}` should have {rank} elements. Received: {name}={value}.")
    result = []
    for v in value:
        if isinstance(v, (int, xp.integer)):
            result.append((int(v), int(v)))
        else:
            v = tuple(int(a) for a in v)
            if len(v) != 2:
                raise ValueError(f"`{name}` entries should be ints or pairs of ints. Received: {name}={value}.")
            result.append(v)
    return tuple(result)


class _Spatial(FixedRank, Layer):
    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format) if self.rank > 1 else "channels_last"
        self._ndim = self.rank + 2

    def build(self, input_shape):
        check_ndim(self, input_shape, self._ndim)

    def _per_axis(self, values, neutral):
        """Per-axis arguments for axes 1..rank (+1 leading neutral entry for the channels_first axis)."""
        return ((neutral,) if self.data_format == "channels_first" else ()) + tuple(values)

    def _spatial_axes(self):
        return tuple(range(1, 1 + self.rank)) if self.data_format == "channels_last" else \
            tuple(range(2, 2 + self.rank))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, change in zip(self._spatial_axes(), self._changes()):
            shape[axis] = None if shape[axis] is None else change(shape[axis])
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        return {**config, "data_format": self.data_format} if self.rank > 1 else config


class ZeroPadding1D(_Spatial):
    """Zeros added at the start and end of the steps axis: (batch, steps, features)."""
    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 1, "padding")

    def call(self, inputs):
        return conv_ops.pad(inputs, self._per_axis(self.padding, (0, 0)))

    def _changes(self):
        return [lambda n, p=p: n + p[0] + p[1] for p in self.padding]

    def get_config(self):
        return {**super().get_config(), "padding": self.padding[0]}


class ZeroPadding2D(ZeroPadding1D):
    """Rows and columns of zeros around images: padding int, (rows, cols) or ((top, bottom), (left, right))."""
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        _Spatial.__init__(self, data_format=data_format, **kwargs)
        self.padding = _pairs(padding, 2, "padding")

    def get_config(self):
        return {**_Spatial.get_config(self), "padding": self.padding}


class Cropping1D(_Spatial):
    """Remove `cropping` = (start, end) steps: (batch, steps, features)."""
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 1, "cropping")

    def call(self, inputs):
        return conv_ops.crop(inputs, self._per_axis(self.cropping, (0, 0)))

    def _changes(self):
        return [lambda n, c=c: n - c[0] - c[1] for c in self.cropping]

    def build(self, input_shape):
        super().build(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.cropping):
            n = input_shape[axis]
            if n is not None and before + after >= n:
                raise ValueError(f"`cropping` parameter of `{type(self).__name__}` layer must be smaller than the "
                                 f"input shape. Received: inputs.shape={input_shape}, and cropping={self.cropping}")

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping[0]}


class Cropping2D(Cropping1D):
    """Remove rows and columns at the image borders: cropping int, (rows, cols) or ((top, bottom), (left, right))."""
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        _Spatial.__init__(self, data_format=data_format, **kwargs)
        self.cropping = _pairs(cropping, 2, "cropping")

    def get_config(self):
        return {**_Spatial.get_config(self), "cropping": self.cropping}


class _Resize(Op):
    """x (N, H, W, C) -> (N, H*sh, W*sw, C) by separable linear maps: y = A_h x A_w^T per channel."""

    def __init__(self, size):
        self.size = size

    @staticmethod
    def matrix(n, s, dtype):
        """Bilinear weights (n*s, n), half-pixel centres, edges clamped (as tf.image.resize)."""
        src = xp.clip((xp.arange(n * s) + 0.5) / s - 0.5, 0, n - 1)
        low = xp.floor(src).astype(int)
        high = xp.minimum(low + 1, n - 1)
        frac = (src - low).astype(dtype)
        a = xp.zeros((n * s, n), dtype=dtype)
        a[xp.arange(n * s), low] += 1 - frac
        a[xp.arange(n * s), high] += frac
        return a

    def forward(self, x):
        self.ah = self.matrix(x.shape[1], self.size[0], x.dtype)
        self.aw = self.matrix(x.shape[2], self.size[1], x.dtype)
        return xp.einsum("oh,nhwc,pw->nopc", self.ah, x, self.aw, optimize=True)

    def backward(self, g):
        return (xp.einsum("oh,nopc,pw->nhwc", self.ah, g, self.aw, optimize=True),)


class UpSampling1D(_Spatial):
    """Repeat each step `size` times: (batch, steps, features) -> (batch, steps * size, features)."""
    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def call(self, inputs):
        return conv_ops.upsample(inputs, (self.size,))

    def _changes(self):
        return [lambda n: n * self.size]

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_Spatial):
    """Repeat rows and columns: (batch, rows, cols, channels) -> (batch, rows * size[0], cols * size[1], channels).
    interpolation 'nearest' (repeat) or 'bilinear'."""
    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = conv_ops.as_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"`interpolation` argument should be one of: 'nearest', 'bilinear'. "
                             f"Received: interpolation={interpolation}")
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == "nearest":
            return conv_ops.upsample(inputs, self._per_axis(self.size, 1))
        x = inputs
        if self.data_format == "channels_first":
            from .convolutional import to_channels_first, to_channels_last
            return to_channels_first(_Resize(self.size)(operand(to_channels_last(x, 2))), 2)
        return _Resize(self.size)(operand(x))

    def _changes(self):
        return [lambda n, s=s: n * s for s in self.size]

    def get_config(self):
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}
