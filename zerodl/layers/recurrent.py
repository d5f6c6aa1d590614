"""Recurrent layers: SimpleRNN, LSTM, GRU, their cells, StackedRNNCells and the generic RNN layer.

Inputs (batch, timesteps, features) -> (batch, units), or (batch, timesteps, units) with
`return_sequences`; `return_state` appends the final states, each (batch, units): h (and c for LSTM).
Weights as in Keras: kernel (features, G units), recurrent_kernel (units, G units), bias, gates
LSTM i, f, c, o and GRU z, r, h. A built-in cell whose activations the ops fuse runs the whole
sequence as one op (`zerodl.ops.recurrent`); any other cell runs step by step through its `call`.
Stacked cells run one after another, each over the whole sequence.
"""
from .. import activations, initializers, ops, regularizers
from ..autodiff import Tensor, Variable
from ..config import floatx, rng, xp
from ..ops import recurrent as scans
from ..utils.serialization import serialize
from .base import Layer, shape_str, snake_case
from .core import kernel_options_config, set_kernel_options
from .wrappers import _layer_config, _layer_from_config


def _fusable(fn):
    """The op's name for an activation function it can fuse, else None."""
    name = activations.serialize(fn)
    return name if name in scans.ACTIVATIONS and activations.get(name) is fn else None


def _keep_mask(generator, shape, rate, dtype):
    """Inverted-dropout multipliers: 0 with probability `rate`, else 1 / (1 - rate)."""
    keep = generator.random(shape, dtype=xp.float32) >= rate
    return keep.astype(dtype) * dtype.type(1 / (1 - rate))


# --- cells ----------------------------------------------------------------------------------------
class _Cell(Layer):
    """What the built-in cells share: the three weights, dropout settings, the state and a step."""
    gates, n_states, scan = 1, 1, None

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        kwargs.pop("implementation", None)  # Keras 2 option: one implementation here
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, "
                             f"got {units}.")
        self.units = units
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                           bias_regularizer, kernel_constraint, bias_constraint)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.recurrent_constraint = recurrent_constraint
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self._rng = xp.random.default_rng(seed) if seed is not None else None
        self._dropout_masks = None  # (input mask, recurrent mask) fixed for one sequence by the RNN layer
        self.output_size = units

    @property
    def state_size(self):
        return self.units if self.n_states == 1 else [self.units] * self.n_states

    def build(self, input_shape):
        features, n = input_shape[-1], self.units
        self.kernel = self.add_weight("kernel", (features, self.gates * n), self.kernel_initializer,
                                      self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (n, self.gates * n), self.recurrent_initializer,
                                                self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(), self._bias_init(), self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def get_initial_state(self, batch_size=None):
        return [xp.zeros((batch_size, self.units), self.dtype) for _ in range(self.n_states)]

    def fused_activations(self):
        """(activation, recurrent_activation) names when the whole-sequence op can run this cell."""
        names = _fusable(self.activation), _fusable(self.recurrent_activation)
        return names if None not in names else None

    def _scan_options(self):
        return {}

    def _masks(self, batch, features, training):
        """Dropout multipliers (inputs (batch, features) or None, h (batch, units) or None) for one sequence."""
        if self._dropout_masks is not None:
            return self._dropout_masks
        if not training:
            return None, None
        generator, dtype = self._rng or rng(), xp.dtype(self.dtype)
        dp = _keep_mask(generator, (batch, features), self.dropout, dtype) if 0 < self.dropout < 1 else None
        rdp = (_keep_mask(generator, (batch, self.units), self.recurrent_dropout, dtype)
               if 0 < self.recurrent_dropout < 1 else None)
        return dp, rdp

    def call(self, inputs, states, training=None):
        """One step: inputs (batch, features), states [(batch, units)] -> (output, new states)."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        dp, rdp = self._masks(inputs.shape[0], inputs.shape[-1], training)
        if dp is not None:
            inputs = ops.multiply(inputs, dp)
        names = self.fused_activations()
        if names is None:
            return self._step(inputs, states, rdp)
        x = ops.reshape(inputs, (inputs.shape[0], 1, inputs.shape[-1]))
        scan = self.scan(*names, recurrent_mask=rdp, **self._scan_options())
        out, *new_states = scans._run(scan, x, self.kernel, self.recurrent_kernel, self.bias, states, True)
        return out, new_states

    def get_config(self):
        config = {"units": self.units, **kernel_options_config(self),
                  "recurrent_initializer": serialize(self.recurrent_initializer, "keras.initializers"),
                  "recurrent_regularizer": serialize(self.recurrent_regularizer, "keras.regularizers"),
                  "recurrent_constraint": None,
                  "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}
        return {**super().get_config(), **config}


def _cols(x, start, stop):
    return ops.getitem(x, (slice(None), slice(start, stop)))


class SimpleRNNCell(_Cell):
    """h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias)."""
    scan = scans.SimpleRNNScan

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", **kwargs):
        super().__init__(units, activation, None, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, **kwargs)

    def fused_activations(self):
        name = _fusable(self.activation)
        return None if name is None else (name, "sigmoid")

    def _step(self, x, states, rdp):
        h = states[0] if rdp is None else ops.multiply(states[0], rdp)
        z = ops.add(ops.affine(x, self.kernel, self.bias), ops.matmul(h, self.recurrent_kernel))
        out = self.activation(z)
        return out, [out]

    def get_config(self):
        return super().get_config()


class LSTMCell(_Cell):
    """c_t = f c_{t-1} + i activation(z_c), h_t = o activation(c_t); i, f, o = recurrent_activation(z_{i,f,o}),
    z = x_t kernel + h_{t-1} recurrent_kernel + bias. States [h, c]."""
    gates, n_states, scan = 4, 2, scans.LSTMScan

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, n = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):
            return xp.concatenate([init((n,), dtype=dtype), xp.ones(n, dtype or floatx()),
                                   init((2 * n,), dtype=dtype)])
        return forget_bias_one

    def _step(self, x, states, rdp):
        h, c = states
        n = self.units
        hm = h if rdp is None else ops.multiply(h, rdp)
        z = ops.add(ops.affine(x, self.kernel, self.bias), ops.matmul(hm, self.recurrent_kernel))
        i = self.recurrent_activation(_cols(z, 0, n))
        f = self.recurrent_activation(_cols(z, n, 2 * n))
        c = ops.add(ops.multiply(f, c), ops.multiply(i, self.activation(_cols(z, 2 * n, 3 * n))))
        o = self.recurrent_activation(_cols(z, 3 * n, 4 * n))
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """z, r = recurrent_activation(...), hh = activation(x W_h + r * (h U_h + b_rec)) (reset_after) or
    activation(x W_h + (r h) U_h + b); h_t = z h_{t-1} + (1 - z) hh. Bias (2, 3 units) with reset_after."""
    gates, scan = 3, scans.GRUScan

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 reset_after=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _scan_options(self):
        return {"reset_after": self.reset_after}

    def _step(self, x, states, rdp):
        h, n = states[0], self.units
        hm = h if rdp is None else ops.multiply(h, rdp)
        if self.bias is None:
            in_bias = rec_bias = None
        elif self.reset_after:
            in_bias, rec_bias = ops.getitem(self.bias, 0), ops.getitem(self.bias, 1)
        else:
            in_bias, rec_bias = self.bias, None
        mx = ops.affine(x, self.kernel, in_bias)
        if self.reset_after:
            mi = ops.affine(hm, self.recurrent_kernel, rec_bias)
        else:
            mi = ops.matmul(hm, _cols(self.recurrent_kernel, 0, 2 * n))
        z = self.recurrent_activation(ops.add(_cols(mx, 0, n), _cols(mi, 0, n)))
        r = self.recurrent_activation(ops.add(_cols(mx, n, 2 * n), _cols(mi, n, 2 * n)))
        if self.reset_after:
            rh = ops.multiply(r, _cols(mi, 2 * n, 3 * n))
        else:
            rh = ops.matmul(ops.multiply(r, hm), _cols(self.recurrent_kernel, 2 * n, 3 * n))
        hh = self.activation(ops.add(_cols(mx, 2 * n, 3 * n), rh))
        out = ops.add(hh, ops.multiply(z, ops.subtract(h, hh)))
        return out, [out]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


# --- stacked cells ---------------------------------------------------------------------------------------
def _flatten(nested):
    """Nested lists as one flat list: a stack's state sizes [[4, 4], 2] -> [4, 4, 2]; its states likewise."""
    if not isinstance(nested, (list, tuple)):
        return [nested]
    return [item for part in nested for item in _flatten(part)]


def _output_size(cell):
    """The size of a cell's output: its `output_size`, else its (first) state size."""
    size = getattr(cell, "output_size", None)
    return size if size is not None else _flatten(cell.state_size)[0]


class StackedRNNCells(Layer):
    """Cells stacked into one: at each step cell k's output is the input of cell k+1. `RNN([cell1, cell2])`
    wraps its list in one. `state_size` has one entry per cell (a list for a cell with several states, as
    Keras 3 nests them); the weights are cell 1's, then cell 2's, ... An RNN layer runs each cell over the
    whole sequence in turn, which gives the same outputs and states as stepping through the stack."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: "
                                 f"{cell}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"All cells must have a `state_size` attribute. Received cell without a "
                                 f"`state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def build(self, input_shape):
        """input_shape (batch, features): each cell is built for the output of the cell before it."""
        batch, features = input_shape[0], input_shape[-1]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build((batch, features))
            features = _output_size(cell)
        cells = [cell for cell in self.cells if isinstance(cell, Layer)]
        self._weights = [w for cell in cells for w in cell._weights]
        self._regularized = [pair for cell in cells for pair in cell._regularized]

    def call(self, inputs, states, training=None):
        """One step: inputs (batch, features), states one entry per cell (a list for a cell with several
        states) -> (the last cell's output (batch, output_size), the new states nested the same way)."""
        new_states = []
        for cell, own in zip(self.cells, states):
            nested = isinstance(own, (list, tuple))
            kwargs = {"training": training} if getattr(cell, "_expects_training", False) else {}
            inputs, own = cell.call(inputs, list(own) if nested else [own], **kwargs)
            own = list(own) if isinstance(own, (list, tuple)) else [own]
            new_states.append(own if nested else own[0])
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [_layer_config(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cells"] = [_layer_from_config(entry) for entry in config["cells"]]
        return cls(**config)

    def _keras_weight_groups(self):
        """Keras 3's file layout: each cell's variables under cells/<snake class name>[_n]."""
        groups, counts = [("", [])], {}
        for cell in self.cells:
            base = snake_case(type(cell).__name__)
            counts[base] = counts.get(base, -1) + 1
            groups.append((f"cells/{base}_{counts[base]}" if counts[base] else f"cells/{base}", cell.weights))
        return groups


def _leaf_cells(cell):
    """The cells an RNN runs one after another: a stack's (nested stacks flattened), else the cell itself."""
    if isinstance(cell, StackedRNNCells):
        return [leaf for inner in cell.cells for leaf in _leaf_cells(inner)]
    return [cell]


class _CellRun:
    """One cell over a whole sequence: x (batch, timesteps, features) -> (output (batch, [timesteps,] size),
    final states [(batch, size)]). A built-in cell whose activations the ops fuse runs as one whole-sequence
    op; any other cell step by step through `cell.call(inputs_t, states)`."""

    def __init__(self, cell, dtype, return_sequences, go_backwards, zero_output_for_mask):
        self.cell, self.dtype = cell, dtype
        self.state_sizes = _flatten(cell.state_size)
        self.n_states = len(self.state_sizes)
        self.return_sequences, self.go_backwards = return_sequences, go_backwards
        self.zero_output_for_mask = zero_output_for_mask
        names = cell.fused_activations() if type(cell) in (SimpleRNNCell, LSTMCell, GRUCell) else None
        self.scan = None if names is None else dict(
            activation=names[0], recurrent_activation=names[1], return_sequences=return_sequences,
            go_backwards=go_backwards, zero_output_for_mask=zero_output_for_mask, **cell._scan_options())

    def __call__(self, x, initial, mask, training, with_states):
        """initial: the cell's initial states or None; with_states: also compute the final states."""
        if self.scan is not None:
            return self._fused(x, initial, mask, training, with_states)
        return self._loop(x, initial, mask, training)

    def _fused(self, x, initial, mask, training, with_states):
        cell = self.cell
        rdp = None
        if training and (cell.dropout or cell.recurrent_dropout):
            dp, rdp = cell._masks(x.shape[0], x.shape[-1], training)
            if dp is not None:
                x = ops.multiply(x, dp[:, None, :])
        scan = cell.scan(**self.scan, mask=mask, recurrent_mask=rdp)
        output = scan(x, cell.kernel, cell.recurrent_kernel, cell.bias, *(initial or ()))
        states = [scans._StateOutput(scan, i)(output) for i in range(scan.n_states)] if with_states else []
        return output, states

    def _loop(self, x, initial, mask, training):
        """Step by step through cell.call(inputs_t, states): any cell with `call` and `state_size`."""
        cell = self.cell
        batch, steps = x.shape[0], x.shape[1]
        if initial is None:
            make = getattr(cell, "get_initial_state", None)
            initial = make(batch_size=batch) if make else [xp.zeros((batch, s), self.dtype)
                                                          for s in self.state_sizes]
            initial = list(initial) if isinstance(initial, (list, tuple)) else [initial]
        states = list(initial)
        builtin = isinstance(cell, _Cell)
        if builtin:
            cell._dropout_masks = cell._masks(batch, x.shape[-1], training)
        kwargs = {"training": training} if getattr(cell, "_expects_training", False) else {}
        keep = None if mask is None else xp.asarray(getattr(mask, "value", mask), dtype=bool)
        outputs, previous = [], None
        try:
            for t in (range(steps - 1, -1, -1) if self.go_backwards else range(steps)):
                xt = ops.getitem(x, (slice(None), t))
                out, new_states = cell.call(xt, states, **kwargs)
                new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
                if keep is not None:
                    kt = keep[:, t:t + 1]
                    fill = xp.zeros(out.shape, out.dtype) if previous is None or self.zero_output_for_mask else previous
                    out = ops.where(kt, out, fill)
                    new_states = [ops.where(kt, new, old) for new, old in zip(new_states, states)]
                outputs.append(out)
                previous, states = out, new_states
        finally:
            if builtin:
                cell._dropout_masks = None
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        states = [s if isinstance(s, Tensor) else Tensor(xp.asarray(s)) for s in states]
        return output, states


# --- the RNN layer ------------------------------------------------------------------------------------
_CELL_ATTRIBUTES = frozenset({
    "units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias", "reset_after",
    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "seed", "kernel", "recurrent_kernel", "bias", "state_size"})


class RNN(Layer):
    """Runs `cell` over the timesteps of (batch, timesteps, features).

    Call as `layer(x)`, `layer(x, initial_state=[...])` or `layer([x, *states])`; a mask (batch, timesteps)
    from Embedding(mask_zero=True) or Masking (in a model, or attached to the Tensor of an eager call) skips
    steps: states carry through masked steps, whose output repeats the previous one (zero with
    `zero_output_for_mask`). A list of cells (or StackedRNNCells) runs stacked: the output is the last cell's,
    `return_state` gives the final states of all cells in order ([h, c] for an LSTM cell, [h] for the others),
    and `initial_state` takes them in the same order, flat or nested per cell (Keras 3).
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"Argument `cell` should have a `call` method and a `state_size` attribute. "
                             f"Received: cell={cell}")
        for key in ("implementation", "time_major"):  # Keras 2 options without effect here
            kwargs.pop(key, None)
        input_dim, input_length = kwargs.pop("input_dim", None), kwargs.pop("input_length", None)
        if (input_dim is not None or input_length is not None) and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length, input_dim)  # Keras 1/2 spelling
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.states = None
        self._runs = None
        self._features = None

    def __getattr__(self, name):  # layer.units, layer.activation, ... read from the cell
        if name in _CELL_ATTRIBUTES and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def _state_sizes(self):
        return _flatten(self.cell.state_size)

    def __call__(self, inputs, *args, initial_state=None, **kwargs):
        if initial_state is not None:
            inputs = [inputs] + _flatten(initial_state)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        shape = tuple(input_shape[0] if isinstance(input_shape, list) else input_shape)
        self._check_ndim(shape)
        if shape[-1] is None:
            raise ValueError(f'Layer "{self.name}": the last axis (features) of its input must be known, got '
                             f"shape {shape_str(shape)}.")
        cell = self.cell
        if isinstance(cell, Layer):
            if not cell.built:
                cell.build((shape[0], shape[-1]))
                cell.built = True
                for v in cell._weights:
                    v.name = f"{self.name}/{v.name}"
            self._weights, self._regularized = cell._weights, cell._regularized
        self._features = shape[-1]
        cells = _leaf_cells(cell)
        last = len(cells) - 1  # the cells before the last return sequences, which the next one reads in order
        self._runs = [_CellRun(c, self.dtype, self.return_sequences or k < last, self.go_backwards and k == 0,
                               self.zero_output_for_mask and k == last) for k, c in enumerate(cells)]
        if self.stateful:
            if shape[0] is None:
                raise ValueError(f'Layer "{self.name}": when using `stateful=True` in a RNN, the batch size must be '
                                 f"static. Found dynamic batch size: sequence.shape={shape_str(shape)}. Give the "
                                 "first layer `batch_input_shape=(batch, timesteps, features)` or `batch_size=`.")
            self.states = [Variable(xp.zeros((shape[0], size), self.dtype), name=f"{self.name}/rnn_state",
                                    trainable=False) for size in self._state_sizes]

    def _check_ndim(self, shape):
        if len(shape) != 3:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected ndim=3, found '
                             f"ndim={len(shape)}. Full shape received: {shape_str(shape)}")

    def _check_input(self, shape):
        shape = shape[0] if isinstance(shape, list) else shape
        self._check_ndim(shape)
        if shape[-1] not in (self._features, None):
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis -1 of '
                             f"input shape to have value {self._features}, but received input with shape "
                             f"{shape_str(shape)}")

    def call(self, inputs, mask=None, training=None):
        initial = None
        if isinstance(inputs, list):
            inputs, initial = inputs[0], inputs[1:] or None
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if initial is not None and len(initial) != len(self._state_sizes):
            raise ValueError(f'Layer "{self.name}" expects {len(self._state_sizes)} initial state(s), of sizes '
                             f"{self._state_sizes}, but it received {len(initial)}: "
                             f"{[tuple(s.shape) for s in initial]}.")
        if initial is None and self.stateful:
            if self.states[0].shape[0] != inputs.shape[0]:
                raise ValueError(f'Stateful layer "{self.name}" was built for batches of {self.states[0].shape[0]} '
                                 f"samples but got a batch of {inputs.shape[0]}: pass batch_size="
                                 f"{self.states[0].shape[0]} to fit/evaluate/predict, with a sample count divisible "
                                 "by it.")
            initial = [s.value for s in self.states]
        output, states = self._run_cells(inputs, initial, mask, training)
        if self.stateful:
            for variable, state in zip(self.states, states):
                variable.value[...] = state.value
        return [output] + states if self.return_state else output

    def _run_cells(self, x, initial, mask, training):
        """Each cell over the whole sequence in turn, its output sequence the input of the next (for stacked cells
        the same as stepping through the stack) -> the last cell's output, the final states of all cells."""
        with_states = self.return_state or self.stateful
        states = []
        for k, run in enumerate(self._runs):
            own = None
            if initial is not None:
                own, initial = initial[:run.n_states], initial[run.n_states:]
            if k == 1 and self.go_backwards and mask is not None:  # the first cell's outputs run back to front
                mask = xp.asarray(getattr(mask, "value", mask))[:, ::-1]
            x, final = run(x, own, mask, training, with_states)
            states += final
        return x, states

    def compute_output_shape(self, input_shape):
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        size = _output_size(self.cell)
        out = (shape[0], shape[1], size) if self.return_sequences else (shape[0], size)
        if self.return_state:
            return [out] + [(shape[0], s) for s in self._state_sizes]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out] + [None] * len(self._state_sizes) if self.return_state else out

    def reset_states(self, states=None):
        """Zero the states of a stateful layer, or set them to `states` (arrays (batch, units))."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if self.states is None:
            return
        values = [None] * len(self.states) if states is None else (
            list(states) if isinstance(states, (list, tuple)) else [states])
        for variable, value in zip(self.states, values):
            variable.value[...] = 0 if value is None else xp.asarray(getattr(value, "value", value))

    reset_state = reset_states

    def get_config(self):
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards, "stateful": self.stateful,
                  "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}
        if type(self) is RNN:
            config["cell"] = _layer_config(self.cell)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is RNN:
            config["cell"] = _layer_from_config(config["cell"])
        return cls(**config)


class _BuiltinRNN(RNN):
    """SimpleRNN, LSTM and GRU: an RNN over their own cell, with the cell's arguments as their own."""
    cell_class = None
    layer_fields = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                    "zero_output_for_mask")

    def __init__(self, units, *args, **kwargs):
        for key in ("use_cudnn", "time_major"):  # Keras options without effect here
            kwargs.pop(key, None)
        dtype = kwargs.pop("dtype", None)
        layer_kwargs = {k: kwargs.pop(k) for k in self.layer_fields + (
            "name", "input_shape", "input_dim", "input_length", "batch_input_shape", "batch_size",
            "activity_regularizer", "trainable") if k in kwargs}
        cell_name = self.cell_class.__name__.replace("Cell", "").lower()
        cell = self.cell_class(units, *args, name=f"{'simple_rnn' if cell_name == 'simplernn' else cell_name}_cell",
                               dtype=dtype, **kwargs)
        super().__init__(cell, dtype=dtype, **layer_kwargs)

    def get_config(self):
        config = {**super().get_config(), **self.cell.get_config()}
        config["name"], config["trainable"], config["dtype"] = self.name, self.trainable, self.dtype
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config


class SimpleRNN(_BuiltinRNN):
    """Fully-connected RNN: h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias).
    (batch, timesteps, features) -> (batch, units) or (batch, timesteps, units)."""
    cell_class = SimpleRNNCell


class LSTM(_BuiltinRNN):
    """Long Short-Term Memory (Hochreiter 1997), gates i, f, c, o; states [h, c], each (batch, units).
    (batch, timesteps, features) -> (batch, units) or (batch, timesteps, units)."""
    cell_class = LSTMCell


class GRU(_BuiltinRNN):
    """Gated Recurrent Unit (Cho et al. 2014), gates z, r, h; `reset_after=True` (Keras 3 default, bias
    (2, 3 units)) or False (bias (3 units,)). (batch, timesteps, features) -> (batch, units) or sequences."""
    cell_class = GRUCell
