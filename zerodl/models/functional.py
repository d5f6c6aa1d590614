"""Model: a graph of layer calls from symbolic inputs to outputs, trained by the one engine."""
from ..config import unique_name
from ..layers import fusion
from ..layers.base import Layer
from ..layers.core import InputLayer
from ..layers.symbolic import KerasTensor
from .summary import print_summary
from .training import Trainer


def ordered_nodes(outputs, stop_at=()):
    """The nodes leading to `outputs`, each after the nodes it takes input from; the tensors in
    `stop_at` are given, so the nodes producing them are left out."""
    order, seen = [], set()
    given = {id(t) for t in stop_at}

    def visit(node):
        if id(node) in seen or any(id(t) in given for t in node.outputs):
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    for tensor in outputs:
        visit(tensor.node)
    return order


def run_nodes(nodes, inputs, input_values, outputs, training, consumers=None):
    """Replay recorded layer calls on real tensors: inputs[i] takes input_values[i]. Masks (from
    Embedding(mask_zero=True) or Masking) ride on the tensors from layer to layer, as in eager calls.
    `consumers` (fusion.sole_consumers of the nodes) lets pairs of calls that fuse run as one."""
    values, fused = {id(t): v for t, v in zip(inputs, input_values)}, set()
    for node, second in zip(nodes, consumers or [None] * len(nodes)):
        if isinstance(node.layer, InputLayer) or id(node) in fused:
            continue
        args = [values[id(t)] for t in node.inputs]
        out = None if second is None else fusion.call_pair(node.layer, second.layer, args[0])
        if out is not None:
            values[id(second.outputs[0])] = out
            fused.add(id(second))
            continue
        # the call's own keyword arguments, its `training` included, over the model's `training`
        kwargs = {"training": training, **{k: v for k, v in node.kwargs.items() if k != "args"}}
        result = node.layer(args if len(args) > 1 else args[0], *node.kwargs.get("args", ()), **kwargs)
        for tensor, value in zip(node.outputs, result if isinstance(result, (list, tuple)) else [result]):
            values[id(tensor)] = value
    return [values[id(t)] for t in outputs]


class Model(Trainer, Layer):
    """`Model(inputs, outputs)`: inputs/outputs are KerasTensors (or lists/dicts of them).

    A Model is also a Layer, so it can be called on tensors or used inside another model.
    """

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name or unique_name(self._default_name()), trainable=trainable, **kwargs)
        self.built_graph = False
        self.inputs, self.outputs, self._nodes = [], [], []
        self._plans = {}  # input signature -> inference.Plan that predict replays
        if inputs is not None and outputs is not None:
            self._init_graph(inputs, outputs)
        elif inputs is not None or outputs is not None:
            raise ValueError("Model(inputs, outputs): give both inputs and outputs.")

    @classmethod
    def _default_name(cls):
        return "model" if cls is Model else cls.__name__.lower()

    def _init_graph(self, inputs, outputs):
        self._single_input = not isinstance(inputs, (list, tuple, dict))
        self._single_output = not isinstance(outputs, (list, tuple, dict))
        self.inputs = list(inputs.values()) if isinstance(inputs, dict) else \
            list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self.outputs = list(outputs.values()) if isinstance(outputs, dict) else \
            list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        for tensor in self.inputs + self.outputs:
            if not isinstance(tensor, KerasTensor):
                raise TypeError(f"Model inputs and outputs must be symbolic tensors (from Input and layer calls), "
                                f"got {type(tensor).__name__}.")
        self._nodes = ordered_nodes(self.outputs)
        self._consumers = fusion.sole_consumers(self._nodes, self.outputs)
        self._plans = {}
        missing = [n.layer.name for n in self._nodes if isinstance(n.layer, InputLayer)
                   and not any(n.outputs[0] is t for t in self.inputs)]
        if missing:
            raise ValueError(f"Graph disconnected: the outputs depend on input layer(s) {missing} that are not "
                             f"among the model's inputs.")
        self._layer_list = []
        for node in self._nodes:
            if node.layer not in self._layer_list:
                self._layer_list.append(node.layer)
        self.built = self.built_graph = True

    # --- structure -------------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._layer_list) if self.built_graph else []

    def _all_layers(self):
        """Every layer with weights, models flattened."""
        return [sub for layer in self.layers
                for sub in (layer._all_layers() if isinstance(layer, Model) else [layer])]

    @property
    def output_names(self):
        return [t.history[0].name for t in self.outputs]

    @property
    def input_names(self):
        return [t.history[0].name for t in self.inputs]

    # A model's input/output are its own graph's tensors (not those of a call of it, as for a layer).
    def _own(self, tensors, what):
        if not self.built_graph:
            raise AttributeError(f'Model "{self.name}" is not built yet and thus has no defined {what}.')
        return tensors[0] if len(tensors) == 1 else list(tensors)

    input = property(lambda self: self._own(self.inputs, "input"))
    output = property(lambda self: self._own(self.outputs, "output"))
    input_shape = property(lambda self: self._own([t.shape for t in self.inputs], "input shape"))
    output_shape = property(lambda self: self._own([t.shape for t in self.outputs], "output shape"))

    def get_layer(self, name=None, index=None):
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer(index={index}): model has only {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}.")

    @property
    def weights(self):
        seen, result = set(), []
        for layer in self.layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    result.append(w)
        return result

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        ids = {id(w) for layer in self.layers for w in layer.trainable_weights}
        return [w for w in self.weights if id(w) in ids]

    @property
    def non_trainable_weights(self):
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    @property
    def losses(self):
        return [p for layer in self._all_layers() for p in layer.losses]

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        print_summary(self, line_length, positions, print_fn)

    # --- running ---------------------------------------------------------------------------
    def _ensure_built(self, xs):
        if not self.built_graph:
            self.build((None,) + xs[0].shape[1:])

    def build(self, input_shape=None):
        if not self.built_graph:
            raise ValueError(f'Model "{self.name}" has no inputs: build it with Model(inputs, outputs).')

    def _forward(self, tensors, training=False):
        consumers = getattr(self, "_consumers", None)  # absent from models pickled before fusion.py
        return run_nodes(self._nodes, self.inputs, tensors, self.outputs, training, consumers)

    def _replayable(self):
        """Layers that replay, none of them called with training=True (that call draws fresh masks each time)."""
        return all(layer._replayable() for layer in self.layers) and not any(
            node.kwargs.get("training") for node in self._nodes)

    def __getstate__(self):
        """Pickles and copies leave the inference plans behind: they hold ops and a lock, and a copy records
        its own on its first predict."""
        return {**self.__dict__, "_plans": {}}

    def reset_states(self):
        """Zero the states of the model's stateful (recurrent) layers."""
        for layer in self.layers:
            if getattr(layer, "stateful", False) or isinstance(layer, Model):
                layer.reset_states()

    reset_state = reset_states

    def call(self, inputs, training=None):
        outputs = self._forward(inputs if isinstance(inputs, (list, tuple)) else [inputs], training)
        return outputs[0] if self._single_output else outputs

    def compute_output_shape(self, input_shape):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if self._single_output else shapes

    def _build(self, input_shape):
        if not self.built_graph:  # a Sequential given no input shape, called on data: its graph comes from it
            self.build((None,) + tuple(input_shape[1:]))
            if not self.built_graph:
                raise ValueError(f'Sequential model "{self.name}" cannot be called: it has no layers. '
                                 "Add some with model.add(layer).")
        self.built = True

    # --- config ----------------------------------------------------------------------------
    def get_config(self):
        from .config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .config import functional_from_config
        return functional_from_config(config, custom_objects)

    def to_json(self, **kwargs):
        from .config import model_to_json
        return model_to_json(self, **kwargs)

    # --- saving (zerodl.saving) ------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        """Save the whole model: '.keras' (Keras 3 format) or '.h5'/'.hdf5' (Keras 2 format)."""
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                   save_format=save_format, **kwargs)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        """Save the weights: '.weights.h5' (Keras 3 layout) or '.h5'/'.hdf5' (Keras 2 layout)."""
        from ..saving import save_weights
        save_weights(self, filepath, overwrite=overwrite, save_format=save_format, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, **kwargs):
        """Load weights saved by save_weights or save, by zerodl or Keras."""
        from ..saving import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs)
