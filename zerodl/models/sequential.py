"""Sequential: a stack of layers, each feeding the next."""
from ..config import unique_name
from ..layers import fusion
from ..layers.base import Layer
from ..layers.core import InputLayer
from ..layers.symbolic import KerasTensor
from .functional import Model


class Sequential(Model):
    """`Sequential([Dense(4, input_shape=(2,)), Dense(1)])` or built up with `add`.

    With an input shape (on the first layer, an `Input`, or `build`) the graph is built at once;
    otherwise it is built from the first batch of data seen by fit/evaluate/predict.
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name or unique_name("sequential"), trainable=trainable, **kwargs)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._stack)

    def add(self, layer):
        if isinstance(layer, KerasTensor):  # Sequential([Input(shape=...), ...])
            layer = layer.history[0]
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
            self._input_layer = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer instance, got {layer!r}.")
        if not self._stack and self._input_layer is None:
            shape = layer._batch_input_shape
            if shape is None and isinstance(layer, Model) and layer.built_graph and len(layer.inputs) == 1:
                shape = layer.inputs[0].shape  # a built model as first layer brings its input shape
            if shape is not None:
                self._input_layer = InputLayer(batch_shape=shape)
        self._stack.append(layer)
        if self._input_layer is not None:
            try:
                self._connect()
            except Exception:
                self._stack.pop()
                self._connect()
                raise

    def pop(self):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._connect()
        return layer

    def build(self, input_shape=None):
        if self.built_graph:
            return
        if input_shape is None:
            raise ValueError(f'Sequential model "{self.name}" cannot be built: give the first layer an input_shape, '
                             "add an Input, or call build(input_shape).")
        self._input_layer = InputLayer(batch_shape=tuple(input_shape))
        self._connect()

    def _connect(self):
        """(Re)build the symbolic graph: input -> layer 1 -> ... -> layer n."""
        self._plans = {}
        if self._input_layer is None or not self._stack:
            self.built_graph = False
            return
        for layer in self._stack:
            layer._inbound_nodes.clear()
        tensor = self._input_layer.output
        for layer in self._stack:
            tensor = layer(tensor)
        self._init_graph(self._input_layer.output, tensor)
        self._compiled_for = None

    def _forward(self, tensors, training=False):
        # a mask (Embedding(mask_zero=True), Masking) rides on the tensors from layer to layer
        return [fusion.run_sequence(self._stack, tensors[0], training)]

    def get_config(self):
        from .config import sequential_config
        return sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .config import sequential_from_config
        return sequential_from_config(config, custom_objects)
