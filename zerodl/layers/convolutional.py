"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Inputs are channels_last (batch, [rows,] cols, channels) unless data_format='channels_first'.
Kernels have Keras' layouts: Conv2D (kh, kw, in, filters), Conv1D (k, in, filters),
Conv2DTranspose (kh, kw, filters, in), DepthwiseConv2D (kh, kw, in, depth_multiplier).
"""
from .. import initializers, ops, regularizers
from ..ops import conv as conv_ops
from ..utils.serialization import serialize
from .base import Layer, shape_str
from .core import kernel_options_config, set_kernel_options


def normalize_data_format(value):
    """'channels_last' (the default) or 'channels_first'."""
    value = "channels_last" if value is None else str(value).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                         f"Received: data_format={value}")
    return value


def normalize_padding(value, allowed=("valid", "same")):
    padding = str(value).lower()
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be a string, one of {list(allowed)}. "
                         f"Received: padding={value}")
    return padding


def check_ndim(layer, shape, ndim):
    """Keras' error for an input of the wrong rank (e.g. MNIST images not reshaped to (28, 28, 1))."""
    if len(shape) != ndim:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected ndim={ndim}, '
                         f"found ndim={len(shape)}. Full shape received: {shape_str(shape)}")


def to_channels_last(x, rank):
    return ops.transpose(x, (0,) + tuple(range(2, rank + 2)) + (1,))


def to_channels_first(x, rank):
    return ops.transpose(x, (0, rank + 1) + tuple(range(1, rank + 1)))


class FixedRank:
    """Mixin: the input must have exactly `_ndim` axes, checked at every call."""
    _ndim = None

    def _check_input(self, shape):
        check_ndim(self, shape, self._ndim)
        super()._check_input(shape)


class Conv(FixedRank, Layer):
    """Base of the N-D convolutions: activation(conv(inputs, kernel) + bias)."""
    _replays = True
    rank = 2
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        rank = self.rank
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters}.")
        self.filters = filters
        self.kernel_size = conv_ops.as_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_ops.as_tuple(strides, rank, "strides")
        self.dilation_rate = conv_ops.as_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = normalize_padding(padding, self.paddings)
        self.data_format = normalize_data_format(data_format)
        if min(self.kernel_size) <= 0 or min(self.strides) <= 0 or min(self.dilation_rate) <= 0:
            raise ValueError(f"The argument(s) `kernel_size`, `strides` and `dilation_rate` cannot contain 0 or "
                             f"negative values. Received: kernel_size={self.kernel_size}, strides={self.strides}, "
                             f"dilation_rate={self.dilation_rate}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        if groups != 1:
            raise NotImplementedError("zerodl convolutions support groups=1 only.")
        self.groups = groups
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                           bias_regularizer, kernel_constraint, bias_constraint)
        self._ndim = rank + 2

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _in_channels(self, input_shape):
        check_ndim(self, input_shape, self._ndim)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f'Layer "{self.name}": the channel dimension of the inputs should be defined. '
                             f"Received input shape {shape_str(input_shape)}.")
        self._input_axes = {self._channel_axis: channels}
        self._input_min_ndim = self._ndim
        return channels

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def build(self, input_shape):
        channels = self._in_channels(input_shape)
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels), self.kernel_initializer,
                                      self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _convolve(self, x):
        """The convolution of channels_last x."""
        conv = conv_ops.conv2d if self.rank == 2 else conv_ops.conv1d
        return conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate)

    def _convolve_and_pool(self, x, pooling):
        """pooling(the convolution of channels_last x), as one op, for a pooling layer whose windows tile the
        convolution's output (see fusion.py); the activation is left to the caller."""
        return conv_ops.conv_pool(x, self.kernel, self.bias, pooling.mode, pooling.pool_size, self.rank,
                                  self.strides, self.padding, self.dilation_rate)

    def call(self, inputs):
        if self.data_format == "channels_first":
            out = to_channels_first(self._convolve(to_channels_last(inputs, self.rank)), self.rank)
        else:
            out = self._convolve(inputs)
        return self.activation(out)

    def _spatial_output(self, spatial):
        return tuple(conv_ops.output_length(n, k, s, self.padding, d) for n, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def _out_channels(self):
        return self.filters

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0],) + self._spatial_output(input_shape[1:-1]) + (self._out_channels(),)
        return (input_shape[0], self._out_channels()) + self._spatial_output(input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups, **kernel_options_config(self)}


class Conv1D(Conv):
    """1-D convolution: (batch, steps, channels) -> (batch, new_steps, filters); kernel (k, in, filters).
    padding may also be 'causal' (output t sees inputs up to t only)."""
    rank = 1
    paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, **kwargs)


class Conv2D(Conv):
    """2-D convolution: (batch, rows, cols, channels) -> (batch, new_rows, new_cols, filters);
    kernel (kh, kw, in, filters), bias (filters,)."""
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, **kwargs)


class Conv2DTranspose(Conv):
    """Transposed 2-D convolution (the gradient of Conv2D): (batch, rows, cols, in) ->
    (batch, new_rows, new_cols, filters) with new_rows = rows * stride for 'same';
    kernel (kh, kw, filters, in)."""
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, **kwargs)
        self.output_padding = None if output_padding is None else conv_ops.as_tuple(output_padding, 2,
                                                                                     "output_padding")
        if self.output_padding is not None and any(p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"Strides {self.strides} must be greater than output padding {self.output_padding}.")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _convolve(self, x):
        return conv_ops.conv2d_transpose(x, self.kernel, self.bias, self.strides, self.padding, self.output_padding,
                                         self.dilation_rate)

    def _spatial_output(self, spatial):
        pads = self.output_padding or (None, None)
        return tuple(conv_ops.deconv_output_length(n, k, s, self.padding, p, d) for n, k, s, p, d in
                     zip(spatial, self.kernel_size, self.strides, pads, self.dilation_rate))

    def get_config(self):
        config = {**super().get_config(), "output_padding": self.output_padding}
        config.pop("groups")
        return config


class DepthwiseConv2D(Conv):
    """Each input channel convolved with `depth_multiplier` filters of its own:
    (batch, rows, cols, in) -> (batch, new_rows, new_cols, in * depth_multiplier);
    depthwise_kernel (kh, kw, in, depth_multiplier)."""
    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides, padding, data_format, dilation_rate, 1, activation, use_bias,
                         depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        channels = self._in_channels(input_shape)
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self.kernel_size + (channels,
                                                self.depth_multiplier), self.kernel_initializer,
                                                self.kernel_regularizer, constraint=self.kernel_constraint)
        self.channels = channels
        if self.use_bias:
            self.bias = self.add_weight("bias", (channels * self.depth_multiplier,), self.bias_initializer,
                                        self.bias_regularizer, constraint=self.bias_constraint)

    def _convolve(self, x):
        return conv_ops.depthwise_conv2d(x, self.depthwise_kernel, self.bias, self.strides, self.padding,
                                         self.dilation_rate)

    def _out_channels(self):
        return self.channels * self.depth_multiplier

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": serialize(self.kernel_initializer, "keras.initializers"),
                "depthwise_regularizer": serialize(self.kernel_regularizer, "keras.regularizers"),
                "depthwise_constraint": None}


class SeparableConv2D(Conv):
    """A depthwise convolution (per-channel filters) followed by a 1x1 pointwise one mixing channels:
    depthwise_kernel (kh, kw, in, depth_multiplier), pointwise_kernel (1, 1, in * depth_multiplier, filters)."""
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation, use_bias,
                         depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = pointwise_constraint

    def build(self, input_shape):
        channels = self._in_channels(input_shape)
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self.kernel_size + (channels,
                                                self.depth_multiplier), self.kernel_initializer,
                                                self.kernel_regularizer, constraint=self.kernel_constraint)
        self.pointwise_kernel = self.add_weight("pointwise_kernel", (1, 1, channels * self.depth_multiplier,
                                                self.filters), self.pointwise_initializer,
                                                self.pointwise_regularizer, constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _convolve(self, x):
        depthwise = conv_ops.depthwise_conv2d(x, self.depthwise_kernel, None, self.strides, self.padding,
                                              self.dilation_rate)
        return conv_ops.conv2d(depthwise, self.pointwise_kernel, self.bias)

    def get_config(self):
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": serialize(self.kernel_initializer, "keras.initializers"),
                "pointwise_initializer": serialize(self.pointwise_initializer, "keras.initializers"),
                "depthwise_regularizer": serialize(self.kernel_regularizer, "keras.regularizers"),
                "pointwise_regularizer": serialize(self.pointwise_regularizer, "keras.regularizers"),
                "depthwise_constraint": None, "pointwise_constraint": None}


# Keras 2 names
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Deconvolution2D = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
