"""Pooling layers: Max/AveragePooling1D/2D (aliases MaxPool1D/2D, AvgPool1D/2D) and their global forms.

Inputs are channels_last (batch, [rows,] cols, channels) unless data_format='channels_first'.
"""
from .. import ops
from ..ops import conv as conv_ops
from .base import Layer
from .convolutional import (FixedRank, check_ndim, normalize_data_format, normalize_padding, to_channels_first,
                            to_channels_last)


class Pooling(FixedRank, Layer):
    """Base of the windowed poolings: `mode` 'max' or 'avg' over windows of `pool_size`."""
    _replays = True
    rank, mode = 2, "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = conv_ops.as_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else conv_ops.as_tuple(strides, self.rank, "strides")
        if min(self.pool_size) <= 0 or min(self.strides) <= 0:
            raise ValueError(f"pool_size and strides must be positive, received pool_size={self.pool_size}, "
                             f"strides={self.strides}.")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self._ndim = self.rank + 2

    def build(self, input_shape):
        check_ndim(self, input_shape, self._ndim)

    def _pool(self, x):
        return conv_ops.Pool(self.mode, self.pool_size, self.strides, self.padding, self.rank)(x)

    def call(self, inputs):
        if self.data_format == "channels_first":
            return to_channels_first(self._pool(to_channels_last(inputs, self.rank)), self.rank)
        return self._pool(inputs)

    def compute_output_shape(self, input_shape):
        first = self.data_format == "channels_first"
        spatial = input_shape[2:] if first else input_shape[1:-1]
        out = tuple(conv_ops.output_length(n, k, s, self.padding) for n, k, s in
                    zip(spatial, self.pool_size, self.strides))
        if first:
            return (input_shape[0], input_shape[1]) + out
        return (input_shape[0],) + out + (input_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(Pooling):
    """Max over windows of `pool_size` steps: (batch, steps, channels) -> (batch, new_steps, channels)."""
    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(Pooling):
    """Mean over windows of `pool_size` steps: (batch, steps, channels) -> (batch, new_steps, channels)."""
    rank, mode = 1, "avg"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(Pooling):
    """Max over pool_size windows: (batch, rows, cols, channels) -> (batch, new_rows, new_cols, channels)."""
    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(Pooling):
    """Mean over pool_size windows: (batch, rows, cols, channels) -> (batch, new_rows, new_cols, channels)."""
    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class GlobalPooling(FixedRank, Layer):
    """Base of the global poolings: reduce every spatial axis, (batch, ..., channels) -> (batch, channels)."""
    _replays = True
    rank, reduce = 2, staticmethod(ops.mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = keepdims
        self._ndim = self.rank + 2

    def build(self, input_shape):
        check_ndim(self, input_shape, self._ndim)

    def _axes(self):
        start = 1 if self.data_format == "channels_last" else 2
        return tuple(range(start, start + self.rank))

    def call(self, inputs):
        return self.reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(GlobalPooling):
    rank, reduce = 1, staticmethod(ops.max)


class GlobalAveragePooling1D(GlobalPooling):
    rank, reduce = 1, staticmethod(ops.mean)


class GlobalMaxPooling2D(GlobalPooling):
    rank, reduce = 2, staticmethod(ops.max)


class GlobalAveragePooling2D(GlobalPooling):
    rank, reduce = 2, staticmethod(ops.mean)


MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
