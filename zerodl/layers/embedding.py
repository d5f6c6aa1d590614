"""Embedding: integer indices (batch, ...) -> rows of a trainable table (batch, ..., output_dim)."""
from .. import initializers, regularizers
from ..autodiff import Op
from ..config import xp
from ..utils.serialization import serialize
from .base import Layer


class Lookup(Op):
    """table[indices] for an integer array of any shape. Backward adds each output row's gradient
    into the row it came from (np.add.at: repeated indices accumulate); no one-hot is ever built."""

    def __init__(self, indices):
        self.indices = indices

    def forward(self, table):
        self.table_shape, self.dtype = table.shape, table.dtype
        return table[self.indices]

    def backward(self, g):
        grad = xp.zeros(self.table_shape, self.dtype)
        xp.add.at(grad, self.indices.reshape(-1), g.reshape(-1, self.table_shape[1]))
        return (grad,)


class Embedding(Layer):
    """Turns indices in [0, input_dim) into dense vectors: (batch, length) -> (batch, length, output_dim).

    With `mask_zero=True` index 0 is padding: the layer emits a mask (batch, length) that recurrent
    layers downstream use to skip those steps (so input_dim must be vocabulary size + 1).
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, weights=None, **kwargs):
        kwargs.pop("lora_rank", None)
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)  # Keras 2 spelling
        super().__init__(**kwargs)
        if not isinstance(input_dim, int) or input_dim <= 0 or not isinstance(output_dim, int) or output_dim <= 0:
            raise ValueError(f"Both `input_dim` and `output_dim` should be positive, Received input_dim={input_dim} "
                             f"and output_dim={output_dim}")
        self.input_dim, self.output_dim = input_dim, output_dim
        self.input_length = input_length
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._mask_source = mask_zero
        self._initial_weights = weights

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer, self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        indices = inputs.value
        if indices.dtype.kind != "i":
            indices = indices.astype(xp.intp)
        if indices.size and (indices.max() >= self.input_dim or indices.min() < 0):
            bad = indices[(indices >= self.input_dim) | (indices < 0)][0]
            raise ValueError(f'Layer "{self.name}": index {bad} is not in [0, {self.input_dim}) (input_dim='
                             f"{self.input_dim}). Use input_dim = largest index + 1 (vocabulary size + 1 with "
                             "padding 0).")
        return Lookup(indices)(self.embeddings)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return getattr(inputs, "value", inputs) != 0

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": serialize(self.embeddings_initializer, "keras.initializers"),
                "embeddings_regularizer": serialize(self.embeddings_regularizer, "keras.regularizers"),
                "activity_regularizer": None, "embeddings_constraint": None, "mask_zero": self.mask_zero}
