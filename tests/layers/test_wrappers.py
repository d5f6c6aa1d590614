"""TimeDistributed, Bidirectional (merge modes, states, masks), RepeatVector and Masking."""
import numpy as np
import pytest

from zerodl.layers import (GRU, LSTM, RNN, Bidirectional, Dense, Embedding, Input, LSTMCell, Masking, RepeatVector,
                           SimpleRNN, TimeDistributed)
from zerodl.models import Model, Sequential, model_from_json
from zerodl.optimizers import Adam

rng = np.random.default_rng(4)


def test_time_distributed_dense_is_dense_per_step():
    x = rng.standard_normal((3, 5, 4)).astype(np.float32)
    layer = TimeDistributed(Dense(2, activation="relu"))
    out = layer(x).value
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(out, np.maximum(x @ kernel + bias, 0), atol=1e-6)
    assert layer.count_params() == 10 and layer.compute_output_shape((None, 5, 4)) == (None, 5, 2)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        TimeDistributed(Dense(2))(np.zeros((2, 3), np.float32))


def test_time_distributed_in_a_sequence_model_trains():
    x = rng.standard_normal((32, 6, 2)).astype(np.float32)
    y = np.cumsum(x[..., :1], axis=1)  # running sum: needs the LSTM's memory, read out at every step
    model = Sequential([LSTM(8, input_shape=(6, 2), return_sequences=True), TimeDistributed(Dense(1))])
    model.compile(Adam(learning_rate=0.01), "mse")
    assert model.output_shape == (None, 6, 1)
    history = model.fit(x, y, epochs=60, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_merge_modes(merge_mode, return_sequences):
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    layer = Bidirectional(LSTM(4, return_sequences=return_sequences), merge_mode=merge_mode)
    out = layer(x)
    assert layer.forward_layer.name.startswith("forward_") and layer.backward_layer.go_backwards
    forward = LSTM(4, return_sequences=return_sequences)
    backward = LSTM(4, return_sequences=return_sequences, go_backwards=True)
    forward.build((None, 5, 3))
    backward.build((None, 5, 3))
    weights = layer.get_weights()
    forward.set_weights(weights[:3])
    backward.set_weights(weights[3:])
    y, y_rev = forward(x).value, backward(x).value
    if return_sequences:
        y_rev = y_rev[:, ::-1]  # back to input time order
    expected = {"concat": np.concatenate([y, y_rev], -1), "sum": y + y_rev, "mul": y * y_rev,
                "ave": (y + y_rev) / 2, None: None}[merge_mode]
    if merge_mode is None:
        np.testing.assert_allclose(out[0].value, y, atol=1e-6)
        np.testing.assert_allclose(out[1].value, y_rev, atol=1e-6)
    else:
        np.testing.assert_allclose(out.value, expected, atol=1e-6)
    shape = layer.compute_output_shape((None, 5, 3))
    steps = (5,) if return_sequences else ()
    units = 8 if merge_mode == "concat" else 4
    assert shape == ([(None,) + steps + (4,)] * 2 if merge_mode is None else (None,) + steps + (units,))


def test_bidirectional_states_masks_and_training():
    inputs = Input((None,))
    embedded = Embedding(10, 3, mask_zero=True)(inputs)
    outputs = Bidirectional(GRU(4, return_sequences=True, return_state=True))(embedded)
    assert len(outputs) == 3 and outputs[0].shape == (None, None, 8) and outputs[1].shape == (None, 4)
    model = Model(inputs, outputs)
    tokens = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    seq, h_forward, h_backward = model.predict(tokens)
    np.testing.assert_array_equal(seq[0, 3:], 0)  # Bidirectional returns zeros at masked steps
    np.testing.assert_allclose(seq[0, 2, :4], h_forward[0], atol=1e-6)
    np.testing.assert_allclose(seq[0, 0, 4:], h_backward[0], atol=1e-6)  # the backward run ends at step 0
    short = model.predict(tokens[:1, :3])
    np.testing.assert_allclose(short[0][0], seq[0, :3], atol=1e-6)
    classifier = Sequential([Input((5,)), Embedding(10, 3, mask_zero=True), Bidirectional(LSTM(4)),
                             Dense(1, activation="sigmoid")])
    classifier.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    x = rng.integers(1, 10, (64, 5))
    x[::2, 3:] = 0
    y = (x[:, 0] > 5).astype(int)
    classifier.fit(x, y, epochs=80, batch_size=8, verbose=0)
    assert classifier.evaluate(x, y, verbose=0)[1] >= 0.9
    assert len(classifier.layers[1].weights) == 6


def test_bidirectional_config_and_custom_backward_layer():
    model = Sequential([Bidirectional(LSTM(3, return_sequences=True), input_shape=(4, 2), merge_mode="sum"),
                        Bidirectional(SimpleRNN(2), backward_layer=SimpleRNN(2, go_backwards=True, activation="relu"))])
    clone = model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    x = rng.standard_normal((3, 4, 2))
    np.testing.assert_allclose(clone.predict(x), model.predict(x), atol=1e-6)
    assert clone.layers[1].backward_layer.get_config()["activation"] == "relu"
    with pytest.raises(ValueError, match="go_backwards"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    with pytest.raises(ValueError, match="merge mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    rnn = Bidirectional(RNN(LSTMCell(2)))
    assert rnn(np.zeros((1, 3, 2), np.float32)).shape == (1, 4)


def test_repeat_vector():
    x = rng.standard_normal((2, 3)).astype(np.float32)
    layer = RepeatVector(4)
    out = layer(x)
    assert out.shape == (2, 4, 3) and layer.compute_output_shape((None, 3)) == (None, 4, 3)
    np.testing.assert_array_equal(out.value, np.repeat(x[:, None], 4, axis=1))
    # an autoencoder of sequences: encoder LSTM -> RepeatVector -> decoder LSTM -> TimeDistributed(Dense)
    model = Sequential([LSTM(8, input_shape=(5, 1)), RepeatVector(5), LSTM(8, return_sequences=True),
                        TimeDistributed(Dense(1))])
    model.compile(Adam(learning_rate=0.01), "mse")
    seqs = rng.standard_normal((32, 5, 1)).astype(np.float32)
    history = model.fit(seqs, seqs, epochs=40, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    with pytest.raises(ValueError, match="expected ndim=2"):
        RepeatVector(2)(np.zeros((1, 2, 3), np.float32))


def test_masking_layer():
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    x[0, 3:] = 0.0
    x[1, :2] = -1.0
    layer = Masking(mask_value=0.0)
    out = layer(x).value
    np.testing.assert_array_equal(layer.compute_mask(x), [[1, 1, 1, 0, 0], [1] * 5])
    np.testing.assert_array_equal(out, x)
    masked = Masking(-1.0)
    np.testing.assert_array_equal(masked.compute_mask(x)[1], [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(masked(x).value[1, :2], 0)
    model = Sequential([Input((None, 3)), Masking(), LSTM(4)])
    np.testing.assert_allclose(model.predict(x)[:1], model.predict(x[:1, :3]), atol=1e-6)
