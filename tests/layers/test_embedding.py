"""Embedding: lookup, a gradient that touches only the used rows (no one-hot), mask_zero, Keras arguments."""
import numpy as np
import pytest

from zerodl import ops
from zerodl.autodiff import Tensor, gradients
from zerodl.layers import Dense, Embedding, Flatten, Input, LSTM
from zerodl.models import Model, Sequential, model_from_json

rng = np.random.default_rng(3)


def test_lookup_rows():
    layer = Embedding(10, 4)
    tokens = np.array([[1, 2, 9], [0, 0, 5]])
    out = layer(tokens)
    table = layer.get_weights()[0]
    assert table.shape == (10, 4) and np.abs(table).max() <= 0.05  # 'uniform': U(-0.05, 0.05)
    assert out.shape == (2, 3, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.value, table[tokens])
    np.testing.assert_array_equal(layer(tokens.astype(np.float32)).value, out.value)  # fit passes floats
    np.testing.assert_array_equal(layer(np.array([[[1, 2]]])).value, table[[[[1, 2]]]])  # any index shape


def test_gradient_accumulates_into_used_rows_only():
    layer = Embedding(8, 3)
    tokens = np.array([[1, 1, 4], [4, 1, 6]])
    weights = Tensor(rng.standard_normal((2, 3, 3)).astype(np.float32))
    loss = ops.sum(layer(tokens) * weights)
    grad, = gradients(loss, layer.trainable_weights)
    one_hot = np.eye(8)[tokens]  # (2, 3, 8): the dense reference
    expected = np.einsum("btv,btd->vd", one_hot, weights.value)
    np.testing.assert_allclose(grad, expected, rtol=1e-6)
    assert set(np.flatnonzero(np.abs(grad).sum(axis=1))) == {1, 4, 6}


def test_mask_zero():
    layer = Embedding(5, 2, mask_zero=True)
    tokens = np.array([[1, 0, 3], [0, 0, 2]])
    np.testing.assert_array_equal(layer.compute_mask(Tensor(tokens)), tokens != 0)
    assert layer.supports_masking and Embedding(5, 2).compute_mask(Tensor(tokens)) is None


def test_out_of_range_index_is_an_error():
    layer = Embedding(5, 2)
    with pytest.raises(ValueError, match=r"index 5 is not in \[0, 5\)"):
        layer(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="not in"):
        layer(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="positive"):
        Embedding(0, 3)


def test_keras2_input_length_and_pretrained_weights():
    matrix = rng.standard_normal((6, 3)).astype(np.float32)
    model = Sequential([Embedding(6, 3, input_length=4, weights=[matrix], trainable=False), Flatten(), Dense(1)])
    assert model.output_shape == (None, 1) and model.layers[0].output_shape == (None, 4, 3)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], matrix)
    assert len(model.trainable_weights) == 2
    model.compile("adam", "mse")
    model.fit(rng.integers(0, 6, (16, 4)), rng.standard_normal(16), epochs=2, verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], matrix)  # frozen


def test_trains_a_bag_of_words_classifier():
    tokens = rng.integers(1, 20, (200, 5))
    labels = (tokens == 3).any(axis=1).astype(int)
    model = Sequential([Embedding(20, 4, input_length=5), Flatten(), Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(tokens, labels, epochs=60, batch_size=16, verbose=0)
    assert model.evaluate(tokens, labels, verbose=0)[1] >= 0.95


def test_config_round_trip():
    inputs = Input((7,))
    outputs = LSTM(2)(Embedding(30, 5, mask_zero=True, embeddings_regularizer="l2")(inputs))
    model = Model(inputs, outputs)
    clone = model_from_json(model.to_json())
    layer = clone.layers[1]
    assert (layer.input_dim, layer.output_dim, layer.mask_zero) == (30, 5, True)
    assert layer.embeddings_regularizer is not None and len(model.layers[1].losses) == 1
    clone.set_weights(model.get_weights())
    tokens = np.array([[1, 2, 3, 0, 0, 0, 0]])
    np.testing.assert_allclose(clone.predict(tokens), model.predict(tokens), atol=1e-7)
