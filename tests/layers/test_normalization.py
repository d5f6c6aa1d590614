"""BatchNormalization against NumPy: batch statistics while training, moving averages (momentum 0.99,
epsilon 1e-3) at inference, Keras weight order and trainability, axis, center/scale; and the noise
layers GaussianNoise, GaussianDropout, SpatialDropout1D/2D."""
import io
from contextlib import redirect_stdout

import numpy as np
import pytest

from zerodl.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten, GaussianDropout, GaussianNoise, Input,
                           SpatialDropout1D, SpatialDropout2D)
from zerodl.models import Sequential

rng = np.random.default_rng(11)


def test_training_uses_batch_statistics_and_updates_moving_ones():
    x = (rng.standard_normal((64, 3)) * [1, 2, 3] + [5, -1, 0]).astype("float32")
    layer = BatchNormalization()
    out = layer(x, training=True).value
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-5)
    names = [w.name.split("/")[-1] for w in layer.weights]
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]
    mean, var = layer.get_weights()[2:]
    np.testing.assert_allclose(mean, 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, 0.99 + 0.01 * x.var(0), rtol=1e-5)


def test_inference_uses_moving_statistics():
    layer = BatchNormalization(epsilon=0.01)
    x = rng.standard_normal((5, 2, 4)).astype("float32")
    layer(x)
    gamma, beta = rng.random(4).astype("float32"), rng.random(4).astype("float32")
    mean, var = rng.standard_normal(4).astype("float32"), rng.random(4).astype("float32") + 0.5
    layer.set_weights([gamma, beta, mean, var])
    expected = (x - mean) / np.sqrt(var + 0.01) * gamma + beta
    np.testing.assert_allclose(layer(x).value, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(x, training=False).value, expected, rtol=1e-5, atol=1e-6)
    layer.trainable = False  # a frozen layer runs in inference mode even while training (Keras 3)
    np.testing.assert_allclose(layer(x, training=True).value, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.get_weights()[2], mean)


def test_axis_one_for_channels_first_and_options():
    x = rng.standard_normal((8, 3, 4, 5)).astype("float32")
    layer = BatchNormalization(axis=1, center=False, scale=False)
    out = layer(x, training=True).value
    mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    assert [w.name.split("/")[-1] for w in layer.weights] == ["moving_mean", "moving_variance"]
    config = layer.get_config()
    assert config["axis"] == 1 and config["momentum"] == 0.99 and config["epsilon"] == 1e-3
    assert BatchNormalization.from_config({**config, "axis": [1]}).axis == 1  # Keras 2 saved axis as a list
    with pytest.raises(ValueError, match="ndim=4"):
        layer(x[0])


def test_summary_counts_moving_statistics_as_non_trainable():
    model = Sequential([Conv2D(4, 3, input_shape=(8, 8, 1)), BatchNormalization(), Flatten(), Dense(2)])
    text = io.StringIO()
    with redirect_stdout(text):
        model.summary()
    assert "Non-trainable params: 8" in text.getvalue()
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2


def test_model_with_batch_norm_trains_and_predicts_consistently():
    x = rng.standard_normal((256, 4)).astype("float32") * 10 + 3
    y = (x[:, 0] + x[:, 1] > 6).astype("float32")
    model = Sequential([Dense(16, input_shape=(4,)), BatchNormalization(), Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.9
    bn = model.layers[1]
    assert not np.allclose(bn.get_weights()[2], 0)  # moving mean moved
    np.testing.assert_allclose(model.predict(x[:10]), model.predict(x[:10]))  # inference is deterministic


def test_gaussian_noise_only_while_training():
    x = np.zeros((2000, 5), "float32")
    layer = GaussianNoise(0.5, seed=1)
    np.testing.assert_array_equal(layer(x).value, x)
    noisy = layer(x, training=True).value
    assert noisy.dtype == np.float32 and abs(noisy.std() - 0.5) < 0.02 and abs(noisy.mean()) < 0.02
    dropout = GaussianDropout(0.2)(np.ones((2000, 5), "float32"), training=True).value
    assert abs(dropout.mean() - 1) < 0.02 and abs(dropout.std() - 0.5) < 0.03


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((50, 6, 7, 8), "float32")
    out = SpatialDropout2D(0.5, seed=3)(x, training=True).value
    per_channel = out.reshape(50, -1, 8)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))  # each map all kept or all dropped
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert 0.3 < (out == 0).mean() < 0.7
    first = SpatialDropout2D(0.5, data_format="channels_first")(x, training=True).value.reshape(50, 6, -1)
    assert np.all(first.min(axis=2) == first.max(axis=2))
    seq = SpatialDropout1D(0.5)(np.ones((40, 9, 4), "float32"), training=True).value
    assert np.all(seq.min(axis=1) == seq.max(axis=1))
    np.testing.assert_array_equal(SpatialDropout2D(0.5)(x).value, x)


def test_dropout_and_batch_norm_stack_in_a_functional_model():
    inputs = Input((6,))
    h = Dense(8, activation="relu")(inputs)
    h = BatchNormalization()(h)
    h = Dropout(0.3)(h)
    from zerodl.models import Model
    model = Model(inputs, Dense(1)(h))
    model.compile("sgd", "mse")
    model.fit(rng.standard_normal((64, 6)), rng.standard_normal(64), epochs=2, verbose=0)
    assert model.predict(np.zeros((3, 6))).shape == (3, 1)
