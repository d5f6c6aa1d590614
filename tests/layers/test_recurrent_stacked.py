"""RNN over a list of cells and StackedRNNCells: the same as stepping through the stack and as the
single-cell layers chained by hand, gradients, states, configs, stateful use, and Keras 3 itself."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from zerodl import layers, ops
from zerodl.autodiff import Tensor, Variable, gradients, no_grad
from zerodl.layers import (GRU, LSTM, RNN, Bidirectional, Dense, Embedding, GRUCell, Input, Layer, LSTMCell,
                           SimpleRNN, SimpleRNNCell, StackedRNNCells)
from zerodl.models import Sequential, load_model, model_from_json
from zerodl.ops.recurrent import GRUScan, SimpleRNNScan

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "ops"))
from gradcheck import central_differences  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
rng = np.random.default_rng(11)
X = rng.standard_normal((3, 6, 2)).astype(np.float32)
MASK = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 0]], bool)


def flatten(nested):
    if isinstance(nested, (list, tuple)):
        return [item for part in nested for item in flatten(part)]
    return [nested]


def values(outputs):
    return [o.value for o in (outputs if isinstance(outputs, list) else [outputs])]


def random_states(sizes, batch=3, dtype=np.float32):
    return [rng.standard_normal((batch, n)).astype(dtype) for n in sizes]


def stacked(return_sequences=False, return_state=False, **kwargs):
    """RNN over LSTMCell(4), GRUCell(3), SimpleRNNCell(2), built for X."""
    layer = RNN([LSTMCell(4), GRUCell(3), SimpleRNNCell(2)], return_sequences=return_sequences,
                return_state=return_state, **kwargs)
    layer.build((None,) + X.shape[1:])
    return layer


def chained(layer, return_sequences=False):
    """LSTM(4) -> GRU(3) -> SimpleRNN(2), each returning its states, with the weights of `layer`'s cells."""
    chain = [LSTM(4, return_sequences=True, return_state=True), GRU(3, return_sequences=True, return_state=True),
             SimpleRNN(2, return_sequences=return_sequences, return_state=True)]
    weights, features = layer.get_weights(), X.shape[-1]
    for k, single in enumerate(chain):
        single.build((None, None, features))
        single.set_weights(weights[3 * k:3 * k + 3])
        features = single.units
    return chain


def run_chained(chain, x, mask=None, initial=None):
    """The output of the last layer of the chain and the final states of all, flat in order."""
    states, start = [], 0
    for single in chain:
        n = len(single._state_sizes)
        own = None if initial is None else initial[start:start + n]
        start += n
        x, *final = single(x, mask=mask, initial_state=own)
        states += final
    return [x] + states


def step_through(stack, x, states):
    """Keras's definition of stacked cells: at each step through StackedRNNCells.call, cell k's output the
    input of cell k+1. x (batch, timesteps, features) -> outputs (batch, timesteps, size), final states."""
    outputs = []
    for t in range(x.shape[1]):
        out, states = stack.call(Tensor(x[:, t]), states)
        outputs.append(out.value)
    return np.stack(outputs, axis=1), states


# --- outputs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
@pytest.mark.parametrize("with_initial", [False, True], ids=["zero_state", "initial_state"])
def test_equals_the_single_cell_layers_chained_by_hand(return_sequences, masked, with_initial):
    layer = stacked(return_sequences, return_state=True)
    mask = MASK if masked else None
    initial = random_states([4, 4, 3, 2]) if with_initial else None
    outputs = layer(X, mask=mask, initial_state=initial)
    expected = run_chained(chained(layer, return_sequences), X, mask, initial)
    assert [o.shape for o in outputs] == [o.shape for o in expected]
    for got, want in zip(values(outputs), values(expected)):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert isinstance(outputs[0].op, SimpleRNNScan)  # each cell still runs as one whole-sequence op


def test_equals_stepping_through_the_stack():
    stack = StackedRNNCells([LSTMCell(4), GRUCell(3, reset_after=False), SimpleRNNCell(2)])
    layer = RNN(stack, return_sequences=True, return_state=True)
    h1, c1, h2, h3 = random_states([4, 4, 3, 2])
    outputs = layer(X, initial_state=[[h1, c1], h2, h3])  # nested per cell as in Keras 3, or flat
    np.testing.assert_array_equal(layer(X, initial_state=[h1, c1, h2, h3])[0].value, outputs[0].value)
    expected, states = step_through(stack, X, [[h1, c1], h2, h3])
    np.testing.assert_allclose(outputs[0].value, expected, atol=1e-6)
    assert len(outputs) == 5 and [s.shape for s in outputs[1:]] == [(3, 4), (3, 4), (3, 3), (3, 2)]
    for got, want in zip(outputs[1:], flatten(states)):  # h1, c1, h2, h3: all cells' states, in order
        np.testing.assert_allclose(got.value, want.value, atol=1e-6)
    np.testing.assert_array_equal(outputs[-1].value, outputs[0].value[:, -1])


def test_go_backwards_reads_the_reversed_sequence():
    forward, backward = stacked(True, True), stacked(True, True, go_backwards=True)
    backward.set_weights(forward.get_weights())
    reversed_x, reversed_mask = X[:, ::-1], MASK[:, ::-1]
    for mask, reversed_m in ((None, None), (MASK, reversed_mask)):
        for got, want in zip(values(backward(X, mask=mask)), values(forward(reversed_x, mask=reversed_m))):
            np.testing.assert_allclose(got, want, atol=1e-6)


def test_masked_steps_keep_states_and_repeat_or_zero_the_output():
    layer = stacked(return_sequences=True)
    out = layer(X, mask=MASK).value
    np.testing.assert_array_equal(out[0, 4], out[0, 3])  # after the end: the last output again
    np.testing.assert_array_equal(out[2, :2], 0)  # before the start: zeros
    zeros = stacked(return_sequences=True, zero_output_for_mask=True)
    zeros.set_weights(layer.get_weights())
    out_zero = zeros(X, mask=MASK).value
    np.testing.assert_array_equal(out_zero[~MASK], 0)
    np.testing.assert_allclose(out_zero[MASK], out[MASK], atol=0)
    short = layer(X[:1, :4]).value  # the padding changes nothing
    np.testing.assert_allclose(out[0, 3], short[0, 3], atol=1e-6)


def test_custom_cells_and_nested_stacks_step_by_step():
    class MinimalRNNCell(Layer):
        """The cell of the Keras RNN docstring: h_t = x_t kernel + h_{t-1} recurrent_kernel."""

        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), "uniform")
            self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units), "uniform")

        def call(self, inputs, states):
            output = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
            return output, [output]

    inner = StackedRNNCells([LSTMCell(2), GRUCell(3)])
    layer = RNN([MinimalRNNCell(3), inner], return_sequences=True, return_state=True)
    outputs = layer(X)
    assert layer.state_size == [3, [[2, 2], 3]] and [o.shape for o in outputs[1:]] == [(3, 3), (3, 2), (3, 2),
                                                                                         (3, 3)]
    zeros = [np.zeros((3, 3), np.float32), [[np.zeros((3, 2), np.float32)] * 2, np.zeros((3, 3), np.float32)]]
    expected, states = step_through(layer.cell, X, zeros)
    np.testing.assert_allclose(outputs[0].value, expected, atol=1e-6)
    for got, want in zip(outputs[1:], flatten(states)):
        np.testing.assert_allclose(got.value, getattr(want, "value", want), atol=1e-6)
    assert len(layer.weights) == 2 + 3 + 3


def test_dropout_applies_per_cell_in_training_only():
    layer = RNN([LSTMCell(4, dropout=0.5, recurrent_dropout=0.5, seed=1), GRUCell(3, recurrent_dropout=0.5, seed=2)],
                return_sequences=True)
    inference = layer(X).value
    np.testing.assert_array_equal(layer(X, training=False).value, inference)
    out = layer(X, training=True)
    assert isinstance(out.op, GRUScan) and out.op.recurrent_mask.shape == (3, 3)
    assert np.abs(out.value - inference).max() > 1e-3


# --- gradients --------------------------------------------------------------------------------------
def weighted_sum(outputs, seed=3):
    """sum(output * w) over every output, with fixed random weightings w."""
    weights = np.random.default_rng(seed)
    total = None
    for out in outputs:
        term = ops.sum(ops.multiply(out, Tensor(weights.standard_normal(out.shape).astype(out.dtype))))
        total = term if total is None else ops.add(total, term)
    return total


def test_gradients_equal_those_of_the_chained_layers():
    layer = stacked(return_sequences=True, return_state=True)
    chain = chained(layer, return_sequences=True)
    x = Variable(X)
    initial = [Variable(s) for s in random_states([4, 4, 3, 2])]
    ours = gradients(weighted_sum(layer(x, mask=MASK, initial_state=initial)), [x] + initial + layer.weights)
    chain_weights = [w for single in chain for w in single.weights]
    theirs = gradients(weighted_sum(run_chained(chain, x, MASK, initial)), [x] + initial + chain_weights)
    assert len(ours) == len(theirs) == 1 + 4 + 9
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert np.abs(got).max() > 0


@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradients_match_finite_differences(go_backwards):
    """A tiny float64 stack with a mask and initial states: the tape's gradients of every input, initial
    state and weight against central differences."""
    cells = [LSTMCell(2, dtype="float64"), GRUCell(2, reset_after=False, dtype="float64"),
             SimpleRNNCell(2, dtype="float64")]
    layer = RNN(cells, return_sequences=True, return_state=True, go_backwards=go_backwards, dtype="float64")
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)
    x = Variable(rng.standard_normal((2, 4, 3)), dtype="float64")
    initial = [Variable(s, dtype="float64") for s in random_states([2, 2, 2, 2], batch=2, dtype=np.float64)]
    layer.build((None, 4, 3))
    for w in layer.weights:
        w.value[...] = rng.standard_normal(w.shape) * 0.7

    def loss():
        with no_grad():
            return float(weighted_sum(layer(x, mask=mask, initial_state=initial)).value)

    wrt = [x] + initial + layer.weights
    analytic = gradients(weighted_sum(layer(x, mask=mask, initial_state=initial)), wrt)
    for variable, grad in zip(wrt, analytic):
        assert grad.dtype == np.float64
        np.testing.assert_allclose(grad, central_differences(loss, variable.value), rtol=1e-5, atol=1e-7,
                                   err_msg=variable.name)


# --- layer surface ----------------------------------------------------------------------------------
def test_weights_shapes_and_symbolic_outputs():
    layer = stacked()
    assert [w.name for w in layer.weights] == [f"{layer.name}/{cell}/{w}" for cell in
                                               ("lstm_cell", "gru_cell", "simple_rnn_cell")
                                               for w in ("kernel", "recurrent_kernel", "bias")]
    assert [w.shape for w in layer.weights] == [(2, 16), (4, 16), (16,), (4, 9), (3, 9), (2, 9), (3, 2), (2, 2),
                                                (2,)]
    assert layer.count_params() == sum(w.size for w in layer.get_weights())
    assert isinstance(layer.cell, StackedRNNCells) and layer.cell.output_size == 2
    inputs = Input((None, 2))
    seq, h1, c1, h2, h3 = RNN([LSTMCell(4), GRUCell(3), SimpleRNNCell(2)], return_sequences=True,
                              return_state=True)(inputs)
    assert [t.shape for t in (seq, h1, c1, h2, h3)] == [(None, None, 2), (None, 4), (None, 4), (None, 3), (None, 2)]


def test_config_round_trip():
    layer = RNN(StackedRNNCells([LSTMCell(4, unit_forget_bias=False), GRUCell(3, reset_after=False)]),
                return_sequences=True, go_backwards=True)
    layer.build((None, 6, 2))
    config = layer.get_config()
    cell = config["cell"]
    assert cell["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in cell["config"]["cells"]] == ["LSTMCell", "GRUCell"]
    assert cell["config"]["cells"][1]["config"]["reset_after"] is False
    clone = RNN.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    clone.build((None, 6, 2))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(X).value, layer(X).value, atol=0)
    model = Sequential([Input((6, 2)), RNN([LSTMCell(4), GRUCell(3)], return_sequences=True),
                        RNN([SimpleRNNCell(3), LSTMCell(2)]), Dense(1)])
    twin = model_from_json(model.to_json())
    twin.set_weights(model.get_weights())
    np.testing.assert_allclose(twin.predict(X), model.predict(X), atol=0)


def test_stateful_carries_all_cells_states_between_batches():
    x = rng.standard_normal((2, 8, 1)).astype(np.float32)
    model = Sequential([RNN([LSTMCell(3), GRUCell(2)], stateful=True, return_sequences=True,
                            batch_input_shape=(2, 4, 1))])
    whole = Sequential([RNN([LSTMCell(3), GRUCell(2)], return_sequences=True, input_shape=(8, 1))])
    whole.set_weights(model.get_weights())
    first, second = model.predict(x[:, :4], batch_size=2), model.predict(x[:, 4:], batch_size=2)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole.predict(x), atol=1e-6)
    layer = model.layers[0]
    assert [s.shape for s in layer.states] == [(2, 3), (2, 3), (2, 2)]
    model.reset_states()
    np.testing.assert_allclose(model.predict(x[:, :4], batch_size=2), first, atol=0)


def test_bidirectional_over_stacked_cells():
    layer = Bidirectional(RNN([LSTMCell(3), GRUCell(2)], return_sequences=True), merge_mode=None)
    forward, backward = layer(X, mask=MASK)
    assert len(layer.weights) == 12 and forward.shape == backward.shape == (3, 6, 2)
    alone = RNN([LSTMCell(3), GRUCell(2)], return_sequences=True, zero_output_for_mask=True)
    alone.build((None, 6, 2))
    alone.set_weights(layer.get_weights()[:6])
    np.testing.assert_allclose(forward.value, alone(X, mask=MASK).value, atol=1e-6)
    clone = Bidirectional.from_config(json.loads(json.dumps(layer.get_config())))
    assert type(clone.forward_layer.cell) is StackedRNNCells and clone.backward_layer.go_backwards


def test_trains_in_a_masked_model():
    tokens = rng.integers(1, 12, (64, 6))
    tokens[:, 4:] = 0
    labels = (tokens[:, 0] > 6).astype(int)  # decided by the first token
    model = Sequential([Input((6,)), Embedding(12, 4, mask_zero=True), RNN([LSTMCell(8), GRUCell(8)]),
                        Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(tokens, labels, epochs=60, batch_size=8, verbose=0)
    assert model.evaluate(tokens, labels, verbose=0)[1] >= 0.95


def test_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match="`call` method"):
        RNN([LSTMCell(2), object()])
    layer = RNN([LSTMCell(4), GRUCell(3)], name="stack")
    with pytest.raises(ValueError, match=r'"stack" expects 3 initial state\(s\), of sizes \[4, 4, 3\].*2'):
        layer(X, initial_state=random_states([4, 4]))


# --- against Keras 3 ----------------------------------------------------------------------------------
# Masks by name: "padded" pads sequences at either end, "end_padded" at the end only. Keras's backends differ on
# the output of masked steps before the first kept one when the initial state is not zero (TensorFlow: zeros, as
# zerodl; NumPy and JAX: the initial h), so the case with initial states and repeated outputs pads at the end.
MASKS = {"padded": MASK, "end_padded": np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], bool)}
KERAS_CASES = [
    {"cells": [["LSTMCell", {"units": 4}], ["GRUCell", {"units": 3}], ["SimpleRNNCell", {"units": 2}]],
     "rnn": {"return_sequences": True, "return_state": True}, "mask": None, "initial_state": False},
    {"cells": [["LSTMCell", {"units": 4}], ["LSTMCell", {"units": 3}]],
     "rnn": {"return_state": True, "go_backwards": True}, "mask": "padded", "initial_state": False},
    {"cells": [["GRUCell", {"units": 3, "reset_after": False}], ["LSTMCell", {"units": 2}]],
     "rnn": {"return_sequences": True, "return_state": True}, "mask": "end_padded", "initial_state": True},
    {"cells": [["SimpleRNNCell", {"units": 3}], ["GRUCell", {"units": 2}]],
     "rnn": {"return_sequences": True, "go_backwards": True, "zero_output_for_mask": True}, "mask": "padded",
     "initial_state": True},
]


@pytest.fixture(scope="module")
def keras_run(tmp_path_factory):
    """Keras runs KERAS_CASES and the saved models in a subprocess with KERAS_BACKEND=numpy."""
    env = dict(os.environ, KERAS_BACKEND="numpy", TF_CPP_MIN_LOG_LEVEL="3")
    probe = subprocess.run([sys.executable, "-c", "import keras"], env=env, capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"Keras 3 is not importable with KERAS_BACKEND=numpy ({reason}); pip install 'zerodl[test]'")
    work = tmp_path_factory.mktemp("keras_stacked")
    np.save(work / "x.npy", X)
    np.savez(work / "masks.npz", **MASKS)
    (work / "cases.json").write_text(json.dumps(KERAS_CASES))
    model = Sequential([Input(X.shape[1:]), RNN([LSTMCell(4), GRUCell(3)], return_sequences=True),
                        RNN(StackedRNNCells([SimpleRNNCell(3), LSTMCell(2)])), Dense(1)])
    model.set_weights([w * 3 for w in model.get_weights()])
    model.save(work / "zerodl_stacked.keras")
    run = subprocess.run([sys.executable, str(HERE / "keras_stacked_side.py"), str(work)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return work, model.predict(X)


@pytest.mark.parametrize("index", range(len(KERAS_CASES)))
def test_outputs_and_states_equal_keras(keras_run, index):
    case, work = KERAS_CASES[index], keras_run[0]
    keras_side = np.load(work / f"case{index}.npz")
    layer = RNN([getattr(layers, name)(**kwargs) for name, kwargs in case["cells"]], **case["rnn"])
    layer.build((None,) + X.shape[1:])
    layer.set_weights([keras_side[f"w{k}"] for k in range(len(layer.weights))])
    kwargs = {"mask": MASKS[case["mask"]]} if case["mask"] else {}
    if case["initial_state"]:
        kwargs["initial_state"] = [keras_side[f"s{k}"] for k in range(len(layer._state_sizes))]
    outputs = values(layer(X, **kwargs))
    expected = [keras_side[f"out{k}"] for k in range(len([n for n in keras_side.files if n.startswith("out")]))]
    assert [o.shape for o in outputs] == [e.shape for e in expected]
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_model_files_with_stacked_cells_exchange_with_keras(keras_run):
    work, ours = keras_run
    np.testing.assert_allclose(np.load(work / "zerodl_stacked.npy"), ours, atol=1e-6)
    theirs = load_model(work / "keras_stacked.keras")
    assert isinstance(theirs.layers[1].cell, StackedRNNCells)
    np.testing.assert_allclose(theirs.predict(X), np.load(work / "keras_stacked.npy"), atol=1e-6)
