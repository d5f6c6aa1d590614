"""Layer wrappers: TimeDistributed (a layer applied to every timestep) and Bidirectional (an RNN both ways)."""
from .. import ops
from .base import Layer, shape_str

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class TimeDistributed(Layer):
    """Applies `layer` to each timestep: (batch, timesteps, ...) -> (batch, timesteps, ...layer output),
    by folding time into the batch: one call of the layer on (batch * timesteps, ...)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                             f"received: {shape_str(input_shape)}")
        if not self.layer.built:
            self.layer._build((None,) + tuple(input_shape[2:]))
        self._weights, self._regularized = self.layer._weights, self.layer._regularized

    def call(self, inputs, training=None):
        batch, steps = inputs.shape[:2]
        folded = ops.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        out = self.layer(folded, training=training)
        return ops.reshape(out, (batch, steps) + tuple(out.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        return {**super().get_config(), "layer": _layer_config(self.layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = _layer_from_config(config["layer"])
        return cls(**config)


def _layer_config(layer):
    return {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
            "registered_name": None}


def _layer_from_config(entry):
    from .. import layers
    return getattr(layers, entry["class_name"]).from_config(entry["config"])


def _copy_rnn(layer, **changes):
    """A fresh (unbuilt) layer with the same configuration as `layer`, with `changes` applied."""
    from .recurrent import RNN
    config = {**layer.get_config(), **changes}
    config.pop("batch_input_shape", None)
    if type(layer) is RNN:
        config.pop("cell", None)
        return RNN(type(layer.cell).from_config(layer.cell.get_config()), **config)
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Runs an RNN forwards and a copy backwards over (batch, timesteps, features) and merges their outputs
    ('concat' (default): (batch, [timesteps,] 2 units); 'sum', 'mul', 'ave'; None: both as a list).
    The backward outputs are reversed back to the input's time order; with return_sequences the masked
    steps give zeros. Weights: the forward layer's, then the backward layer's."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        if layer._batch_input_shape is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["batch_input_shape"] = layer._batch_input_shape
        super().__init__(**kwargs)
        base = layer.name.removeprefix("forward_")
        self.forward_layer = _copy_rnn(layer, name="forward_" + base)
        if backward_layer is None:
            self.backward_layer = _copy_rnn(layer, name="backward_" + layer.name.removeprefix("backward_"),
                                            go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value.")
        for attribute in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward_layer, attribute) != getattr(self.backward_layer, attribute):
                raise ValueError(f'Forward layer and backward layer are expected to have the same value for '
                                 f'attribute "{attribute}".')
        for rnn in (self.forward_layer, self.backward_layer):
            if hasattr(rnn, "zero_output_for_mask"):
                rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        self.supports_masking = True
        self._initial_weights = weights

    def __call__(self, inputs, *args, initial_state=None, **kwargs):
        if initial_state is not None:
            inputs = [inputs] + list(initial_state)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        for rnn in (self.forward_layer, self.backward_layer):
            if not rnn.built:
                rnn._build(tuple(shape))
        self._weights = self.forward_layer._weights + self.backward_layer._weights
        self._regularized = self.forward_layer._regularized + self.backward_layer._regularized
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs, mask=None, training=None):
        forward_state = backward_state = None
        if isinstance(inputs, list):
            inputs, states = inputs[0], inputs[1:]
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        kwargs = {"training": training} if mask is None else {"training": training, "mask": mask}
        y = self.forward_layer(inputs, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(inputs, initial_state=backward_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.getitem(y_rev, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            output = [ops.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            output = [ops.add(y, y_rev)]
        elif self.merge_mode == "ave":
            output = [ops.multiply(ops.add(y, y_rev), 0.5)]
        elif self.merge_mode == "mul":
            output = [ops.multiply(y, y_rev)]
        else:
            output = [y, y_rev]
        outputs = output + states
        return outputs if len(outputs) > 1 else outputs[0]

    def compute_output_shape(self, input_shape):
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        out = self.forward_layer.compute_output_shape(tuple(shape))
        states = []
        if self.return_state:
            out, states = out[0], list(out[1:])
        if self.merge_mode == "concat":
            out = [tuple(out[:-1]) + (None if out[-1] is None else 2 * out[-1],)]
        else:
            out = [tuple(out)] * (2 if self.merge_mode is None else 1)
        shapes = out + states + states
        return shapes if len(shapes) > 1 else shapes[0]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        masks = [out] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            masks += [None] * (2 * len(self.forward_layer._state_sizes))
        return masks if len(masks) > 1 else masks[0]

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return list(self.forward_layer.states) + list(self.backward_layer.states)
        return None

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode, "layer": _layer_config(self.forward_layer),
                "backward_layer": _layer_config(self.backward_layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = _layer_from_config(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _layer_from_config(config["backward_layer"])
        return cls(**config)
