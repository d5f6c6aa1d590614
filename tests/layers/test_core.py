"""Core layers against plain NumPy math: Dense (every activation), Dropout, Flatten, Reshape,
Activation, Lambda; names, graph introspection, weights and regularization losses."""
import math

import numpy as np
import pytest

from zerodl import backend as K
from zerodl import regularizers
from zerodl.layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape
from zerodl.models import Model, Sequential
from zerodl.optimizers import SGD

rng = np.random.default_rng(7)
X = rng.standard_normal((6, 3)).astype("float32")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

REFERENCE = {
    None: lambda z: z,
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z >= 0, z, 0.2 * z),  # Keras 3 default negative_slope=0.2
    "relu6": lambda z: np.clip(z, 0, 6),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "selu": lambda z: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(z)),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "softsign": lambda z: z / (1 + np.abs(z)),
    "softmax": softmax,
    "log_softmax": lambda z: np.log(softmax(z)),
    "exponential": np.exp,
    "swish": lambda z: z * sigmoid(z),
    "silu": lambda z: z * sigmoid(z),
    "gelu": lambda z: 0.5 * z * (1 + _erf(z / np.sqrt(2))),
    "hard_sigmoid": lambda z: np.clip(z / 6 + 0.5, 0, 1),  # Keras 3: relu6(x + 3) / 6
}


# ------------------------------------------------------------------------------ Dense
@pytest.mark.parametrize("activation", list(REFERENCE))
def test_dense_forward_matches_numpy_for_every_activation(activation):
    layer = Dense(4, activation=activation, input_shape=(3,))
    layer.build((None, 3))
    W, b = layer.get_weights()
    b = rng.standard_normal(4).astype("float32")
    layer.set_weights([W, b])
    out = layer(X).numpy()
    expected = REFERENCE[activation]((X.astype(np.float64) @ W + b))
    assert out.shape == (6, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_dense_activation_given_as_function_or_capitalised_name():
    layer = Dense(2, activation=K.tanh)
    np.testing.assert_allclose(layer(X).numpy(), np.tanh(X @ layer.kernel.value), rtol=1e-5, atol=1e-6)
    layer = Dense(2, activation="ReLU")
    assert layer(X).numpy().min() >= 0


def test_dense_relu_options_via_activations_relu():
    from zerodl import activations
    z = np.array([-3.0, -1.0, 0.5, 2.0, 7.0], dtype="float32")
    np.testing.assert_allclose(activations.relu(z, alpha=0.1).numpy(), [-0.3, -0.1, 0.5, 2.0, 7.0], rtol=1e-6)
    np.testing.assert_allclose(activations.relu(z, negative_slope=0.1, max_value=5.0).numpy(),
                               [-0.3, -0.1, 0.5, 2.0, 5.0], rtol=1e-6)
    np.testing.assert_allclose(activations.relu(z, max_value=1.0).numpy(), [0, 0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(activations.relu(z, threshold=1.0).numpy(), [0, 0, 0, 2.0, 7.0])
    layer = Dense(5, activation=lambda t: activations.relu(t, alpha=0.5, max_value=0.3), use_bias=False)
    layer.build((None, 3))
    z = X @ layer.kernel.value
    np.testing.assert_allclose(layer(X).numpy(), np.minimum(np.where(z >= 0, z, 0.5 * z), 0.3), rtol=1e-6)


def test_dense_on_3d_input_acts_on_last_axis():
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    layer = Dense(4, activation="softmax")
    out = layer(x).numpy()
    W, b = layer.get_weights()
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out, softmax(x @ W + b), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.sum(-1), 1, rtol=1e-5)


def test_dense_without_bias_and_with_constant_initializers():
    layer = Dense(2, use_bias=False, kernel_initializer="ones")
    np.testing.assert_allclose(layer(X).numpy(), X.sum(1, keepdims=True).repeat(2, 1), rtol=1e-6)
    assert len(layer.weights) == 1 and layer.count_params() == 6


@pytest.mark.parametrize("kwargs", [dict(input_dim=3), dict(input_shape=(3,)), dict(batch_input_shape=(None, 3)),
                                    dict(input_shape=[3])])
def test_dense_input_shape_spellings(kwargs):
    model = Sequential([Dense(2, **kwargs), Dense(1)])
    assert model.input_shape == (None, 3)
    assert model.output_shape == (None, 1)
    assert model.count_params() == 3 * 2 + 2 + 2 + 1


def test_batch_input_shape_fixes_batch_size():
    model = Sequential([Dense(2, batch_input_shape=(8, 3))])
    assert model.input_shape == (8, 3) and model.output_shape == (8, 2)


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(ValueError, match="units"):
        Dense(2.5)


# ------------------------------------------------------------------------------ Dropout
def test_dropout_training_zeroes_rate_and_scales_the_rest():
    x = np.ones((200, 50), dtype="float32")
    out = Dropout(0.3)(x, training=True).numpy()
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert abs(out.mean() - 1) < 0.03  # expectation preserved


@pytest.mark.parametrize("training", [None, False, 0])
def test_dropout_inference_is_identity(training):
    out = Dropout(0.5)(X, training=training).numpy()
    np.testing.assert_array_equal(out, X)


def test_dropout_rate_zero_and_invalid_rates():
    np.testing.assert_array_equal(Dropout(0.0)(X, training=True).numpy(), X)
    for rate in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="rate"):
            Dropout(rate)


def test_dropout_noise_shape_and_seed():
    x = np.ones((4, 3, 100), dtype="float32")
    out = Dropout(0.5, noise_shape=(None, 1, 100))(x, training=True).numpy()
    assert (out == out[:, :1, :]).all()  # the same mask along axis 1
    a = Dropout(0.5, seed=3)(x, training=True).numpy()
    b = Dropout(0.5, seed=3)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_in_model_active_in_fit_not_predict():
    model = Sequential([Dropout(0.5, input_shape=(20,)), Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile("sgd", "mse")
    x = np.ones((10, 20), dtype="float32")
    np.testing.assert_allclose(model.predict(x), 20)
    np.testing.assert_allclose(model.predict(x), model.predict(x))
    # evaluate runs in inference mode as well: loss of predicting 20 for a target 20 is 0
    assert model.evaluate(x, np.full((10, 1), 20.0), verbose=0) == pytest.approx(0.0, abs=1e-10)


# ------------------------------------------------------------------------------ Flatten, Reshape
def test_flatten():
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    np.testing.assert_array_equal(Flatten()(x).numpy(), x.reshape(2, -1))
    model = Sequential([Flatten(input_shape=(3, 4, 5))])
    assert model.output_shape == (None, 60)
    np.testing.assert_array_equal(model.predict(x), x.reshape(2, 60))


def test_flatten_channels_first_moves_channels_last():
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    np.testing.assert_array_equal(Flatten(data_format="channels_first")(x).numpy(),
                                  x.transpose(0, 2, 3, 1).reshape(2, -1))


def test_reshape_with_minus_one():
    x = rng.standard_normal((4, 12)).astype("float32")
    np.testing.assert_array_equal(Reshape((3, 4))(x).numpy(), x.reshape(4, 3, 4))
    np.testing.assert_array_equal(Reshape((-1, 2))(x).numpy(), x.reshape(4, 6, 2))
    model = Sequential([Reshape((-1, 3), input_shape=(12,)), Flatten()])
    assert model.layers[0].output_shape == (None, 4, 3)
    assert model.output_shape == (None, 12)
    np.testing.assert_array_equal(model.predict(x), x)


def test_reshape_size_mismatch_names_layer():
    with pytest.raises(ValueError, match='"reshape"'):
        Sequential([Reshape((5,), input_shape=(12,))])


# ------------------------------------------------------------------------------ Activation, Lambda
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus"])
def test_activation_layer(name):
    np.testing.assert_allclose(Activation(name)(X).numpy(), REFERENCE[name](X.astype(np.float64)), rtol=1e-5,
                               atol=1e-6)


def test_softmax_axis():
    from zerodl import activations
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    np.testing.assert_allclose(activations.softmax(x, axis=1).numpy(), softmax(x, axis=1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(Activation("softmax")(x).numpy(), softmax(x, axis=-1), rtol=1e-5, atol=1e-7)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown activation 'rleu'.*relu.*sigmoid"):
        Dense(2, activation="rleu")


def test_lambda_layer_eager_and_in_model():
    layer = Lambda(lambda t: K.square(t) + 1.0)
    np.testing.assert_allclose(layer(X).numpy(), X ** 2 + 1, rtol=1e-6)
    model = Sequential([Lambda(lambda t: t[:, :2] * 3.0, input_shape=(3,)), Dense(1)])
    assert model.layers[0].output_shape == (None, 2)
    assert model.predict(X).shape == (6, 1)
    args = Lambda(lambda t, k: t * k, arguments={"k": 2.0})
    np.testing.assert_allclose(args(X).numpy(), 2 * X)


def test_lambda_trains_through():
    model = Sequential([Dense(2, input_shape=(3,)), Lambda(lambda t: K.tanh(t)), Dense(1)])
    model.compile(SGD(0.1), "mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(X, X[:, :1], epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# ------------------------------------------------------------------------------ names
def test_default_names_count_up_and_reset_with_clear_session():
    assert [Dense(1).name, Dense(1).name, Dense(1).name] == ["dense", "dense_1", "dense_2"]
    assert [Dropout(0.1).name, Activation("relu").name, Flatten().name] == ["dropout", "activation", "flatten"]
    assert Sequential().name == "sequential"
    K.clear_session()
    assert Dense(1).name == "dense" and Dropout(0.1).name == "dropout" and Sequential().name == "sequential"
    assert Dense(1, name="out").name == "out"


# ------------------------------------------------------------------------------ introspection, weights
def test_input_output_weights_trainable():
    model = Sequential([Dense(4, input_shape=(3,), name="hidden"), Dense(1, name="out")])
    hidden, out = model.layers
    assert hidden.input is model.input and out.output is model.output
    assert hidden.output is out.input
    assert hidden.input_shape == (None, 3) and hidden.output_shape == (None, 4)
    assert [w.name for w in hidden.weights] == ["hidden/kernel", "hidden/bias"]
    assert [w.shape for w in model.weights] == [(3, 4), (4,), (4, 1), (1,)]
    assert hidden.trainable and len(hidden.trainable_weights) == 2 and hidden.non_trainable_weights == []
    hidden.trainable = False
    assert hidden.trainable_weights == [] and len(hidden.non_trainable_weights) == 2
    assert len(model.trainable_weights) == 2


def test_frozen_layer_does_not_change_in_fit():
    model = Sequential([Dense(4, input_shape=(3,)), Dense(1)])
    model.layers[0].trainable = False
    model.compile(SGD(0.1), "mse")
    frozen = model.layers[0].get_weights()
    trained = model.layers[1].get_weights()
    model.fit(X, X[:, :1], epochs=2, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(trained[0], model.layers[1].get_weights()[0])


def test_unbuilt_layer_has_no_input():
    with pytest.raises(AttributeError, match='"dense"'):
        Dense(2).input


def test_get_set_weights_tuple_and_float64():
    layer = Dense(2, input_dim=3)
    layer.build((None, 3))
    W = np.arange(6, dtype=np.float64).reshape(3, 2)
    b = np.array([0.5, -0.5])
    layer.set_weights((W, b))
    got = layer.get_weights()
    assert all(g.dtype == np.float32 for g in got)
    np.testing.assert_array_equal(got[0], W)
    np.testing.assert_array_equal(got[1], b)
    got[0][0, 0] = 100  # a copy, not a view into the layer
    assert layer.get_weights()[0][0, 0] == 0
    np.testing.assert_allclose(layer(X).numpy(), X @ W + b, rtol=1e-6)
    layer.set_weights([W.tolist(), b.tolist()])  # nested lists too


def test_set_weights_errors_name_the_layer():
    layer = Dense(2, name="my_dense")
    layer.build((None, 3))
    with pytest.raises(ValueError, match='"my_dense".*length 1.*expecting 2'):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r'"my_dense".*\(3, 2\).*\(2, 3\)'):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    model = Sequential([layer])
    with pytest.raises(ValueError, match="expecting 2"):
        model.set_weights([np.zeros((3, 2))])


# ------------------------------------------------------------------------------ regularizers
def _penalty(reg_l1, reg_l2, w):
    return reg_l1 * np.abs(w).sum() + reg_l2 * np.square(w).sum()


def test_kernel_bias_activity_regularizers_add_to_the_loss():
    model = Sequential([
        Dense(3, input_shape=(3,), kernel_regularizer=regularizers.l2(0.1), bias_regularizer=regularizers.l1(0.2),
              bias_initializer="ones", activation="tanh"),
        Dense(1, kernel_regularizer=regularizers.l1_l2(l1=0.01, l2=0.02), activity_regularizer="l2"),
    ])
    model.compile(SGD(0.0), "mse")
    y = rng.standard_normal((6, 1)).astype("float32")
    W1, b1, W2, b2 = [w.astype(np.float64) for w in model.get_weights()]
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    expected = (np.mean((out - y) ** 2) + _penalty(0, 0.1, W1) + _penalty(0.2, 0, b1) + _penalty(0.01, 0.02, W2)
                + 0.01 * np.square(out).sum())  # Keras 3: the activity penalty of the batch (l2 default 0.01)
    assert model.evaluate(X, y, batch_size=6, verbose=0) == pytest.approx(expected, rel=1e-5)
    history = model.fit(X, y, batch_size=6, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert len(model.losses) == 4


def test_regularizer_gradient_pulls_weights_to_zero():
    model = Sequential([Dense(1, input_shape=(3,), use_bias=False, kernel_initializer="ones",
                              kernel_regularizer=regularizers.l2(0.5))])
    model.compile(SGD(0.1), "mse")
    x = np.zeros((4, 3), dtype="float32")
    model.fit(x, np.zeros((4, 1)), epochs=1, batch_size=4, verbose=0)
    # data loss has no gradient (x = 0): w -= lr * 2 * 0.5 * w
    np.testing.assert_allclose(model.get_weights()[0], 0.9, rtol=1e-6)


def test_regularizer_names_and_configs():
    layer = Dense(2, kernel_regularizer="l2", bias_regularizer={"class_name": "L1", "config": {"l1": 0.3}})
    assert layer.kernel_regularizer.l2 == 0.01 and layer.bias_regularizer.l1 == 0.3
    config = layer.get_config()
    assert config["kernel_regularizer"]["class_name"] == "L2"
    assert Dense.from_config(config).kernel_regularizer.l2 == 0.01
    with pytest.raises(ValueError, match="Unknown regularizer"):
        Dense(2, kernel_regularizer="l3")


# ------------------------------------------------------------------------------ Input
def test_input_and_input_layer():
    x = Input(shape=(3,))
    assert x.shape == (None, 3)
    assert Input(shape=3).shape == (None, 3)
    assert Input(batch_shape=(4, 2)).shape == (4, 2)
    layer = InputLayer(input_shape=(5,))
    assert layer.output.shape == (None, 5)
    model = Model(x, Dense(2)(x))
    assert model.predict(X).shape == (6, 2)


def test_layer_rejects_unknown_keyword():
    with pytest.raises(TypeError, match="unexpected keyword"):
        Dense(2, inputshape=(3,))


def test_build_by_hand_then_call_keeps_the_weights():
    layer = Dense(2)
    layer.build((None, 3))
    kernel = layer.kernel
    layer(X)
    assert layer.built and len(layer.weights) == 2 and layer.kernel is kernel


@pytest.mark.parametrize("data", [X.astype(np.float64), np.arange(12).reshape(4, 3), np.ones((2, 3), bool)],
                         ids=["float64", "int", "bool"])
def test_layers_called_on_arrays_compute_in_float32(data):
    layer = Dense(2, activation="sigmoid")
    out = layer(data)
    assert out.dtype == np.float32
    W, b = layer.get_weights()
    z = np.asarray(data, dtype=np.float64) @ W + b
    np.testing.assert_allclose(out.numpy(), 1 / (1 + np.exp(-z)), rtol=1e-5, atol=1e-7)
    assert Activation("softplus")(np.array([[-1, 0, 2]])).numpy().dtype == np.float32
