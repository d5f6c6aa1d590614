"""Core layers: Input, Dense, Activation, Dropout, Flatten, Reshape, Lambda."""
import math

from .. import activations, initializers, ops, regularizers
from ..autodiff import Tensor
from ..config import rng, unique_name, xp
from ..utils.serialization import serialize
from .base import Layer
from .symbolic import KerasTensor, Node


class InputLayer(Layer):
    """The entry of a model: holds the input KerasTensor of shape `batch_shape`."""
    _replays = True

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 input_shape=None, batch_input_shape=None, sparse=False, **kwargs):
        shape = shape if shape is not None else input_shape
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs `shape` (without the batch axis) or `batch_shape`.")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self._batch_input_shape = tuple(batch_shape)
        self.built = True
        Node(self, [], [KerasTensor(self._batch_input_shape, self.dtype, name=self.name)])

    def get_config(self):
        return {"batch_shape": list(self._batch_input_shape), "dtype": self.dtype, "sparse": False,
                "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None, **kwargs):
    """A symbolic input tensor of shape (batch_size, *shape) to build functional models from."""
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype, batch_shape=batch_shape,
                       **kwargs)
    return layer.output


def set_kernel_options(layer, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                       bias_regularizer, kernel_constraint, bias_constraint):
    """The Keras arguments of activation(inputs * kernel + bias) layers (Dense, Conv), resolved on `layer`."""
    layer.activation = activations.get(activation)
    layer.use_bias = use_bias
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint, layer.bias_constraint = kernel_constraint, bias_constraint
    layer.bias = None


def kernel_options_config(layer):
    """Those arguments as Keras writes them in a layer config."""
    return {"activation": activations.serialize(layer.activation), "use_bias": layer.use_bias,
            "kernel_initializer": serialize(layer.kernel_initializer, "keras.initializers"),
            "bias_initializer": serialize(layer.bias_initializer, "keras.initializers"),
            "kernel_regularizer": serialize(layer.kernel_regularizer, "keras.regularizers"),
            "bias_regularizer": serialize(layer.bias_regularizer, "keras.regularizers"),
            "kernel_constraint": None, "bias_constraint": None}


class Dense(Layer):
    """activation(inputs @ kernel + bias): (batch, ..., in) -> (batch, ..., units); kernel (in, units)."""
    _replays = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, received units={units!r}.")
        self.units = units
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                           bias_regularizer, kernel_constraint, bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(f'Layer "{self.name}": the last axis of its input must be known, got shape '
                             f"{input_shape}.")
        self.kernel = self.add_weight("kernel", (in_features, self.units), self.kernel_initializer,
                                      self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self._input_axes = {-1: in_features}
        self._input_min_ndim = 2

    def call(self, inputs):
        return self.activation(ops.affine(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, **kernel_options_config(self)}


class Activation(Layer):
    _replays = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """While training, zero each input with probability `rate` and scale the rest by 1 / (1 - rate)."""
    _replays = True  # in inference it returns its input: no ops, nothing random

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), received rate={rate}.")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._rng = xp.random.default_rng(seed) if seed is not None else None
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            n if n is not None else d for n, d in zip(self.noise_shape, inputs.shape))
        keep = (self._rng or rng()).random(shape, dtype=xp.float32) >= self.rate
        return ops.multiply(inputs, keep.astype(inputs.dtype) * inputs.dtype.type(1 / (1 - self.rate)))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


def _known_size(dims):
    return None if any(d is None for d in dims) else math.prod(dims)


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""
    _replays = True

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], _known_size(input_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """(batch, ...) -> (batch, *target_shape); one entry of target_shape may be -1."""
    _replays = True

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        size = _known_size(input_shape[1:])
        target = list(self.target_shape)
        if -1 in target:
            known = math.prod(d for d in target if d != -1)
            target[target.index(-1)] = None if size is None else size // known
        elif size is not None and math.prod(target) != size:
            raise ValueError(f'Layer "{self.name}": cannot reshape input of shape {input_shape} '
                             f"to target shape {self.target_shape} ({size} values vs {math.prod(target)}).")
        return (input_shape[0],) + tuple(target)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Reorders the non-batch axes: dims is 1-based, e.g. Permute((2, 1)) swaps (batch, a, b) -> (batch, b, a)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)}, received {self.dims}.")

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class Lambda(Layer):
    """Wraps `function(inputs, **arguments)` built from zerodl ops as a layer."""

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function, self._output_shape, self.arguments = function, output_shape, arguments or {}

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is not None:
            shape = self._output_shape(input_shape) if callable(self._output_shape) else self._output_shape
            return tuple(shape) if len(shape) and shape[0] is None else (input_shape[0],) + tuple(shape)
        # Infer by running the function on a probe batch of zeros (unknown sizes taken as 1).
        many = isinstance(input_shape, list)
        probes = [Tensor(xp.zeros([d or 1 for d in s], self.dtype)) for s in (input_shape if many else [input_shape])]
        out = self.function(probes if many else probes[0], **self.arguments)
        return (None,) + tuple(out.shape[1:])

    def get_config(self):
        raise NotImplementedError("Lambda layers hold Python code and are not serialized to a config.")
