"""Sequence helpers: RepeatVector (batch, features) -> (batch, n, features); Masking."""
from .. import ops
from ..config import xp
from .base import Layer, shape_str


class RepeatVector(Layer):
    """Repeats the input n times: (batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected ndim=2, found '
                             f"ndim={len(input_shape)}. Full shape received: {shape_str(input_shape)}")

    def call(self, inputs):
        ones = xp.ones((1, self.n, 1), inputs.dtype)
        return ops.multiply(ops.expand_dims(inputs, 1), ones)  # the broadcast's gradient sums over the n copies

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Masking(Layer):
    """Marks timesteps whose features all equal `mask_value` as padding: (batch, timesteps, features)
    in and out (those steps zeroed), with the mask (batch, timesteps) for the layers downstream."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self._mask_source = True

    def _keep(self, inputs):
        return xp.any(getattr(inputs, "value", inputs) != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._keep(inputs)[..., None].astype(inputs.dtype)
        return ops.multiply(inputs, keep)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
