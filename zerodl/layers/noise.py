"""Regularization layers that act only while training: GaussianNoise, GaussianDropout, SpatialDropout1D/2D."""
from .. import ops
from ..config import rng, xp
from .base import Layer
from .convolutional import normalize_data_format


class _Noise(Layer):
    _replays = True  # in inference each returns its input: no ops, nothing random
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = xp.random.default_rng(seed) if seed is not None else None

    def _generator(self):
        return self._rng or rng()


class GaussianNoise(_Noise):
    """While training, add zero-mean normal noise of standard deviation `stddev` (same shape as inputs)."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if stddev < 0:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float value >= 0. "
                             f"Received: stddev={stddev}")
        self.stddev = float(stddev)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = self._generator().standard_normal(inputs.shape, dtype=xp.float32).astype(inputs.dtype, copy=False)
        noise *= noise.dtype.type(self.stddev)
        return ops.add(inputs, noise)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """While training, multiply inputs by normal noise of mean 1 and variance rate / (1 - rate)."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = (self.rate / (1 - self.rate)) ** 0.5
        noise = self._generator().standard_normal(inputs.shape, dtype=xp.float32).astype(inputs.dtype, copy=False)
        noise *= noise.dtype.type(stddev)
        noise += 1
        return ops.multiply(inputs, noise)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class SpatialDropout1D(_Noise):
    """Dropout of whole feature maps: while training, zero entire channels (per sample) with probability
    `rate` and scale the rest by 1 / (1 - rate). Input (batch, steps, channels)."""
    rank = 1

    def __init__(self, rate, seed=None, data_format=None, **kwargs):
        super().__init__(seed, **kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"ndim={self.rank + 2}, found ndim={len(input_shape)}. Full shape received: "
                             f"{tuple(input_shape)}")

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = [1] * inputs.ndim
        shape[0] = inputs.shape[0]
        channel = -1 if self.data_format == "channels_last" or self.rank == 1 else 1
        shape[channel] = inputs.shape[channel]
        keep = self._generator().random(tuple(shape), dtype=xp.float32) >= self.rate
        return ops.multiply(inputs, keep.astype(inputs.dtype) * inputs.dtype.type(1 / (1 - self.rate)))

    def get_config(self):
        config = {**super().get_config(), "rate": self.rate, "seed": self.seed}
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout2D(SpatialDropout1D):
    """SpatialDropout1D for images: drops whole channels of (batch, rows, cols, channels)."""
    rank = 2
