"""SimpleRNN, LSTM, GRU, their cells and RNN: Keras layouts and defaults, forward against plain NumPy,
masks, go_backwards, stateful, dropout, configs and training."""
import json

import numpy as np
import pytest

from zerodl import ops
from zerodl.autodiff import Tensor, gradients
from zerodl.layers import (GRU, LSTM, RNN, Dense, Embedding, GRUCell, Input, Layer, LSTMCell, SimpleRNN,
                           SimpleRNNCell)
from zerodl.models import Model, Sequential, model_from_json
from zerodl.ops.recurrent import GRUScan, LSTMScan, SimpleRNNScan

rng = np.random.default_rng(0)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def numpy_rnn(kind, x, weights, reset_after=True, h=None, c=None, act=np.tanh):
    """The Keras formulas one step at a time in float64: all outputs (batch, timesteps, units), states."""
    W, U = weights[0].astype(np.float64), weights[1].astype(np.float64)
    b = weights[2].astype(np.float64) if len(weights) > 2 else np.zeros(W.shape[1])
    n = U.shape[0]
    h = np.zeros((x.shape[0], n)) if h is None else h
    c = np.zeros((x.shape[0], n)) if c is None else c
    outputs = []
    for t in range(x.shape[1]):
        xt = x[:, t].astype(np.float64)
        if kind == "simple":
            h = act(xt @ W + h @ U + b)
        elif kind == "lstm":
            z = xt @ W + h @ U + b
            i, f, o = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n]), sigmoid(z[:, 3 * n:])
            c = f * c + i * act(z[:, 2 * n:3 * n])
            h = o * act(c)
        elif reset_after:
            mx, mi = xt @ W + b[0], h @ U + b[1]
            z, r = sigmoid(mx[:, :n] + mi[:, :n]), sigmoid(mx[:, n:2 * n] + mi[:, n:2 * n])
            h = z * h + (1 - z) * act(mx[:, 2 * n:] + r * mi[:, 2 * n:])
        else:
            mx = xt @ W + b
            z, r = sigmoid(mx[:, :n] + h @ U[:, :n]), sigmoid(mx[:, n:2 * n] + h @ U[:, n:2 * n])
            h = z * h + (1 - z) * act(mx[:, 2 * n:] + (r * h) @ U[:, 2 * n:])
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


LAYERS = [("simple", lambda **kw: SimpleRNN(5, **kw), {}), ("lstm", lambda **kw: LSTM(5, **kw), {}),
          ("gru", lambda **kw: GRU(5, **kw), {}),
          ("gru", lambda **kw: GRU(5, reset_after=False, **kw), {"reset_after": False})]
IDS = ["simple_rnn", "lstm", "gru", "gru_reset_before"]


@pytest.mark.parametrize("kind,make,opts", LAYERS, ids=IDS)
def test_forward_matches_numpy(kind, make, opts):
    x = rng.standard_normal((4, 6, 3)).astype(np.float32)
    layer = make(return_sequences=True)
    out = layer(x).value
    expected, _, _ = numpy_rnn(kind, x, layer.get_weights(), **opts)
    assert out.shape == (4, 6, 5) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, atol=2e-6)
    last = make()
    last.build((None, 6, 3))
    last.set_weights(layer.get_weights())
    np.testing.assert_allclose(last(x).value, expected[:, -1], atol=2e-6)


@pytest.mark.parametrize("kind,make,opts", LAYERS, ids=IDS)
def test_keras_weight_layout(kind, make, opts):
    layer = make()
    layer.build((None, 7, 3))
    gates = {"simple": 1, "lstm": 4, "gru": 3}[kind]
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (3, gates * 5) and recurrent.shape == (5, gates * 5)
    reset_after = kind == "gru" and opts.get("reset_after", True)
    assert bias.shape == ((2, 15) if reset_after else (gates * 5,))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(5), atol=1e-5)  # orthogonal rows
    assert layer.count_params() == kernel.size + recurrent.size + bias.size


def test_lstm_unit_forget_bias():
    layer = LSTM(4)
    layer.build((None, 2, 3))
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    plain = LSTM(4, unit_forget_bias=False, bias_initializer="ones")
    plain.build((None, 2, 3))
    np.testing.assert_array_equal(plain.get_weights()[2], np.ones(16))


def test_defaults_as_keras():
    layer = LSTM(3)
    config = layer.get_config()
    assert config["activation"] == "tanh" and config["recurrent_activation"] == "sigmoid"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert not config["return_sequences"] and not config["return_state"] and not config["stateful"]
    assert GRU(3).reset_after and GRU(3).get_config()["reset_after"]
    assert layer.units == 3 and layer.dropout == 0.0


def test_return_state_and_shapes_in_models():
    inputs = Input((None, 3))  # variable number of timesteps
    seq, h, c = LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert seq.shape == (None, None, 4) and h.shape == (None, 4) and c.shape == (None, 4)
    gru_out, gru_h = GRU(2, return_state=True)(seq)
    model = Model(inputs, [seq, h, c, gru_out, gru_h])
    for steps in (1, 5):
        values = model.predict(rng.standard_normal((3, steps, 3)))
        assert [v.shape for v in values] == [(3, steps, 4), (3, 4), (3, 4), (3, 2), (3, 2)]
        np.testing.assert_array_equal(values[0][:, -1], values[1])  # last output = final h
        np.testing.assert_array_equal(values[3], values[4])


def test_initial_state_from_an_encoder():
    """Encoder-decoder: the decoder starts from the encoder's states; gradients reach the encoder."""
    enc_in, dec_in = Input((6, 2)), Input((4, 3))
    encoder = LSTM(5, return_state=True)
    _, h, c = encoder(enc_in)
    decoded = LSTM(5, return_sequences=True)(dec_in, initial_state=[h, c])
    model = Model([enc_in, dec_in], Dense(1)(decoded))
    model.compile("adam", "mse")
    xe, xd = rng.standard_normal((8, 6, 2)), rng.standard_normal((8, 4, 3))
    before = encoder.get_weights()
    model.fit([xe, xd], rng.standard_normal((8, 4, 1)), epochs=2, verbose=0)
    assert all(np.abs(a - b).max() > 0 for a, b in zip(encoder.get_weights(), before))
    # the same through eager calls: the decoder's output depends on the initial state
    lstm = LSTM(5, return_sequences=True)
    zeros = lstm(xd.astype(np.float32)).value
    started = lstm(xd.astype(np.float32), initial_state=[np.ones((8, 5), np.float32)] * 2).value
    assert np.abs(zeros - started).max() > 1e-3


@pytest.mark.parametrize("make", [lambda **kw: LSTM(3, **kw), lambda **kw: GRU(3, **kw),
                                  lambda **kw: SimpleRNN(3, **kw)], ids=["lstm", "gru", "simple_rnn"])
def test_go_backwards_reads_the_reversed_sequence(make):
    x = rng.standard_normal((2, 5, 4)).astype(np.float32)
    forward, backward = make(return_sequences=True), make(return_sequences=True, go_backwards=True)
    forward(x)
    backward.build((None, 5, 4))
    backward.set_weights(forward.get_weights())
    np.testing.assert_allclose(backward(x).value, forward(x[:, ::-1]).value, atol=1e-6)


@pytest.mark.parametrize("make", [lambda **kw: LSTM(4, **kw), lambda **kw: GRU(4, **kw),
                                  lambda **kw: SimpleRNN(4, **kw)], ids=["lstm", "gru", "simple_rnn"])
def test_mask_zero_skips_padding(make):
    """Embedding(mask_zero=True) -> RNN: right- or left-padded sequences give the unpadded result."""
    tokens = np.array([[3, 1, 4, 1, 5, 0, 0], [2, 7, 1, 8, 2, 8, 1]])
    left = np.array([[0, 0, 3, 1, 4, 1, 5], [2, 7, 1, 8, 2, 8, 1]])
    model = Sequential([Input((None,)), Embedding(10, 3, mask_zero=True), make()])
    out, out_left = model.predict(tokens), model.predict(left)
    short = model.predict(tokens[:1, :5])
    np.testing.assert_allclose(out[0], short[0], atol=1e-6)
    np.testing.assert_allclose(out_left[0], short[0], atol=1e-6)
    np.testing.assert_allclose(out[1], out_left[1], atol=0)
    # the padding changes the result without the mask
    plain = Sequential([Embedding(10, 3), make()])
    plain.build((None, 7))
    plain.set_weights(model.get_weights())
    assert np.abs(plain.predict(tokens)[0] - short[0]).max() > 1e-4


def test_masked_sequences_repeat_the_last_output():
    tokens = np.array([[3, 1, 0, 0], [0, 0, 3, 1]])
    model = Sequential([Input((None,)), Embedding(5, 2, mask_zero=True), LSTM(3, return_sequences=True)])
    out = model.predict(tokens)
    np.testing.assert_array_equal(out[0, 2], out[0, 1])  # after the end: the last output again
    np.testing.assert_array_equal(out[0, 3], out[0, 1])
    np.testing.assert_array_equal(out[1, :2], 0)  # before the start: zeros
    # the mask flows on through return_sequences into the next LSTM
    stacked = Sequential([Input((None,)), Embedding(5, 2, mask_zero=True), LSTM(3, return_sequences=True), LSTM(2)])
    np.testing.assert_allclose(stacked.predict(tokens)[0], stacked.predict(tokens[:1, :2])[0], atol=1e-6)


def test_mask_in_functional_model_and_training():
    inputs = Input((6,))
    x = Embedding(12, 4, mask_zero=True)(inputs)
    x = LSTM(8)(x)
    model = Model(inputs, Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    tokens = rng.integers(1, 12, (64, 6))
    tokens[:, 4:] = 0
    labels = (tokens[:, 0] > 6).astype(int)  # decided by the first token
    model.fit(tokens, labels, epochs=100, batch_size=8, verbose=0)
    assert model.evaluate(tokens, labels, verbose=0)[1] >= 0.95


def test_stateful_carries_state_between_batches():
    x = rng.standard_normal((2, 8, 1)).astype(np.float32)
    model = Sequential([LSTM(3, batch_input_shape=(2, 4, 1), stateful=True, return_sequences=True)])
    whole = Sequential([LSTM(3, input_shape=(8, 1), return_sequences=True)])
    whole.set_weights(model.get_weights())
    first, second = model.predict(x[:, :4], batch_size=2), model.predict(x[:, 4:], batch_size=2)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole.predict(x), atol=1e-6)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x[:, :4], batch_size=2), first, atol=0)
    layer = model.layers[0]
    assert [s.shape for s in layer.states] == [(2, 3), (2, 3)] and layer.weights == layer.trainable_weights
    layer.reset_states()
    assert all(not s.value.any() for s in layer.states)
    with pytest.raises(ValueError, match="batch"):
        model.predict(x[:1, :4])


def test_stateful_online_training_as_in_the_course():
    """LSTM(batch_input_shape=(1, 1, 1), stateful=True), fit with shuffle=False and reset_states per epoch."""
    series = np.sin(np.arange(60) / 3).astype(np.float32)
    X, y = series[:-1, None, None], series[1:, None]
    model = Sequential([LSTM(6, batch_input_shape=(1, 1, 1), stateful=True), Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    losses = []
    for _ in range(12):
        losses.append(model.fit(X, y, epochs=1, batch_size=1, verbose=0, shuffle=False).history["loss"][0])
        model.reset_states()
    assert losses[-1] < 0.5 * losses[0]


def test_stateful_needs_a_batch_size():
    with pytest.raises(ValueError, match="batch size"):
        Sequential([LSTM(3, input_shape=(4, 1), stateful=True)])
    with pytest.raises(AttributeError, match="stateful"):
        LSTM(3).reset_states()


def test_dropout_in_training_only_and_fused():
    x = rng.standard_normal((3, 5, 2)).astype(np.float32)
    layer = LSTM(4, dropout=0.5, recurrent_dropout=0.5, return_sequences=True, seed=1)
    inference = layer(x).value
    np.testing.assert_array_equal(layer(x, training=False).value, inference)
    out = layer(x, training=True)
    assert isinstance(out.op, LSTMScan)  # still one op over the sequence
    mask = out.op.recurrent_mask  # one (batch, units) mask on h for the whole sequence
    assert mask.shape == (3, 4) and set(np.unique(mask)) <= {0.0, 2.0}
    assert np.abs(out.value - inference).max() > 1e-3
    for make in (GRU, SimpleRNN):
        other = make(3, recurrent_dropout=0.3)
        assert isinstance(other(x, training=True).op, (GRUScan, SimpleRNNScan))


def test_dropout_trains():
    x = rng.standard_normal((32, 5, 2)).astype(np.float32)
    y = x.mean(axis=(1, 2))[:, None]
    model = Sequential([LSTM(8, input_shape=(5, 2), dropout=0.1, recurrent_dropout=0.1), Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=30, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]


def test_errors_as_keras():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        Sequential([LSTM(3, input_shape=(1,))])
    layer = LSTM(3)
    layer(np.zeros((1, 2, 4), np.float32))
    with pytest.raises(ValueError, match="axis -1"):
        layer(np.zeros((1, 2, 5), np.float32))
    with pytest.raises(ValueError, match="units"):
        LSTM(0)


def test_rnn_with_builtin_cells_equals_the_layers():
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    for cell, layer in ((LSTMCell(5), LSTM(5)), (GRUCell(5), GRU(5)), (SimpleRNNCell(5), SimpleRNN(5))):
        rnn = RNN(cell, return_sequences=True, return_state=True)
        outputs = rnn(x)
        layer = type(layer)(5, return_sequences=True, return_state=True)
        layer.build((None, 4, 3))
        layer.set_weights(rnn.get_weights())
        for a, b in zip(outputs, layer(x)):
            np.testing.assert_allclose(a.value, b.value, atol=1e-6)
        assert len(outputs) == 1 + (2 if isinstance(cell, LSTMCell) else 1)


def test_cell_step_and_unfused_activation():
    """A cell called on one step; an activation the op does not fuse runs the per-step path, same math."""
    cell = LSTMCell(3)
    cell.build((None, 2))
    x, h, c = (rng.standard_normal(s).astype(np.float32) for s in ((4, 2), (4, 3), (4, 3)))
    out, (h1, c1) = cell.call(Tensor(x), [Tensor(h), Tensor(c)])
    expected, eh, ec = numpy_rnn("lstm", x[:, None], cell.get_weights(), h=h.astype(np.float64),
                                 c=c.astype(np.float64))
    np.testing.assert_allclose(out.value, expected[:, 0], atol=1e-6)
    np.testing.assert_allclose(c1.value, ec, atol=1e-6)
    seq = rng.standard_normal((2, 4, 2)).astype(np.float32)
    softsign = LSTM(3, activation="softsign", return_sequences=True)
    out = softsign(seq)
    assert not isinstance(out.op, LSTMScan)
    expected, _, _ = numpy_rnn("lstm", seq, softsign.get_weights(), act=lambda v: v / (1 + np.abs(v)))
    np.testing.assert_allclose(out.value, expected, atol=1e-6)
    for kind, layer, opts in (("gru", GRU(3, activation=lambda v: ops.tanh(v), return_sequences=True), {}),
                              ("gru", GRU(3, activation=lambda v: ops.tanh(v), reset_after=False,
                                          return_sequences=True), {"reset_after": False}),
                              ("simple", SimpleRNN(3, activation=lambda v: ops.tanh(v), return_sequences=True), {})):
        out = layer(seq)  # a function the op cannot fuse: the cell's per-step ops
        assert not isinstance(out.op, (GRUScan, SimpleRNNScan))
        expected, _, _ = numpy_rnn(kind, seq, layer.get_weights(), **opts)
        np.testing.assert_allclose(out.value, expected, atol=1e-6)


class MinimalRNNCell(Layer):
    """The cell of the Keras RNN docstring."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]


def test_rnn_with_a_custom_cell_trains():
    inputs = Input((None, 5))
    layer = RNN(MinimalRNNCell(8))
    model = Model(inputs, Dense(1)(layer(inputs)))
    model.compile("adam", "mse")
    x = rng.standard_normal((32, 4, 5))
    y = x[:, -1, :1]
    history = model.fit(x, y, epochs=40, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    kernel, recurrent = layer.get_weights()
    h = np.zeros((2, 8))
    for t in range(3):
        h = x[:2, t] @ kernel + h @ recurrent
    np.testing.assert_allclose(layer(x[:2, :3].astype(np.float32)).value, h, atol=1e-5)


def test_lstm_learns_a_sequence_task():
    """Is the first element of the sequence positive? Only a memory over the steps can say."""
    x = rng.standard_normal((256, 8, 1)).astype(np.float32)
    y = (x[:, 0, 0] > 0).astype(int)
    model = Sequential([LSTM(8, input_shape=(8, 1)), Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] >= 0.9


def test_gradients_reach_every_weight():
    x = Tensor(rng.standard_normal((2, 3, 4)).astype(np.float32))
    for layer in (LSTM(3), GRU(3), GRU(3, reset_after=False), SimpleRNN(3)):
        out = layer(x)
        grads = gradients(ops.sum(out * out), layer.trainable_weights)
        assert all(np.abs(g).sum() > 0 for g in grads)
        assert [g.shape for g in grads] == [w.shape for w in layer.weights]


def test_regularizers_add_losses():
    layer = LSTM(3, kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l2")
    layer.build((None, 2, 2))
    assert len(layer.losses) == 3


def test_config_and_json_round_trip():
    model = Sequential([GRU(4, input_shape=(5, 2), return_sequences=True, reset_after=False, dropout=0.2),
                        LSTM(3, unit_forget_bias=False, go_backwards=True), Dense(1)])
    clone = model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    x = rng.standard_normal((3, 5, 2))
    np.testing.assert_allclose(clone.predict(x), model.predict(x), atol=1e-6)
    config = json.loads(model.to_json())["config"]["layers"][1]["config"]
    assert config["reset_after"] is False and config["dropout"] == 0.2 and config["return_sequences"]
    layer = LSTM.from_config(LSTM(3, activation="relu", stateful=False).get_config())
    assert layer.get_config()["activation"] == "relu"
    rnn = RNN.from_config(RNN(GRUCell(2), return_sequences=True).get_config())
    assert isinstance(rnn.cell, GRUCell) and rnn.return_sequences


def test_keras2_arguments():
    layer = LSTM(4, input_dim=3, input_length=10, implementation=2)
    model = Sequential([layer])
    assert model.inputs[0].shape == (None, 10, 3)
    assert model.output_shape == (None, 4)
